import { configPlugin } from './config/plugin';
import { connectionPlugin } from './connection/plugin';
import { packagesPlugin } from './packages/plugin';
import { pipelinesPlugin } from './pipelines/plugin';
import { projectPlugin } from './project/plugin';
import { registryPlugin } from './registry/plugin';
import { runsPlugin } from './runs/plugin';
import { sidebarPlugin } from './sidebar/plugin';

export default [
  sidebarPlugin,
  connectionPlugin,
  projectPlugin,
  pipelinesPlugin,
  registryPlugin,
  runsPlugin,
  packagesPlugin,
  configPlugin
];

/**
 * Everything that pulls in the AWS SDK, reachable only through one dynamic
 * import (`MLOpsSession.sdk()`), so JupyterLab's start-up never pays for it.
 */
export { createProxiedClients } from './clients';
export { PipelineService } from '../core/pipelines';
export {
  describeProject,
  listProjects,
  projectOfResource
} from '../core/projects';
export { LogTail } from '../core/logs';

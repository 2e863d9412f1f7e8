import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { LazyWidget } from '../shared/lazy';
import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { ProjectModel } from './model';

/** The current SageMaker project, the sidebar's project bar, and the Choose Project command. */
export const projectPlugin: JupyterFrontEndPlugin<IMLOpsProject> = {
  id: PluginIDs.project,
  description:
    'The SageMaker project every capability shows: from the setting, the Studio space, or chosen.',
  autoStart: true,
  provides: IMLOpsProject,
  requires: [IMLOpsConnection],
  optional: [ISettingRegistry, IMLOpsSidebar, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    settingRegistry: ISettingRegistry | null,
    sidebar: IMLOpsSidebar | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IMLOpsProject => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    let settings: ISettingRegistry.ISettings | null = null;
    const model = new ProjectModel({
      connection,
      remember: async name => {
        await settings?.set('project', name);
      }
    });
    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.project)
        .then(loaded => {
          settings = loaded;
          const apply = () =>
            model.setSetting(String(loaded.composite.project ?? ''));
          apply();
          loaded.changed.connect(apply);
        })
        .catch(reason => {
          console.error(`${PluginIDs.project}: settings not loaded`, reason);
          model.setSetting('');
        });
    } else {
      model.setSetting('');
    }

    if (sidebar) {
      const widget = new LazyWidget({
        failed: trans.__('The project view could not be loaded.'),
        load: async () => {
          const { ProjectBar } = await import('./ProjectBar');
          return new ProjectBar({ model, translator: translator! });
        }
      });
      widget.title.label = trans.__('Project');
      sidebar.addSection({ id: 'project', rank: 20, area: 'header', widget });
    }

    app.commands.addCommand(CommandIDs.chooseProject, {
      label: trans.__('Choose SageMaker Project…'),
      caption: trans.__('Show another SageMaker project in the sidebar'),
      execute: () => {
        sidebar?.activate();
        model.startChoosing();
      }
    });
    palette?.addItem({
      command: CommandIDs.chooseProject,
      category: trans.__('SageMaker MLOps')
    });
    return model;
  }
};

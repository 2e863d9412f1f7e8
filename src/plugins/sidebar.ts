import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser, FileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { mlopsIcon } from '../icons';
import { PipelinesModel } from '../models/pipelines';
import { MLOpsSession } from '../models/session';
import type { ExecutionGraphWidget } from '../widgets/graph/ExecutionGraph';
import { registerPipelineCommands } from './commands';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  IMLOpsSession,
  IMLOpsSettings,
  PLUGIN_ID,
  TRANSLATION_DOMAIN
} from '../tokens';
import { MLOpsSidebar } from '../widgets/sidebar/SidebarWidget';

const PALETTE_CATEGORY = 'SageMaker MLOps';

/** The sidebar, the session shared by the other plugins, and the settings. */
export const sidebarPlugin: JupyterFrontEndPlugin<IMLOpsSession> = {
  id: PLUGIN_ID,
  description:
    'SageMaker MLOps sidebar: the project, its pipelines, runs and model versions.',
  autoStart: true,
  provides: IMLOpsSession,
  optional: [
    ILabShell,
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    fileBrowser: FileBrowser | null
  ): IMLOpsSession => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    const session = new MLOpsSession({
      serverSettings: app.serviceManager.serverSettings
    });

    let settingsObject: ISettingRegistry.ISettings | null = null;
    const pipelines = new PipelinesModel({
      session,
      // The chosen project is remembered in the user's settings.
      rememberProject: async name => {
        if (settingsObject) {
          await settingsObject.set('project', name);
        } else {
          session.updateSettings({ project: name });
        }
      }
    });
    const tracker = new WidgetTracker<MainAreaWidget<ExecutionGraphWidget>>({
      namespace: 'sagemaker-mlops-execution'
    });
    const sidebar = new MLOpsSidebar({
      session,
      pipelines,
      translator,
      onOpenExecution: (executionArn, pipelineName) =>
        void app.commands.execute(CommandIDs.openExecution, {
          executionArn,
          pipelineName
        })
    });
    sidebar.id = 'sagemaker-mlops-sidebar';
    sidebar.title.icon = mlopsIcon;
    sidebar.title.caption = trans.__('SageMaker MLOps');
    app.shell.add(sidebar, 'left', { rank: 650 });
    restorer?.add(sidebar, 'sagemaker-mlops-sidebar');

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Open SageMaker MLOps Sidebar'),
      caption: trans.__('Show the SageMaker MLOps panel in the left sidebar'),
      icon: mlopsIcon,
      execute: () => {
        if (labShell) {
          labShell.activateById(sidebar.id);
        } else {
          app.shell.activateById(sidebar.id);
        }
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh SageMaker MLOps'),
      caption: trans.__('Reload the AWS identity and project data'),
      execute: async () => {
        await session.refresh();
        await pipelines.refresh();
      }
    });
    registerPipelineCommands({
      app,
      session,
      pipelines,
      trans,
      palette,
      fileBrowser,
      tracker
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openExecution,
        args: widget => ({
          executionArn: widget.content.model.executionArn,
          pipelineName: widget.content.model.pipelineName
        }),
        name: widget => widget.content.model.executionArn
      });
    }
    if (palette) {
      for (const command of [CommandIDs.openSidebar, CommandIDs.refresh]) {
        palette.addItem({ command, category: trans.__(PALETTE_CATEGORY) });
      }
    }

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          settingsObject = settings;
          const apply = () =>
            session.updateSettings({
              ...DEFAULT_SETTINGS,
              ...(settings.composite as Partial<IMLOpsSettings>)
            });
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error(`${PLUGIN_ID}: failed to load settings`, reason)
        );
    }
    return session;
  }
};

import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { PipelineService } from '../core/pipelines/service';
import { LazyWidget, once } from '../shared/lazy';
import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { registerPipelineCommands } from './commands';
import type { ExecutionTab } from './graph/GraphView';
import type { PipelinesModel } from './model';

/**
 * Pipelines: the sidebar section (pipelines, executions, steps), the
 * execution tab, and the run/stop/retry/open/run-as-my-pipeline commands.
 * The model, the views and the AWS SDK load on first use.
 */
export const pipelinesPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.pipelines,
  description:
    "The project's SageMaker pipelines: executions, steps, graph, run, stop, retry.",
  autoStart: true,
  requires: [IMLOpsConnection, IMLOpsProject],
  optional: [
    IMLOpsSidebar,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    project: IMLOpsProject,
    sidebar: IMLOpsSidebar | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null,
    translator: ITranslator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);

    const getService = once<PipelineService>(async () => {
      const [{ PipelineService }, clients] = await Promise.all([
        import('../core/pipelines/service'),
        connection.clients()
      ]);
      return new PipelineService(clients);
    });
    const getModel = once<PipelinesModel>(async () => {
      const [{ PipelinesModel }, { notifyFinished }] = await Promise.all([
        import('./model'),
        import('./actions')
      ]);
      const created = new PipelinesModel({
        connection,
        project,
        api: getService
      });
      notifyFinished(app, created, trans);
      return created;
    });

    const tracker = new WidgetTracker<MainAreaWidget<ExecutionTab>>({
      namespace: 'sagemaker-mlops-execution'
    });
    registerPipelineCommands({
      app,
      trans,
      connection,
      project,
      palette,
      fileBrowser,
      tracker,
      model: getModel,
      service: getService
    });
    void restorer?.restore(tracker, {
      command: CommandIDs.openExecution,
      args: widget => ({
        executionArn: widget.content.model.executionArn,
        pipelineName: widget.content.model.pipelineName
      }),
      name: widget => widget.content.model.executionArn
    });

    if (sidebar) {
      const widget = new LazyWidget({
        failed: trans.__('The pipelines view could not be loaded.'),
        load: async () => {
          const [{ PipelinesSection }, loaded] = await Promise.all([
            import('./Section'),
            getModel()
          ]);
          return new PipelinesSection({
            model: loaded,
            translator: translator!,
            openExecution: (executionArn, pipelineName) =>
              void app.commands.execute(CommandIDs.openExecution, {
                executionArn,
                pipelineName
              })
          });
        }
      });
      widget.title.label = trans.__('Pipelines');
      sidebar.addSection({
        id: 'pipelines',
        rank: 100,
        widget,
        refresh: async () => (await getModel()).refresh()
      });
    }
  }
};

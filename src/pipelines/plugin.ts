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
import { LazyWidget } from '../shared/lazy';
import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { notifyFinished, registerPipelineCommands } from './commands';
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

    let service: Promise<PipelineService> | null = null;
    const getService = (): Promise<PipelineService> => {
      if (!service) {
        service = Promise.all([
          import('../core/pipelines/service'),
          connection.clients()
        ]).then(
          ([{ PipelineService }, clients]) => new PipelineService(clients)
        );
        service.catch(() => (service = null));
      }
      return service;
    };
    let model: Promise<PipelinesModel> | null = null;
    const getModel = (): Promise<PipelinesModel> => {
      if (!model) {
        model = import('./model').then(({ PipelinesModel }) => {
          const created = new PipelinesModel({
            connection,
            project,
            api: getService
          });
          notifyFinished(app, created, trans);
          return created;
        });
      }
      return model;
    };

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

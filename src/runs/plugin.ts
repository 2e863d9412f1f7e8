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
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { IRunSource } from '../core/runs/types';
import { LazyWidget, once } from '../shared/lazy';
import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { registerRunsCommands } from './commands';
import type { RunsModel } from './model';
import { RUN_SOURCES, enabledSources } from './keys';
import type { RunsTableTab } from './table/RunsTable';

/**
 * Experiment runs: the sidebar section (the project's experiments from SageMaker Experiments and MLflow, and
 * their runs), the runs table and compare tabs, and the notebook's "show runs" command. The model, the views,
 * the AWS SDK and the chart library load on first use.
 */
export const runsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.runs,
  description:
    "The project's experiment runs from SageMaker Experiments and MLflow: runs table, compare with charts.",
  autoStart: true,
  requires: [IMLOpsConnection, IMLOpsProject],
  optional: [
    IMLOpsSidebar,
    ICommandPalette,
    ILayoutRestorer,
    INotebookTracker,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    project: IMLOpsProject,
    sidebar: IMLOpsSidebar | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);

    let sources: IRunSource[] = [...RUN_SOURCES];
    let keyMetrics: string[] = [];
    let modelMade = false;
    const getModel = once<RunsModel>(async () => {
      modelMade = true;
      const [{ RunsModel }, { labProvider }] = await Promise.all([
        import('./model'),
        import('./sources')
      ]);
      return new RunsModel({
        connection,
        project,
        providers: {
          'sagemaker-experiments': labProvider(
            'sagemaker-experiments',
            () => connection.clients(),
            connection.serverSettings
          ),
          mlflow: labProvider(
            'mlflow',
            () => connection.clients(),
            connection.serverSettings
          )
        },
        sources: () => sources,
        keyMetrics: () => keyMetrics
      });
    });

    if (settingRegistry) {
      settingRegistry
        .load(PluginIDs.runs)
        .then(settings => {
          const apply = () => {
            sources = enabledSources(settings.composite.sources);
            const metrics = settings.composite.keyMetrics;
            keyMetrics = Array.isArray(metrics)
              ? metrics.filter((m): m is string => typeof m === 'string')
              : [];
            if (modelMade) {
              void getModel().then(m => m.sourcesChanged());
            }
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error(`${PluginIDs.runs}: settings not loaded`, reason)
        );
    }

    const tables = new WidgetTracker<MainAreaWidget<RunsTableTab>>({
      namespace: 'sagemaker-mlops-runs-table'
    });
    const { openTable } = registerRunsCommands({
      app,
      trans,
      connection,
      project,
      model: getModel,
      tables,
      notebooks,
      palette
    });
    void restorer?.restore(tables, {
      command: CommandIDs.openRunsTable,
      args: widget => {
        const one = widget.content.experiment;
        return one
          ? {
              source: one.source,
              experimentId: one.id,
              experimentName: one.name
            }
          : {};
      },
      name: widget => widget.id
    });

    if (sidebar) {
      const widget = new LazyWidget({
        failed: trans.__('The runs view could not be loaded.'),
        load: async () => {
          const [{ RunsSection }, loaded] = await Promise.all([
            import('./Section'),
            getModel()
          ]);
          return new RunsSection({
            model: loaded,
            translator: translator!,
            actions: {
              openTable: (experiment, runKey) =>
                void openTable(experiment, runKey)
            }
          });
        }
      });
      widget.title.label = trans.__('Runs');
      sidebar.addSection({
        id: 'runs',
        rank: 150,
        widget,
        refresh: async () => (await getModel()).refresh()
      });
    }
  }
};

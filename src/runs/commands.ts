import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { pipelineOfArn } from '../core/arn';
import type { IExperiment, IRun, IRunSource } from '../core/runs/types';
import { mlopsIcon } from '../icons';
import { contextTarget, notifyError } from '../shared/commands';
import { CommandIDs, IMLOpsConnection, IMLOpsProject } from '../tokens';
import type { IKernelRunContext } from './kernel';
import type { RunsModel } from './model';
import { experimentKey, RUN_SOURCES } from './keys';
import type { RunsTableTab } from './table/RunsTable';

export interface IRunsCommandsContext {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  connection: IMLOpsConnection;
  project: IMLOpsProject;
  model: () => Promise<RunsModel>;
  tables: WidgetTracker<MainAreaWidget<RunsTableTab>>;
  notebooks: INotebookTracker | null;
  palette: {
    addItem(options: { command: string; category: string }): void;
  } | null;
}

/** A short stable id of a text (for widget ids). */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** The experiment named by command arguments or by the right-clicked row. */
function experimentOfArgs(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): { key?: string; experiment?: IExperiment; runKey?: string } {
  const source = args.source as IRunSource | undefined;
  const id = args.experimentId as string | undefined;
  if (source && id && RUN_SOURCES.includes(source)) {
    const experiment: IExperiment = {
      id,
      name: (args.experimentName as string | undefined) || id,
      source,
      tags: {}
    };
    return {
      key: experimentKey(experiment),
      experiment,
      runKey: args.runKey as string | undefined
    };
  }
  const target = contextTarget(app, 'experimentKey');
  if (target?.experimentKey) {
    return { key: target.experimentKey, runKey: target.runKey };
  }
  return {};
}

let compareCount = 0;

export function registerRunsCommands(ctx: IRunsCommandsContext): {
  openTable: (experiment?: IExperiment, runKey?: string) => Promise<void>;
  compare: (runs: IRun[]) => Promise<void>;
} {
  const { app, trans } = ctx;

  const openTable = async (
    experiment?: IExperiment,
    runKey?: string
  ): Promise<void> => {
    const key = experiment ? experimentKey(experiment) : 'all';
    const id = `sagemaker-mlops-runs-${hashOf(key)}`;
    const existing = ctx.tables.find(w => w.id === id);
    if (existing) {
      app.shell.activateById(existing.id);
      return;
    }
    const [{ RunsTableModel }, { RunsTableTab }, model, project] =
      await Promise.all([
        import(
          /* webpackChunkName: "sagemaker-mlops-runs-table" */ './table/model'
        ),
        import(
          /* webpackChunkName: "sagemaker-mlops-runs-table" */ './table/RunsTable'
        ),
        ctx.model(),
        ctx.project.resolve()
      ]);
    const table = new RunsTableModel({
      experiments: experiment
        ? async () => [experiment]
        : () => model.allExperiments(),
      provider: source => model.provider(source),
      interval: () => ctx.connection.refreshInterval * 1000,
      highlight: runKey
    });
    const content = new RunsTableTab({
      model: table,
      experiment,
      trans,
      actions: {
        compare: runs => void compare(runs),
        openExecution: executionArn =>
          void app.commands.execute(CommandIDs.openExecution, {
            executionArn,
            pipelineName: pipelineOfArn(executionArn)
          }),
        region: () => ctx.connection.region
      }
    });
    const widget = new MainAreaWidget({ content });
    widget.id = id;
    widget.title.label = experiment
      ? trans.__('Runs · %1', experiment.name)
      : trans.__('Runs · %1', project?.name ?? trans.__('all experiments'));
    widget.title.caption = experiment
      ? trans.__('Runs of the experiment %1', experiment.name)
      : trans.__('Runs of every experiment of the project');
    widget.title.icon = mlopsIcon;
    widget.title.closable = true;
    void ctx.tables.add(widget);
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
  };

  const compare = async (runs: IRun[]): Promise<void> => {
    if (runs.length < 2) {
      Notification.warning(
        trans.__('Select two or more runs in a runs table to compare them.')
      );
      return;
    }
    const [{ CompareModel }, { CompareTab }, model] = await Promise.all([
      import(
        /* webpackChunkName: "sagemaker-mlops-runs-compare" */ './compare/model'
      ),
      import(
        /* webpackChunkName: "sagemaker-mlops-runs-compare" */ './compare/CompareView'
      ),
      ctx.model()
    ]);
    const content = new CompareTab({
      model: new CompareModel({
        runs,
        provider: source => model.provider(source)
      }),
      trans
    });
    const widget = new MainAreaWidget({ content });
    widget.id = `sagemaker-mlops-compare-${++compareCount}`;
    widget.title.label = trans._n(
      'Compare %1 run',
      'Compare %1 runs',
      runs.length
    );
    widget.title.caption = runs.map(r => r.name).join('\n');
    widget.title.icon = mlopsIcon;
    widget.title.closable = true;
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
  };

  app.commands.addCommand(CommandIDs.openRunsTable, {
    label: args =>
      args.experimentId || contextTarget(app, 'experimentKey')
        ? trans.__('Open Runs Table')
        : trans.__('Open Runs Table of the Project'),
    caption: trans.__(
      'Show experiment runs in a table: sort and filter by every metric and parameter, select runs to compare'
    ),
    icon: mlopsIcon,
    execute: async args => {
      try {
        const found = experimentOfArgs(app, args);
        let experiment = found.experiment;
        if (!experiment && found.key) {
          experiment = (await ctx.model()).experiment(found.key);
        }
        await openTable(experiment, found.runKey);
      } catch (error) {
        notifyError(error, trans);
      }
    }
  });

  app.commands.addCommand(CommandIDs.compareRuns, {
    label: trans.__('Compare Selected Runs'),
    caption: trans.__(
      'Compare the runs selected in the runs table: parameters, metrics and charts'
    ),
    icon: mlopsIcon,
    execute: async () => {
      const table = ctx.tables.currentWidget;
      try {
        await compare(table ? table.content.model.selectedRuns() : []);
      } catch (error) {
        notifyError(error, trans);
      }
    }
  });

  app.commands.addCommand(CommandIDs.showNotebookRuns, {
    label: trans.__("Show Runs of This Notebook's Experiment"),
    caption: trans.__(
      "Open the runs of the experiment the notebook's kernel records to (an active MLflow run or SageMaker run), else every run of the project"
    ),
    icon: mlopsIcon,
    execute: async () => {
      try {
        const panel = ctx.notebooks?.currentWidget;
        const kernel = panel?.sessionContext.session?.kernel;
        const { askKernel, experimentOfContext } = await import('./kernel');
        let context: IKernelRunContext | null = null;
        if (kernel) {
          context = await askKernel(kernel);
        }
        const target = await experimentOfContext(await ctx.model(), context);
        if (!target.experiment) {
          Notification.info(
            panel
              ? trans.__(
                  "The notebook's kernel has no active MLflow or SageMaker run: showing every run of the project."
                )
              : trans.__(
                  'No notebook is open: showing every run of the project.'
                ),
            { autoClose: 6000 }
          );
        }
        await openTable(target.experiment, target.runKey);
      } catch (error) {
        notifyError(error, trans);
      }
    }
  });

  for (const command of [
    CommandIDs.openRunsTable,
    CommandIDs.compareRuns,
    CommandIDs.showNotebookRuns
  ]) {
    ctx.palette?.addItem({ command, category: trans.__('SageMaker MLOps') });
  }
  return { openTable, compare };
}

/**
 * What the runs commands do, loaded the first time one runs (JupyterLab's
 * start-up only pays for the commands' names): open a runs table, open a
 * compare tab, show the runs of a notebook's experiment.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { pipelineOfArn } from '../core/arn';
import type { IExperiment, IRun, IRunSource } from '../core/runs/types';
import { mlopsIcon } from '../icons';
import { contextTarget } from '../shared/commands';
import { CommandIDs } from '../tokens';
import type { IRunsCommandsContext } from './commands';
import type { IKernelRunContext } from './kernel';
import { experimentKey, RUN_SOURCES } from './keys';

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

export interface IRunsActions {
  openTable(experiment?: IExperiment, runKey?: string): Promise<void>;
  compare(runs: IRun[]): Promise<void>;
  /** The table of the experiment named by command arguments or the right-clicked row, else of the project. */
  openFromArgs(args: ReadonlyPartialJSONObject): Promise<void>;
  /** The runs of the experiment the current notebook's kernel records to, else every run. */
  showNotebookRuns(): Promise<void>;
}

export function runsActions(ctx: IRunsCommandsContext): IRunsActions {
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

  const openFromArgs = async (args: ReadonlyPartialJSONObject) => {
    const found = experimentOfArgs(app, args);
    let experiment = found.experiment;
    if (!experiment && found.key) {
      experiment = (await ctx.model()).experiment(found.key);
    }
    await openTable(experiment, found.runKey);
  };

  const showNotebookRuns = async () => {
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
          : trans.__('No notebook is open: showing every run of the project.'),
        { autoClose: 6000 }
      );
    }
    await openTable(target.experiment, target.runKey);
  };

  return { openTable, compare, openFromArgs, showNotebookRuns };
}

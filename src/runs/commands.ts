import { JupyterFrontEnd } from '@jupyterlab/application';
import type { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import type { IExperiment, IRun } from '../core/runs/types';
import { mlopsIcon } from '../icons';
import { contextTarget, notifyError } from '../shared/commands';
import { once } from '../shared/lazy';
import { CommandIDs, IMLOpsConnection, IMLOpsProject } from '../tokens';
import type { IRunsActions } from './actions';
import type { RunsModel } from './model';
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

/**
 * The runs commands: their names, captions and palette entries now; what they
 * do (./actions) on first use.
 */
export function registerRunsCommands(ctx: IRunsCommandsContext): {
  openTable: (experiment?: IExperiment, runKey?: string) => Promise<void>;
  compare: (runs: IRun[]) => Promise<void>;
} {
  const { app, trans } = ctx;
  const actions = once<IRunsActions>(() =>
    import('./actions').then(m => m.runsActions(ctx))
  );

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
        await (await actions()).openFromArgs(args);
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
        await (
          await actions()
        ).compare(table ? table.content.model.selectedRuns() : []);
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
        await (await actions()).showNotebookRuns();
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
  return {
    openTable: async (experiment, runKey) =>
      (await actions()).openTable(experiment, runKey),
    compare: async runs => (await actions()).compare(runs)
  };
}

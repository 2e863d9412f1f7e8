import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { FileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import type { PipelineService } from '../core/pipelines/service';
import { canRetry, canStop } from '../core/status';
import { mlopsIcon } from '../icons';
import { contextTarget, lazyActions } from '../shared/commands';
import { CommandIDs, IMLOpsConnection, IMLOpsProject } from '../tokens';
import type { IPipelinesActions } from './actions';
import type { ExecutionTab } from './graph/GraphView';
import type { PipelinesModel } from './model';

export interface IPipelinesCommandContext {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  connection: IMLOpsConnection;
  project: IMLOpsProject;
  palette: ICommandPalette | null;
  /** The default file browser: its selection is the right-clicked definition file. */
  fileBrowser: FileBrowser | null;
  tracker: WidgetTracker<MainAreaWidget<ExecutionTab>>;
  /** The pipelines model and the service, loaded on first use. */
  model: () => Promise<PipelinesModel>;
  service: () => Promise<PipelineService>;
}

/** An execution a command acts on. */
export interface IExecutionTarget {
  arn: string;
  pipelineName: string;
  status?: string;
}

/** The execution named in the command's arguments, else the right-clicked one. */
function executionTarget(
  app: JupyterFrontEnd,
  args: Record<string, unknown>
): Partial<IExecutionTarget> {
  if (typeof args.executionArn === 'string') {
    return {
      arn: args.executionArn,
      pipelineName: String(args.pipelineName ?? ''),
      status: typeof args.status === 'string' ? args.status : undefined
    };
  }
  const data = contextTarget(app, 'executionArn');
  return {
    arn: data?.executionArn,
    pipelineName: data?.pipelineName,
    status: data?.status
  };
}

/**
 * Register every pipeline command, all also in the command palette: their
 * names, captions and enablement now; what they do (./actions) on first use.
 */
export function registerPipelineCommands(ctx: IPipelinesCommandContext): void {
  const { app, trans } = ctx;
  const act = lazyActions<IPipelinesActions>(
    () => import('./actions').then(m => m.pipelinesActions(ctx)),
    trans
  );

  app.commands.addCommand(CommandIDs.runPipeline, {
    label: args =>
      args.pipelineName
        ? trans.__('Run %1…', String(args.pipelineName))
        : trans.__('Run Pipeline…'),
    caption: trans.__(
      'Start an execution of a pipeline of the project, with parameters'
    ),
    icon: mlopsIcon,
    execute: args => {
      const pipelineName =
        (args.pipelineName as string) ||
        contextTarget(app, 'pipelineName')?.pipelineName;
      return act(a => a.run(pipelineName));
    }
  });

  app.commands.addCommand(CommandIDs.stopExecution, {
    label: trans.__('Stop Pipeline Execution'),
    caption: trans.__('Stop a running pipeline execution'),
    isEnabled: args => {
      const { arn, status } = executionTarget(app, args);
      return !arn || !status || canStop(status);
    },
    execute: args => {
      const target = executionTarget(app, args);
      return act(a => a.stop(target));
    }
  });

  app.commands.addCommand(CommandIDs.retryExecution, {
    label: trans.__('Retry Pipeline Execution'),
    caption: trans.__(
      'Retry a failed pipeline execution from its failed steps'
    ),
    isEnabled: args => {
      const { arn, status } = executionTarget(app, args);
      return !arn || !status || canRetry(status);
    },
    execute: args => {
      const target = executionTarget(app, args);
      return act(a => a.retry(target));
    }
  });

  app.commands.addCommand(CommandIDs.openExecution, {
    label: trans.__('Open Pipeline Execution'),
    caption: trans.__(
      'Show a pipeline execution in a tab: its graph with live step status and logs, and its parameters'
    ),
    icon: mlopsIcon,
    execute: args => {
      const target = executionTarget(app, args);
      return act(a => a.open(target));
    }
  });

  app.commands.addCommand(CommandIDs.runAsMyPipeline, {
    label: trans.__('Run as My Pipeline'),
    caption: trans.__(
      'Create or update your own pipeline of the project from this definition file and start it'
    ),
    icon: mlopsIcon,
    execute: args => {
      let path = args.path as string | undefined;
      if (!path) {
        const item = ctx.fileBrowser?.selectedItems().next();
        path = item && !item.done ? item.value.path : undefined;
      }
      if (!path) {
        Notification.warning(
          trans.__(
            'Select a pipeline definition JSON file in the file browser first.'
          )
        );
        return;
      }
      const selected = path;
      return act(a => a.runAsMine(selected));
    }
  });

  for (const command of [
    CommandIDs.runPipeline,
    CommandIDs.stopExecution,
    CommandIDs.retryExecution,
    CommandIDs.openExecution,
    CommandIDs.runAsMyPipeline
  ]) {
    ctx.palette?.addItem({ command, category: trans.__('SageMaker MLOps') });
  }
}

import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { FileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { executionId, lastSegment } from '../core/arn';
import type { PipelineService } from '../core/pipelines/service';
import type { IExecutionSummary } from '../core/pipelines/types';
import { canRetry, canStop } from '../core/status';
import { mlopsIcon } from '../icons';
import { confirm, contextTarget, notifyError, pick } from '../shared/commands';
import { statusLabel } from '../shared/format';
import { CommandIDs, IMLOpsConnection, IMLOpsProject } from '../tokens';
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
interface ITarget {
  arn: string;
  pipelineName: string;
  status?: string;
}

/** The execution named in the command's arguments, else the right-clicked one. */
function executionTarget(
  app: JupyterFrontEnd,
  args: Record<string, unknown>
): Partial<ITarget> {
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

/** Register every pipeline command; all are also in the command palette. */
export function registerPipelineCommands(ctx: IPipelinesCommandContext): void {
  const { app, trans } = ctx;

  const pickPipeline = async (): Promise<string | undefined> => {
    const model = await ctx.model();
    if (!model.loaded) {
      await model.refresh();
    }
    if (!model.pipelines.length) {
      Notification.warning(trans.__('No pipelines found in this project.'));
      return undefined;
    }
    return pick({
      title: trans.__('Choose a pipeline'),
      items: model.pipelines.map(p => p.name),
      label: name => name
    });
  };

  /** Recent executions of the project that allow the action, for the palette. */
  const pickExecution = async (
    allowed: (status: string) => boolean
  ): Promise<ITarget | undefined> => {
    const model = await ctx.model();
    let candidates: IExecutionSummary[];
    try {
      candidates = await model.recentExecutions(allowed);
    } catch (error) {
      notifyError(error, trans, 'ListPipelineExecutions');
      return undefined;
    }
    if (!candidates.length) {
      Notification.info(
        trans.__(
          'No recent execution of this project is in a state that allows this action.'
        )
      );
      return undefined;
    }
    return pick({
      title: trans.__('Choose an execution'),
      items: candidates,
      label: c =>
        trans.__(
          '%1 · %2 (%3)',
          c.pipelineName,
          c.displayName || executionId(c.arn),
          statusLabel(c.status, trans)
        )
    });
  };

  /**
   * The run dialog for a pipeline's current definition, then: watch the new
   * execution, say it started (with Open), refresh the sidebar.
   */
  const runAndWatch = async (
    service: PipelineService,
    pipelineName: string,
    note?: string
  ): Promise<void> => {
    const [definition, { runDialog }] = await Promise.all([
      service.getPipelineDefinition(pipelineName),
      import('./RunForm')
    ]);
    const arn = await runDialog({
      pipelineName,
      specs: definition.parameters,
      trans,
      note,
      start: request =>
        service.startExecution(pipelineName, {
          parameters: Object.entries(request.values).map(([name, value]) => ({
            name,
            value
          })),
          displayName: request.displayName || undefined,
          description: request.description || undefined
        })
    });
    if (!arn) {
      return;
    }
    const model = await ctx.model();
    model.watch(arn, pipelineName);
    Notification.success(trans.__('Started %1.', pipelineName), {
      autoClose: 5000,
      actions: [
        {
          label: trans.__('Open'),
          callback: () =>
            void app.commands.execute(CommandIDs.openExecution, {
              executionArn: arn,
              pipelineName
            })
        }
      ]
    });
    await model.refresh();
  };

  app.commands.addCommand(CommandIDs.runPipeline, {
    label: args =>
      args.pipelineName
        ? trans.__('Run %1…', String(args.pipelineName))
        : trans.__('Run Pipeline…'),
    caption: trans.__(
      'Start an execution of a pipeline of the project, with parameters'
    ),
    icon: mlopsIcon,
    execute: async args => {
      const pipelineName =
        (args.pipelineName as string) ||
        contextTarget(app, 'pipelineName')?.pipelineName ||
        (await pickPipeline());
      if (!pipelineName) {
        return;
      }
      try {
        await runAndWatch(await ctx.service(), pipelineName);
      } catch (error) {
        notifyError(error, trans, 'StartPipelineExecution');
      }
    }
  });

  /** Stop and retry: one shape; the status rule and the wording differ. */
  const addExecutionAction = (options: {
    id: string;
    label: string;
    caption: string;
    allowed: (status: string) => boolean;
    confirm: (target: ITarget) => {
      title: string;
      body: string;
      button: Dialog.IButton;
    };
    act: (service: PipelineService, arn: string) => Promise<void>;
    progress: (target: ITarget) => string;
    operation: string;
  }) => {
    app.commands.addCommand(options.id, {
      label: options.label,
      caption: options.caption,
      isEnabled: args => {
        const { arn, status } = executionTarget(app, args);
        return !arn || !status || options.allowed(status);
      },
      execute: async args => {
        const found = executionTarget(app, args);
        const target: ITarget | undefined = found.arn
          ? {
              arn: found.arn,
              pipelineName: found.pipelineName ?? '',
              status: found.status
            }
          : await pickExecution(options.allowed);
        if (!target || !(await confirm(options.confirm(target)))) {
          return;
        }
        try {
          await options.act(await ctx.service(), target.arn);
          const model = await ctx.model();
          if (target.pipelineName) {
            model.watch(target.arn, target.pipelineName);
          }
          Notification.info(options.progress(target), { autoClose: 4000 });
          await model.refresh();
        } catch (error) {
          notifyError(error, trans, options.operation);
        }
      }
    });
  };

  addExecutionAction({
    id: CommandIDs.stopExecution,
    label: trans.__('Stop Pipeline Execution'),
    caption: trans.__('Stop a running pipeline execution'),
    allowed: canStop,
    confirm: target => ({
      title: trans.__('Stop execution?'),
      body: trans.__(
        'Stop the execution %1 of %2? Running steps are stopped; this cannot be undone.',
        executionId(target.arn),
        target.pipelineName
      ),
      button: Dialog.warnButton({ label: trans.__('Stop') })
    }),
    act: (service, arn) => service.stopExecution(arn),
    progress: target => trans.__('Stopping %1.', executionId(target.arn)),
    operation: 'StopPipelineExecution'
  });

  addExecutionAction({
    id: CommandIDs.retryExecution,
    label: trans.__('Retry Pipeline Execution'),
    caption: trans.__(
      'Retry a failed pipeline execution from its failed steps'
    ),
    allowed: canRetry,
    confirm: target => ({
      title: trans.__('Retry execution?'),
      body: trans.__(
        'Retry the failed execution %1 of %2 from the steps that failed?',
        executionId(target.arn),
        target.pipelineName
      ),
      button: Dialog.okButton({ label: trans.__('Retry') })
    }),
    act: (service, arn) => service.retryExecution(arn),
    progress: target => trans.__('Retrying %1.', executionId(target.arn)),
    operation: 'RetryPipelineExecution'
  });

  app.commands.addCommand(CommandIDs.openExecution, {
    label: trans.__('Open Pipeline Execution'),
    caption: trans.__(
      'Show a pipeline execution in a tab: its graph with live step status and logs, and its parameters'
    ),
    icon: mlopsIcon,
    execute: async args => {
      const found = executionTarget(app, args);
      const target: ITarget | undefined = found.arn
        ? { arn: found.arn, pipelineName: found.pipelineName ?? '' }
        : await pickExecution(() => true);
      if (!target) {
        return;
      }
      const existing = ctx.tracker.find(
        w => w.content.model.executionArn === target.arn
      );
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      // The execution view (and its layout library) is loaded on first use.
      const [{ ExecutionGraphModel }, { ExecutionTab }] = await Promise.all([
        import(/* webpackChunkName: "sagemaker-mlops-graph" */ './graph/model'),
        import(
          /* webpackChunkName: "sagemaker-mlops-graph" */ './graph/GraphView'
        )
      ]);
      const model = new ExecutionGraphModel({
        executionArn: target.arn,
        pipelineName: target.pipelineName,
        connection: ctx.connection,
        service: ctx.service
      });
      const content = new ExecutionTab({ model, trans });
      const widget = new MainAreaWidget({ content });
      widget.id = `sagemaker-mlops-execution-${executionId(target.arn)}`;
      widget.title.label = trans.__(
        '%1 · %2',
        target.pipelineName || lastSegment(target.arn),
        executionId(target.arn)
      );
      widget.title.caption = target.arn;
      widget.title.icon = mlopsIcon;
      widget.title.closable = true;
      void ctx.tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    }
  });

  app.commands.addCommand(CommandIDs.runAsMyPipeline, {
    label: trans.__('Run as My Pipeline'),
    caption: trans.__(
      'Create or update your own pipeline of the project from this definition file and start it'
    ),
    icon: mlopsIcon,
    execute: async args => {
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
      try {
        const [file, project, context, service, model] = await Promise.all([
          app.serviceManager.contents.get(path, {
            content: true,
            format: 'text'
          }),
          ctx.project.resolve(),
          ctx.connection.ensureContext(),
          ctx.service(),
          ctx.model()
        ]);
        if (!project) {
          Notification.warning(
            trans.__('Choose a SageMaker project in the sidebar first.')
          );
          return;
        }
        if (!model.loaded) {
          await model.refresh();
        }
        const user =
          context?.studio?.userProfileName ||
          (context?.callerArn ? lastSegment(context.callerArn) : '') ||
          'user';
        const roleArn = await service.projectRoleArn(project, [
          ...model.pipelines
        ]);
        const { pipelineName, created } = await service.upsertUserPipeline(
          String(file.content),
          { project, user, roleArn }
        );
        await runAndWatch(
          service,
          pipelineName,
          created
            ? trans.__('Created your pipeline %1.', pipelineName)
            : trans.__('Updated your pipeline %1.', pipelineName)
        );
      } catch (error) {
        notifyError(error, trans, 'CreatePipeline');
      }
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

/** Tell the user when an execution started from here ends, with a way to open it. */
export function notifyFinished(
  app: JupyterFrontEnd,
  model: PipelinesModel,
  trans: TranslationBundle
): void {
  model.executionFinished.connect((_, finished) => {
    const open = {
      label: trans.__('Open'),
      callback: () =>
        void app.commands.execute(CommandIDs.openExecution, {
          executionArn: finished.arn,
          pipelineName: finished.pipelineName
        })
    };
    const name = trans.__(
      '%1 (%2)',
      finished.pipelineName,
      executionId(finished.arn)
    );
    if (finished.status === 'Succeeded') {
      Notification.success(trans.__('%1 succeeded.', name), {
        autoClose: 8000,
        actions: [open]
      });
    } else if (finished.status === 'Failed') {
      Notification.error(
        trans.__('%1 failed: %2', name, finished.failureReason ?? ''),
        { autoClose: false, actions: [open] }
      );
    } else {
      Notification.info(
        trans.__('%1 ended: %2.', name, statusLabel(finished.status, trans)),
        { autoClose: 8000, actions: [open] }
      );
    }
  });
}

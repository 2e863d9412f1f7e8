/**
 * What the pipeline commands do: loaded on first use (./commands registers
 * their names at start-up).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { executionId, lastSegment } from '../core/arn';
import type { PipelineService } from '../core/pipelines/service';
import type { IExecutionSummary } from '../core/pipelines/types';
import { canRetry, canStop } from '../core/status';
import { mlopsIcon } from '../icons';
import { confirm, notifyError, pick } from '../shared/commands';
import { statusLabel } from '../shared/format';
import { CommandIDs } from '../tokens';
import type { IExecutionTarget, IPipelinesCommandContext } from './commands';
import type { PipelinesModel } from './model';

export interface IPipelinesActions {
  run(pipelineName: string | undefined): Promise<void>;
  stop(target: Partial<IExecutionTarget>): Promise<void>;
  retry(target: Partial<IExecutionTarget>): Promise<void>;
  open(target: Partial<IExecutionTarget>): Promise<void>;
  runAsMine(path: string): Promise<void>;
}

export function pipelinesActions(
  ctx: IPipelinesCommandContext
): IPipelinesActions {
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

  /** The named execution, else one of the project's recent executions that allow the action. */
  const chooseExecution = async (
    found: Partial<IExecutionTarget>,
    allowed: (status: string) => boolean
  ): Promise<IExecutionTarget | undefined> => {
    if (found.arn) {
      return {
        arn: found.arn,
        pipelineName: found.pipelineName ?? '',
        status: found.status
      };
    }
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

  /** Stop and retry: one shape; the status rule and the wording differ. */
  const executionAction =
    (options: {
      allowed: (status: string) => boolean;
      confirm: (target: IExecutionTarget) => {
        title: string;
        body: string;
        button: Dialog.IButton;
      };
      act: (service: PipelineService, arn: string) => Promise<void>;
      progress: (target: IExecutionTarget) => string;
      operation: string;
    }) =>
    async (found: Partial<IExecutionTarget>): Promise<void> => {
      const target = await chooseExecution(found, options.allowed);
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
    };

  const stop = executionAction({
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

  const retry = executionAction({
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

  const open = async (found: Partial<IExecutionTarget>): Promise<void> => {
    const target = await chooseExecution(
      { arn: found.arn, pipelineName: found.pipelineName },
      () => true
    );
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
  };

  const run = async (pipelineName: string | undefined): Promise<void> => {
    const name = pipelineName || (await pickPipeline());
    if (!name) {
      return;
    }
    try {
      await runAndWatch(await ctx.service(), name);
    } catch (error) {
      notifyError(error, trans, 'StartPipelineExecution');
    }
  };

  const runAsMine = async (path: string): Promise<void> => {
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
  };

  return { run, stop, retry, open, runAsMine };
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

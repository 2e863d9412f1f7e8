import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification,
  WidgetTracker,
  showDialog
} from '@jupyterlab/apputils';
import { FileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { toMLOpsError } from '../core/errors';
import { canRetry, canStop } from '../core/status';
import type { PipelineService } from '../core/pipelines';
import { IParameterSpec } from '../core/types';
import { mlopsIcon } from '../icons';
import { PipelinesModel } from '../models/pipelines';
import { MLOpsSession } from '../models/session';
import { CommandIDs } from '../tokens';
import { describeError } from '../widgets/common/errors';
import {
  IRunRequest,
  RunErrors,
  RunPipelineForm,
  validateRunRequest
} from '../widgets/dialogs/RunPipelineForm';
import type { ExecutionGraphWidget } from '../widgets/graph/ExecutionGraph';

export interface ICommandContext {
  app: JupyterFrontEnd;
  session: MLOpsSession;
  pipelines: PipelinesModel;
  trans: TranslationBundle;
  palette: ICommandPalette | null;
  /** The default file browser: its selection is the right-clicked definition file. */
  fileBrowser: FileBrowser | null;
  tracker: WidgetTracker<MainAreaWidget<ExecutionGraphWidget>>;
}

/** The right-clicked row of the sidebar, if the command was invoked from a context menu. */
function hitData(
  app: JupyterFrontEnd,
  attribute: 'pipelineName' | 'executionArn'
): DOMStringMap | undefined {
  const node = app.contextMenuHitTest(
    n => !!n.dataset && n.dataset[attribute] !== undefined
  );
  return node?.dataset;
}

/** Register every pipeline command; all are also in the command palette. */
export function registerPipelineCommands(ctx: ICommandContext): void {
  const { app, pipelines, trans } = ctx;
  const notifyError = (error: unknown, operation: string) => {
    Notification.error(describeError(toMLOpsError(error, operation), trans), {
      autoClose: false
    });
  };

  const pickPipeline = async (): Promise<string | undefined> => {
    if (!pipelines.loaded) {
      await pipelines.refresh();
    }
    const names = pipelines.pipelines.map(p => p.name);
    if (!names.length) {
      Notification.warning(trans.__('No pipelines found in this project.'));
      return undefined;
    }
    const result = await InputDialog.getItem({
      title: trans.__('Choose a pipeline'),
      items: names
    });
    return result.button.accept ? (result.value ?? undefined) : undefined;
  };

  const pickExecution = async (
    allowed: (status: string) => boolean
  ): Promise<{ arn: string; pipelineName: string } | undefined> => {
    if (!pipelines.loaded) {
      await pipelines.refresh();
    }
    const candidates = pipelines.pipelines
      .filter(p => p.lastExecution && allowed(p.lastExecution.status))
      .map(p => ({
        arn: p.lastExecution!.arn,
        pipelineName: p.name,
        label: `${p.name} — ${p.lastExecution!.arn.split('/').pop()} (${p.lastExecution!.status})`
      }));
    if (!candidates.length) {
      Notification.info(
        trans.__(
          'No execution of this project is in a state that allows this action.'
        )
      );
      return undefined;
    }
    const result = await InputDialog.getItem({
      title: trans.__('Choose an execution'),
      items: candidates.map(c => c.label)
    });
    return result.button.accept
      ? candidates.find(c => c.label === result.value)
      : undefined;
  };

  const executionTarget = (
    args: any
  ): { arn?: string; pipelineName?: string; status?: string } => {
    if (args.executionArn) {
      return {
        arn: args.executionArn,
        pipelineName: args.pipelineName,
        status: args.status
      };
    }
    const data = hitData(app, 'executionArn');
    return {
      arn: data?.executionArn,
      pipelineName: data?.pipelineName,
      status: data?.status
    };
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
    const definition = await service.getPipelineDefinition(pipelineName);
    const arn = await runDialog(
      pipelineName,
      definition.parameters,
      trans,
      request =>
        service.startExecution(pipelineName, {
          parameters: Object.entries(request.values).map(([name, value]) => ({
            name,
            value
          })),
          displayName: request.displayName || undefined,
          description: request.description || undefined
        }),
      note
    );
    if (!arn) {
      return;
    }
    pipelines.watch(arn, pipelineName);
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
    await pipelines.refresh();
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
        hitData(app, 'pipelineName')?.pipelineName ||
        (await pickPipeline());
      if (!pipelineName) {
        return;
      }
      try {
        const service = await pipelines.getService();
        await runAndWatch(service, pipelineName);
      } catch (error) {
        notifyError(error, 'StartPipelineExecution');
      }
    }
  });

  /** Stop and retry: one shape, the status rule and the wording differ (SageMaker's rules in core). */
  const addExecutionAction = (options: {
    id: string;
    label: string;
    caption: string;
    allowed: (status: string) => boolean;
    confirm: (
      executionId: string,
      pipelineName: string
    ) => { title: string; body: string; button: Dialog.IButton };
    act: (service: PipelineService, arn: string) => Promise<void>;
    progress: (executionId: string) => string;
    operation: string;
  }) => {
    app.commands.addCommand(options.id, {
      label: options.label,
      caption: options.caption,
      isEnabled: args => {
        const { arn, status } = executionTarget(args);
        return !arn || !status || options.allowed(status);
      },
      execute: async args => {
        let { arn, pipelineName } = executionTarget(args);
        if (!arn) {
          const picked = await pickExecution(options.allowed);
          arn = picked?.arn;
          pipelineName = picked?.pipelineName;
        }
        if (!arn) {
          return;
        }
        const executionId = arn.split('/').pop() ?? arn;
        const question = options.confirm(executionId, pipelineName ?? '');
        const confirmed = await showDialog({
          title: question.title,
          body: question.body,
          buttons: [Dialog.cancelButton(), question.button]
        });
        if (!confirmed.button.accept) {
          return;
        }
        try {
          await options.act(await pipelines.getService(), arn);
          if (pipelineName) {
            pipelines.watch(arn, pipelineName);
          }
          Notification.info(options.progress(executionId), { autoClose: 4000 });
          await pipelines.refresh();
        } catch (error) {
          notifyError(error, options.operation);
        }
      }
    });
  };

  addExecutionAction({
    id: CommandIDs.stopExecution,
    label: trans.__('Stop Pipeline Execution'),
    caption: trans.__('Stop a running pipeline execution'),
    allowed: canStop,
    confirm: (id, pipelineName) => ({
      title: trans.__('Stop execution?'),
      body: trans.__(
        'Stop the execution %1 of %2? Running steps are stopped; this cannot be undone.',
        id,
        pipelineName
      ),
      button: Dialog.warnButton({ label: trans.__('Stop') })
    }),
    act: (service, arn) => service.stopExecution(arn),
    progress: id => trans.__('Stopping %1.', id),
    operation: 'StopPipelineExecution'
  });

  addExecutionAction({
    id: CommandIDs.retryExecution,
    label: trans.__('Retry Pipeline Execution'),
    caption: trans.__(
      'Retry a failed pipeline execution from its failed steps'
    ),
    allowed: canRetry,
    confirm: (id, pipelineName) => ({
      title: trans.__('Retry execution?'),
      body: trans.__(
        'Retry the failed execution %1 of %2 from the steps that failed?',
        id,
        pipelineName
      ),
      button: Dialog.okButton({ label: trans.__('Retry') })
    }),
    act: (service, arn) => service.retryExecution(arn),
    progress: id => trans.__('Retrying %1.', id),
    operation: 'RetryPipelineExecution'
  });

  app.commands.addCommand(CommandIDs.openExecution, {
    label: trans.__('Open Pipeline Execution Graph'),
    caption: trans.__(
      'Show the graph of a pipeline execution with live step status and logs'
    ),
    icon: mlopsIcon,
    execute: async args => {
      let { arn, pipelineName } = executionTarget(args);
      if (!arn) {
        const picked = await pickExecution(() => true);
        arn = picked?.arn;
        pipelineName = picked?.pipelineName;
      }
      if (!arn) {
        return;
      }
      const existing = ctx.tracker.find(
        w => w.content.model.executionArn === arn
      );
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      // The graph view (and its layout library) is loaded on first use.
      const { ExecutionGraphModel, ExecutionGraphWidget } = await import(
        /* webpackChunkName: "sagemaker-mlops-graph" */ '../widgets/graph/ExecutionGraph'
      );
      const model = new ExecutionGraphModel({
        executionArn: arn,
        pipelineName: pipelineName ?? '',
        pipelines,
        session: ctx.session
      });
      const content = new ExecutionGraphWidget({ model, trans });
      const widget = new MainAreaWidget({ content });
      widget.id = `sagemaker-mlops-execution-${arn.split('/').pop()}`;
      widget.title.label = `${pipelineName ?? ''} · ${arn.split('/').pop()}`;
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
        const browser = ctx.fileBrowser;
        const item = browser?.selectedItems().next();
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
        const file = await app.serviceManager.contents.get(path, {
          content: true,
          format: 'text'
        });
        if (!pipelines.project) {
          await pipelines.refresh();
        }
        const project = pipelines.project;
        if (!project) {
          Notification.warning(
            trans.__('Choose a SageMaker project in the sidebar first.')
          );
          return;
        }
        const context = await ctx.session.ensureContext();
        const user =
          context?.studio?.userProfileName ||
          context?.callerArn?.split('/').pop() ||
          'user';
        const service = await pipelines.getService();
        const roleArn = await service.projectRoleArn(
          project,
          pipelines.pipelines
        );
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
        notifyError(error, 'CreatePipeline');
      }
    }
  });

  pipelines.executionFinished.connect((_, finished) => {
    const open = {
      label: trans.__('Open'),
      callback: () =>
        void app.commands.execute(CommandIDs.openExecution, {
          executionArn: finished.arn,
          pipelineName: finished.pipelineName
        })
    };
    const name = `${finished.pipelineName} (${finished.arn.split('/').pop()})`;
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
      Notification.info(trans.__('%1 ended: %2.', name, finished.status), {
        autoClose: 8000,
        actions: [open]
      });
    }
  });

  if (ctx.palette) {
    for (const command of [
      CommandIDs.runPipeline,
      CommandIDs.stopExecution,
      CommandIDs.retryExecution,
      CommandIDs.openExecution,
      CommandIDs.runAsMyPipeline
    ]) {
      ctx.palette.addItem({ command, category: trans.__('SageMaker MLOps') });
    }
  }
}

/**
 * The "Run pipeline" dialog: typed inputs pre-filled with the definition's
 * defaults; invalid input re-opens the dialog with the errors and the values
 * the user typed, so nothing is lost. Returns the new execution's ARN.
 */
async function runDialog(
  pipelineName: string,
  specs: IParameterSpec[],
  trans: TranslationBundle,
  start: (request: IRunRequest) => Promise<string>,
  note?: string
): Promise<string | undefined> {
  let request: IRunRequest = {
    values: Object.fromEntries(
      specs.map(s => [
        s.name,
        s.defaultValue ?? (s.type === 'Boolean' ? 'false' : '')
      ])
    ),
    displayName: '',
    description: ''
  };
  let errors: RunErrors = {};
  for (;;) {
    const form = new RunPipelineForm({
      specs,
      initial: request,
      errors,
      trans
    });
    const result = await showDialog<IRunRequest>({
      title: note
        ? `${note} ${trans.__('Run %1', pipelineName)}`
        : trans.__('Run %1', pipelineName),
      body: form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: trans.__('Run') })
      ],
      focusNodeSelector: 'input, select'
    });
    if (!result.button.accept || !result.value) {
      return undefined;
    }
    const checked = validateRunRequest(specs, result.value, trans);
    request = checked.request;
    errors = checked.errors;
    if (Object.keys(errors).length === 0) {
      return start(request);
    }
  }
}

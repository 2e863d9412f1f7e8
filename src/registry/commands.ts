import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { executionConsoleUrl } from '../core/deploy/urls';
import type { IDeployGate } from '../core/deploy/types';
import { pipelineOfArn } from '../core/arn';
import type { IModelVersion } from '../core/registry/types';
import { mlopsIcon } from '../icons';
import { contextTarget, notifyError, pick } from '../shared/commands';
import { formatTime } from '../shared/format';
import { CommandIDs, IMLOpsConnection } from '../tokens';
import type { RegistryModel } from './model';

export interface IRegistryCommandContext {
  app: JupyterFrontEnd;
  trans: TranslationBundle;
  connection: IMLOpsConnection;
  palette: ICommandPalette | null;
  /** The registry model, loaded on first use. */
  model: () => Promise<RegistryModel>;
}

/** The version named in the arguments, else the right-clicked version row. */
function versionTarget(
  app: JupyterFrontEnd,
  args: Record<string, unknown>
): string | undefined {
  if (typeof args.versionArn === 'string' && args.versionArn) {
    return args.versionArn;
  }
  return contextTarget(app, 'versionArn')?.versionArn;
}

/** Register the registry's commands; all are in the command palette. */
export function registerRegistryCommands(ctx: IRegistryCommandContext): void {
  const { app, trans } = ctx;
  const dialogs = () =>
    import(
      /* webpackChunkName: "sagemaker-mlops-registry" */ './DecisionDialog'
    );

  /** Open the decision dialog on a version (default: the newest pending one); one dialog at a time. */
  let reviewing = false;
  const review = async (
    intent: 'Approved' | 'Rejected',
    args: Record<string, unknown>
  ) => {
    if (reviewing) {
      return;
    }
    reviewing = true;
    try {
      const [model, { approvalDialog, versionLabel }] = await Promise.all([
        ctx.model(),
        dialogs()
      ]);
      const target = versionTarget(app, args);
      let candidates: IModelVersion[];
      try {
        candidates = await model.pendingVersions();
      } catch (error) {
        notifyError(error, trans, 'ListModelPackages');
        return;
      }
      if (target && !candidates.some(c => c.arn === target)) {
        const detail = await model.describe(target);
        candidates = [detail, ...candidates];
      }
      if (!candidates.length) {
        Notification.info(
          trans.__('No model version of this project waits for approval.'),
          { autoClose: 5000 }
        );
        return;
      }
      const pipeline = await model.deployPipeline().catch(() => undefined);
      const result = await approvalDialog({
        model,
        trans,
        candidates,
        initialArn: target ?? candidates[0].arn,
        intent,
        deployPipeline: pipeline?.name
      });
      if (!result) {
        return;
      }
      const label = versionLabel(result.version, trans);
      const message =
        result.status === 'Approved'
          ? trans.__('Approved %1.', label)
          : trans.__('Rejected %1.', label);
      Notification.success(
        pipeline
          ? trans.__(
              '%1 The deploy pipeline %2 starts; follow it in the Model registry section.',
              message,
              pipeline.name
            )
          : message,
        { autoClose: 6000 }
      );
    } catch (error) {
      notifyError(error, trans, 'DescribeModelPackage');
    } finally {
      reviewing = false;
    }
  };

  app.commands.addCommand(CommandIDs.approveModelVersion, {
    label: trans.__('Approve Model Version…'),
    caption: trans.__(
      'Review a model version and approve or reject it with a comment'
    ),
    icon: mlopsIcon,
    execute: args => review('Approved', args)
  });

  app.commands.addCommand(CommandIDs.rejectModelVersion, {
    label: trans.__('Reject Model Version…'),
    caption: trans.__(
      'Review a model version of the project and reject it with a comment'
    ),
    execute: args => review('Rejected', args)
  });

  app.commands.addCommand(CommandIDs.copyModelVersionArn, {
    label: trans.__('Copy Model Version ARN'),
    caption: trans.__('Copy the ARN of the model version to the clipboard'),
    isEnabled: args => !!versionTarget(app, args),
    execute: args => {
      const arn = versionTarget(app, args);
      if (arn) {
        Clipboard.copyToSystem(arn);
        Notification.info(trans.__('Copied %1', arn), { autoClose: 3000 });
      }
    }
  });

  /** A version for the palette: the right-clicked or named one, else one picked among the pending ones. */
  const chooseVersion = async (
    args: Record<string, unknown>
  ): Promise<string | undefined> => {
    const target = versionTarget(app, args);
    if (target) {
      return target;
    }
    const [model, { versionLabel }] = await Promise.all([
      ctx.model(),
      dialogs()
    ]);
    const pending = await model.pendingVersions();
    if (!pending.length) {
      Notification.info(
        trans.__(
          'No model version of this project waits for approval; right-click a version in the Model registry section.'
        ),
        { autoClose: 5000 }
      );
      return undefined;
    }
    return (
      await pick({
        title: trans.__('Choose a model version'),
        items: pending,
        label: v => versionLabel(v, trans)
      })
    )?.arn;
  };

  app.commands.addCommand(CommandIDs.compareWithApproved, {
    label: trans.__('Compare Model Version with Approved'),
    caption: trans.__(
      "Show a model version's metrics next to the approved version of its group"
    ),
    execute: async args => {
      try {
        const arn = await chooseVersion(args);
        if (!arn) {
          return;
        }
        const [model, { compareDialog }] = await Promise.all([
          ctx.model(),
          dialogs()
        ]);
        await compareDialog({ model, trans, versionArn: arn });
      } catch (error) {
        notifyError(error, trans, 'ListModelPackages');
      }
    }
  });

  app.commands.addCommand(CommandIDs.openProducingExecution, {
    label: trans.__('Open Producing Pipeline Execution'),
    caption: trans.__(
      'Open the pipeline execution that registered the model version'
    ),
    execute: async args => {
      try {
        const arn = await chooseVersion(args);
        if (!arn) {
          return;
        }
        const version = await (await ctx.model()).describe(arn);
        const execution = version.generatedBy;
        if (!execution || !/:pipeline\/[^/]+\/execution\//.test(execution)) {
          Notification.info(
            trans.__(
              'This model version does not name the pipeline execution that registered it.'
            ),
            { autoClose: 5000 }
          );
          return;
        }
        await app.commands.execute(CommandIDs.openExecution, {
          executionArn: execution,
          pipelineName: pipelineOfArn(execution)
        });
      } catch (error) {
        notifyError(error, trans, 'DescribeModelPackage');
      }
    }
  });

  /** The waiting approval named by the arguments (execution id), else one picked among those waiting. */
  const chooseGate = async (
    model: RegistryModel,
    args: Record<string, unknown>
  ): Promise<IDeployGate | undefined> => {
    if (!model.loaded) {
      await model.refresh();
    }
    const gates = model.deploy?.gates ?? [];
    const id =
      typeof args.executionId === 'string' ? args.executionId : undefined;
    if (id) {
      const found = gates.find(
        g =>
          g.executionId === id &&
          (!args.actionName || g.actionName === args.actionName)
      );
      if (!found) {
        Notification.warning(
          trans.__(
            'The deployment %1 no longer waits for approval; the registry was refreshed.',
            id
          ),
          { autoClose: 6000 }
        );
      }
      return found;
    }
    if (!gates.length) {
      Notification.info(
        trans.__(
          "No deployment of this project's deploy pipeline waits for approval."
        ),
        { autoClose: 5000 }
      );
      return undefined;
    }
    return gates.length === 1
      ? gates[0]
      : pick({
          title: trans.__('Choose a waiting deployment'),
          items: gates,
          label: g =>
            trans.__(
              '%1 · %2 since %3',
              g.actionName,
              g.executionId,
              formatTime(g.since)
            )
        });
  };

  const decideGate = async (
    intent: 'approve' | 'reject',
    args: Record<string, unknown>
  ) => {
    try {
      const [model, { gateDialog }] = await Promise.all([
        ctx.model(),
        dialogs()
      ]);
      const gate =
        (args.gate as IDeployGate | undefined) ??
        (await chooseGate(model, args));
      if (!gate) {
        return;
      }
      const result = await gateDialog({ model, trans, gate, intent });
      if (result) {
        Notification.success(
          result.approve
            ? trans.__(
                'Approved %1 of %2: the deployment continues.',
                gate.actionName,
                gate.pipelineName
              )
            : trans.__(
                'Rejected %1 of %2: the deployment stops.',
                gate.actionName,
                gate.pipelineName
              ),
          { autoClose: 6000 }
        );
      }
    } catch (error) {
      notifyError(error, trans, 'PutApprovalResult');
    }
  };

  app.commands.addCommand(CommandIDs.approveDeployment, {
    label: trans.__('Approve Waiting Deployment…'),
    caption: trans.__(
      "Approve, with a comment, a deployment waiting at the deploy pipeline's manual approval"
    ),
    execute: args => decideGate('approve', args)
  });
  app.commands.addCommand(CommandIDs.rejectDeployment, {
    label: trans.__('Reject Waiting Deployment…'),
    caption: trans.__(
      "Reject, with a comment, a deployment waiting at the deploy pipeline's manual approval"
    ),
    execute: args => decideGate('reject', args)
  });

  for (const command of [
    CommandIDs.approveModelVersion,
    CommandIDs.rejectModelVersion,
    CommandIDs.compareWithApproved,
    CommandIDs.openProducingExecution,
    CommandIDs.copyModelVersionArn,
    CommandIDs.approveDeployment,
    CommandIDs.rejectDeployment
  ]) {
    ctx.palette?.addItem({ command, category: trans.__('SageMaker MLOps') });
  }
}

/** Tell the user when the deploy pipeline started after their decision, with a link to it. */
export function notifyDeployStarted(
  model: RegistryModel,
  connection: IMLOpsConnection,
  trans: TranslationBundle
): void {
  model.deployStarted.connect((_, { execution }) => {
    const url = executionConsoleUrl(
      connection.region,
      execution.pipelineName,
      execution.executionId
    );
    Notification.info(
      trans.__(
        'The deploy pipeline %1 started execution %2.',
        execution.pipelineName,
        execution.executionId
      ),
      {
        autoClose: 10000,
        actions: [
          {
            label: trans.__('Open in the AWS console'),
            callback: () => void window.open(url, '_blank', 'noopener')
          }
        ]
      }
    );
  });
}

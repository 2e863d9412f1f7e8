/**
 * What the registry commands do: loaded on first use (./commands registers
 * their names at start-up).
 */
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { pipelineOfArn } from '../core/arn';
import { executionConsoleUrl } from '../core/deploy/urls';
import type { IDeployGate } from '../core/deploy/types';
import type { IModelVersion } from '../core/registry/types';
import { notifyError, pick } from '../shared/commands';
import { formatTime } from '../shared/format';
import { CommandIDs, IMLOpsConnection } from '../tokens';
import type { IRegistryCommandContext } from './commands';
import type { RegistryModel } from './model';

export interface IRegistryActions {
  /** Review a version (default: the newest pending one) and approve or reject it. */
  review(intent: 'Approved' | 'Rejected', versionArn?: string): Promise<void>;
  copyArn(versionArn: string): void;
  compareWithApproved(versionArn?: string): Promise<void>;
  openProducingExecution(versionArn?: string): Promise<void>;
  /** Approve or reject a deployment waiting at the deploy pipeline's manual approval. */
  decideGate(
    intent: 'approve' | 'reject',
    args: Record<string, unknown>
  ): Promise<void>;
}

export function registryActions(
  ctx: IRegistryCommandContext
): IRegistryActions {
  const { app, trans } = ctx;
  const dialogs = () =>
    import(
      /* webpackChunkName: "sagemaker-mlops-registry" */ './DecisionDialog'
    );

  /** Open the decision dialog on a version (default: the newest pending one); one dialog at a time. */
  let reviewing = false;
  const review = async (
    intent: 'Approved' | 'Rejected',
    target?: string
  ): Promise<void> => {
    if (reviewing) {
      return;
    }
    reviewing = true;
    try {
      const [model, { approvalDialog, versionLabel }] = await Promise.all([
        ctx.model(),
        dialogs()
      ]);
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

  /** A version for the palette: the right-clicked or named one, else one picked among the pending ones. */
  const chooseVersion = async (
    target?: string
  ): Promise<string | undefined> => {
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

  const compareWithApproved = async (target?: string): Promise<void> => {
    try {
      const arn = await chooseVersion(target);
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
  };

  const openProducingExecution = async (target?: string): Promise<void> => {
    try {
      const arn = await chooseVersion(target);
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
  };

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
  ): Promise<void> => {
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

  return {
    review,
    copyArn: arn => {
      Clipboard.copyToSystem(arn);
      Notification.info(trans.__('Copied %1', arn), { autoClose: 3000 });
    },
    compareWithApproved,
    openProducingExecution,
    decideGate
  };
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

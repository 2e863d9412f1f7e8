import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { mlopsIcon } from '../icons';
import { contextTarget, lazyActions } from '../shared/commands';
import { CommandIDs, IMLOpsConnection } from '../tokens';
import type { IRegistryActions } from './actions';
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

/**
 * Register the registry's commands, all in the command palette: their names,
 * captions and enablement now; what they do (./actions) on first use.
 */
export function registerRegistryCommands(ctx: IRegistryCommandContext): void {
  const { app, trans } = ctx;
  const act = lazyActions<IRegistryActions>(
    () => import('./actions').then(m => m.registryActions(ctx)),
    trans
  );

  app.commands.addCommand(CommandIDs.approveModelVersion, {
    label: trans.__('Approve Model Version…'),
    caption: trans.__(
      'Review a model version and approve or reject it with a comment'
    ),
    icon: mlopsIcon,
    execute: args => {
      const target = versionTarget(app, args);
      return act(a => a.review('Approved', target));
    }
  });

  app.commands.addCommand(CommandIDs.rejectModelVersion, {
    label: trans.__('Reject Model Version…'),
    caption: trans.__(
      'Review a model version of the project and reject it with a comment'
    ),
    execute: args => {
      const target = versionTarget(app, args);
      return act(a => a.review('Rejected', target));
    }
  });

  app.commands.addCommand(CommandIDs.copyModelVersionArn, {
    label: trans.__('Copy Model Version ARN'),
    caption: trans.__('Copy the ARN of the model version to the clipboard'),
    isEnabled: args => !!versionTarget(app, args),
    execute: args => {
      const target = versionTarget(app, args);
      if (target) {
        return act(a => a.copyArn(target));
      }
    }
  });

  app.commands.addCommand(CommandIDs.compareWithApproved, {
    label: trans.__('Compare Model Version with Approved'),
    caption: trans.__(
      "Show a model version's metrics next to the approved version of its group"
    ),
    execute: args => {
      const target = versionTarget(app, args);
      return act(a => a.compareWithApproved(target));
    }
  });

  app.commands.addCommand(CommandIDs.openProducingExecution, {
    label: trans.__('Open Producing Pipeline Execution'),
    caption: trans.__(
      'Open the pipeline execution that registered the model version'
    ),
    execute: args => {
      const target = versionTarget(app, args);
      return act(a => a.openProducingExecution(target));
    }
  });

  app.commands.addCommand(CommandIDs.approveDeployment, {
    label: trans.__('Approve Waiting Deployment…'),
    caption: trans.__(
      "Approve, with a comment, a deployment waiting at the deploy pipeline's manual approval"
    ),
    execute: args => act(a => a.decideGate('approve', args))
  });
  app.commands.addCommand(CommandIDs.rejectDeployment, {
    label: trans.__('Reject Waiting Deployment…'),
    caption: trans.__(
      "Reject, with a comment, a deployment waiting at the deploy pipeline's manual approval"
    ),
    execute: args => act(a => a.decideGate('reject', args))
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

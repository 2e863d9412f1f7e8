import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { pipelineOfArn } from '../core/arn';
import type { DeployGateService } from '../core/deploy/service';
import type { RegistryService } from '../core/registry/service';
import { LazyWidget, once } from '../shared/lazy';
import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { registerRegistryCommands } from './commands';
import type { RegistryModel } from './model';

/**
 * Model registry: the sidebar section (the project's model package groups and
 * those shared from a hub, their versions and metrics, the deploy pipeline and
 * its waiting approvals), and the approve/reject, compare, copy and
 * deployment-gate commands. The model, the views and the AWS SDK load on first
 * use.
 */
export const registryPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.registry,
  description:
    "The project's model registry: versions, metrics, approvals with a comment, and the deployment gate.",
  autoStart: true,
  requires: [IMLOpsConnection, IMLOpsProject],
  optional: [IMLOpsSidebar, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    project: IMLOpsProject,
    sidebar: IMLOpsSidebar | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);

    const registry = once<RegistryService>(async () => {
      const [{ RegistryService }, clients] = await Promise.all([
        import('../core/registry/service'),
        connection.clients()
      ]);
      return new RegistryService(clients);
    });
    const deploy = once<DeployGateService>(async () => {
      const [{ DeployGateService }, clients] = await Promise.all([
        import('../core/deploy/service'),
        connection.clients()
      ]);
      return new DeployGateService(clients);
    });
    const getModel = once<RegistryModel>(async () => {
      const [
        { RegistryModel },
        { ServerReportReader },
        { notifyDeployStarted }
      ] = await Promise.all([
        import('./model'),
        import('../lab/reports'),
        import('./actions')
      ]);
      const model = new RegistryModel({
        connection,
        project,
        registry,
        deploy,
        reader: new ServerReportReader(connection.serverSettings)
      });
      notifyDeployStarted(model, connection, trans);
      return model;
    });

    registerRegistryCommands({
      app,
      trans,
      connection,
      palette,
      model: getModel
    });

    if (sidebar) {
      const widget = new LazyWidget({
        failed: trans.__('The model registry view could not be loaded.'),
        load: async () => {
          const [{ RegistrySection }, loaded] = await Promise.all([
            import('./Section'),
            getModel()
          ]);
          return new RegistrySection({
            model: loaded,
            translator: translator!,
            region: () => connection.region,
            actions: {
              decide: (versionArn, intent) =>
                void app.commands.execute(
                  intent === 'Approved'
                    ? CommandIDs.approveModelVersion
                    : CommandIDs.rejectModelVersion,
                  { versionArn }
                ),
              compare: versionArn =>
                void app.commands.execute(CommandIDs.compareWithApproved, {
                  versionArn
                }),
              openExecution: executionArn =>
                void app.commands.execute(CommandIDs.openExecution, {
                  executionArn,
                  pipelineName: pipelineOfArn(executionArn)
                }),
              decideGate: (gate, intent) =>
                void app.commands.execute(
                  intent === 'approve'
                    ? CommandIDs.approveDeployment
                    : CommandIDs.rejectDeployment,
                  {
                    executionId: gate.executionId,
                    actionName: gate.actionName
                  }
                )
            }
          });
        }
      });
      widget.title.label = trans.__('Model registry');
      sidebar.addSection({
        id: 'registry',
        rank: 200,
        widget,
        refresh: async () => (await getModel()).refresh()
      });
    }
  }
};

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { editIcon } from '@jupyterlab/ui-components';

import {
  CommandIDs,
  IMLOpsConnection,
  IMLOpsProject,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import type { ConfigEditor } from './ConfigEditor';
import type { IConfigSettings, IOpenArgs } from './open';

/** File names the editor offers to open from the file browser (the server's schemas decide the rest). */
const CONFIG_FILE = /^(model_config\.ya?ml|[A-Za-z0-9_.-]*-config\.json)$/;

/**
 * Shared configuration: `model_config.yaml` (and the stage configs) of the
 * project's CodeCommit repository, edited as a form and as text, validated by
 * the schema the server serves (and checked again by the server on commit),
 * reviewed as a diff and committed on exactly the commit it was read at, with
 * a pull request. Everything but the commands loads on first use.
 */
export const configPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.config,
  description:
    "Edit the project's shared configuration with validation, and commit it to CodeCommit with a pull request.",
  autoStart: true,
  requires: [IMLOpsConnection, IMLOpsProject, IEditorServices],
  optional: [
    ISettingRegistry,
    IDefaultFileBrowser,
    ICommandPalette,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    project: IMLOpsProject,
    editorServices: IEditorServices,
    settingRegistry: ISettingRegistry | null,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    const settings: IConfigSettings = {
      repository: '',
      branch: 'dev',
      pullRequestTarget: 'main',
      path: 'model_config.yaml'
    };
    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.config)
        .then(loaded => {
          const read = () =>
            Object.assign(settings, loaded.composite as object);
          read();
          loaded.changed.connect(read);
        })
        .catch(reason =>
          console.warn('sagemaker-mlops: config settings not loaded', reason)
        );
    }
    const tracker = new WidgetTracker<MainAreaWidget<ConfigEditor>>({
      namespace: 'sagemaker-mlops-config'
    });

    // Everything but the commands' names loads on first use.
    const open = async (args: IOpenArgs) => {
      const { openConfigTab } = await import('./open');
      await openConfigTab(
        {
          app,
          connection,
          project,
          editorServices,
          translator: translator!,
          trans,
          tracker,
          settings
        },
        args
      );
    };

    app.commands.addCommand(CommandIDs.editSharedConfig, {
      label: args =>
        args.path
          ? trans.__('Edit Shared Configuration: %1', String(args.path))
          : trans.__('Edit Shared Configuration (model_config.yaml)'),
      caption: trans.__(
        "Edit the project's shared configuration with validation, and commit it to CodeCommit"
      ),
      icon: args => (args.toolbar ? editIcon : undefined),
      execute: args =>
        open({
          path: args.path as string | undefined,
          branch: args.branch as string | undefined,
          repository: args.repository as string | undefined
        })
    });

    const selectedFile = (): string | null => {
      const item = fileBrowser?.selectedItems().next();
      return item && !item.done && item.value.type !== 'directory'
        ? item.value.path
        : null;
    };
    app.commands.addCommand(CommandIDs.editSharedConfigFile, {
      label: trans.__('Edit Shared Configuration'),
      caption: trans.__(
        "Edit this clone's configuration file with the schema's validation; commit it to the project's repository"
      ),
      icon: editIcon,
      isVisible: args => {
        const path = (args.path as string | undefined) ?? selectedFile();
        return !!path && CONFIG_FILE.test(path.split('/').pop() ?? '');
      },
      execute: args => {
        const localPath = (args.path as string | undefined) ?? selectedFile();
        if (!localPath) {
          Notification.warning(
            trans.__('Select model_config.yaml in the file browser first.')
          );
          return;
        }
        return open({
          localPath,
          // The file's path in the repository: its name, where the platform keeps it.
          path: localPath.split('/').pop()
        });
      }
    });

    if (palette) {
      const category = trans.__('SageMaker MLOps');
      palette.addItem({ command: CommandIDs.editSharedConfig, category });
      for (const path of ['staging-config.json', 'prod-config.json']) {
        palette.addItem({
          command: CommandIDs.editSharedConfig,
          category,
          args: { path }
        });
      }
    }
  }
};

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
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { downloadIcon } from '@jupyterlab/ui-components';

import {
  CommandIDs,
  IMLOpsConnection,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import type { PackagesPanel } from './PackagesPanel';

/**
 * Packages: install from the platform's curated CodeArtifact index into the
 * kernel of the current notebook, through the server (which alone holds the
 * CodeArtifact token and runs the installer). A command in the palette and on
 * the notebook toolbar opens a tab for the notebook.
 */
export const packagesPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.packages,
  description:
    "Install packages from the platform's curated CodeArtifact index into a notebook's kernel.",
  autoStart: true,
  requires: [IMLOpsConnection],
  optional: [INotebookTracker, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    connection: IMLOpsConnection,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const tracker = new WidgetTracker<MainAreaWidget<PackagesPanel>>({
      namespace: 'sagemaker-mlops-packages'
    });

    const open = async (notebook: NotebookPanel) => {
      const existing = tracker.find(w => w.id === tabId(notebook));
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      const [{ PackagesPanel }, { PackagesApi }] = await Promise.all([
        import('./PackagesPanel'),
        import('./api')
      ]);
      const name = notebook.context.localPath.split('/').pop() ?? '';
      const content = new PackagesPanel({
        api: new PackagesApi(connection.serverSettings),
        trans,
        notebook: name,
        kernelId: async () => {
          await notebook.sessionContext.ready;
          return notebook.sessionContext.session?.kernel?.id;
        },
        restartKernel: async () => {
          await notebook.sessionContext.ready;
          await notebook.sessionContext.session?.kernel?.restart();
          Notification.info(trans.__('The kernel of %1 restarted.', name), {
            autoClose: 4000
          });
        }
      });
      const widget = new MainAreaWidget({ content });
      widget.id = tabId(notebook);
      widget.title.label = trans.__('Packages · %1', name);
      widget.title.caption = trans.__(
        'Install packages into the kernel of %1',
        notebook.context.localPath
      );
      widget.title.icon = downloadIcon;
      widget.title.closable = true;
      notebook.disposed.connect(() => widget.dispose());
      void tracker.add(widget);
      app.shell.add(widget, 'main', { mode: 'split-right', ref: notebook.id });
      app.shell.activateById(widget.id);
    };

    app.commands.addCommand(CommandIDs.installPackages, {
      label: trans.__('Install Packages…'),
      caption: trans.__(
        "Install packages from the platform's curated index into this notebook's kernel"
      ),
      icon: downloadIcon,
      execute: async () => {
        const notebook = notebooks?.currentWidget;
        if (!notebook) {
          Notification.warning(
            trans.__(
              'Open a notebook first: packages are installed into its kernel.'
            )
          );
          return;
        }
        await open(notebook);
      }
    });
    palette?.addItem({
      command: CommandIDs.installPackages,
      category: trans.__('SageMaker MLOps')
    });
  }
};

function tabId(notebook: NotebookPanel): string {
  return `sagemaker-mlops-packages-${notebook.id}`;
}

import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { mlopsIcon } from '../icons';
import {
  CommandIDs,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { MLOpsSidebar } from './widget';

/** The sidebar every capability adds its section to, and its Open and Refresh commands. */
export const sidebarPlugin: JupyterFrontEndPlugin<IMLOpsSidebar> = {
  id: PluginIDs.sidebar,
  description:
    'The SageMaker MLOps sidebar, to which each capability adds its section.',
  autoStart: true,
  provides: IMLOpsSidebar,
  optional: [ILabShell, ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IMLOpsSidebar => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    const sidebar = new MLOpsSidebar({ translator });
    app.shell.add(sidebar, 'left', { rank: 650 });
    restorer?.add(sidebar, sidebar.id);

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Open SageMaker MLOps Sidebar'),
      caption: trans.__('Show the SageMaker MLOps panel in the left sidebar'),
      icon: mlopsIcon,
      execute: () => (labShell ?? app.shell).activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh SageMaker MLOps'),
      caption: trans.__('Reload the AWS identity and what the sidebar shows'),
      execute: () => sidebar.refresh()
    });
    for (const command of [CommandIDs.openSidebar, CommandIDs.refresh]) {
      palette?.addItem({ command, category: trans.__('SageMaker MLOps') });
    }
    return {
      addSection: section => sidebar.addSection(section),
      refresh: () => sidebar.refresh(),
      activate: () => (labShell ?? app.shell).activateById(sidebar.id),
      get isVisible() {
        return sidebar.isVisible;
      }
    };
  }
};

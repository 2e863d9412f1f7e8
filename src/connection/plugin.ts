import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { LazyWidget } from '../shared/lazy';
import {
  IMLOpsConnection,
  IMLOpsSidebar,
  PluginIDs,
  TRANSLATION_DOMAIN
} from '../tokens';
import { MLOpsConnection } from './model';

/** The connection to AWS through the server, and the identity it acts as (a sidebar header section). */
export const connectionPlugin: JupyterFrontEndPlugin<IMLOpsConnection> = {
  id: PluginIDs.connection,
  description:
    'The connection to AWS through the Jupyter server: identity, region, clients, refresh interval.',
  autoStart: true,
  provides: IMLOpsConnection,
  optional: [ISettingRegistry, IMLOpsSidebar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    sidebar: IMLOpsSidebar | null,
    translator: ITranslator | null
  ): IMLOpsConnection => {
    translator = translator ?? nullTranslator;
    const trans = translator.load(TRANSLATION_DOMAIN);
    const connection = new MLOpsConnection({
      serverSettings: app.serviceManager.serverSettings
    });
    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.connection)
        .then(settings => {
          const apply = () =>
            connection.setRefreshInterval(
              settings.composite.refreshInterval as number
            );
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error(`${PluginIDs.connection}: settings not loaded`, reason)
        );
    }
    if (sidebar) {
      const widget = new LazyWidget({
        failed: trans.__('The identity view could not be loaded.'),
        load: async () => {
          const { IdentityWidget } = await import('./IdentitySection');
          return new IdentityWidget({ connection, translator: translator! });
        }
      });
      widget.title.label = trans.__('AWS identity');
      sidebar.addSection({
        id: 'identity',
        rank: 10,
        area: 'header',
        widget,
        refresh: async () => {
          await connection.refresh();
        }
      });
    }
    return connection;
  }
};

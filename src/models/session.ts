import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { requestAPI } from '../aws/server';
import type { IAwsClients } from '../core/clients';
import { MLOpsError, toMLOpsError } from '../core/errors';
import {
  DEFAULT_SETTINGS,
  IMLOpsSession,
  IMLOpsSettings,
  IServerContext
} from '../tokens';

/**
 * Session state shared by the plugins: the server context (identity, region,
 * Studio metadata), the settings, and the AWS clients, built on first use so
 * the AWS SDK chunk is only fetched when the sidebar is first shown.
 */
export class MLOpsSession implements IMLOpsSession {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this._serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  get context(): IServerContext | null {
    return this._context;
  }

  get settings(): IMLOpsSettings {
    return this._settings;
  }

  /** The last error of loading the context, cleared by a successful load. */
  get error(): MLOpsError | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The region in force: the setting if set, else the server's. */
  get region(): string {
    return this._settings.region || this._context?.region || '';
  }

  updateSettings(settings: Partial<IMLOpsSettings>): void {
    const next = { ...this._settings, ...settings };
    if (next.region !== this._settings.region) {
      this._clients = null;
    }
    this._settings = next;
    this._changed.emit();
  }

  /** Load the server context once; later calls return the same promise until `refresh()`. */
  ensureContext(): Promise<IServerContext | null> {
    if (!this._contextPromise) {
      this._contextPromise = this.refresh();
    }
    return this._contextPromise;
  }

  /** Reload the server context. Keeps what was shown if the reload fails. */
  async refresh(): Promise<IServerContext | null> {
    this._loading = true;
    this._changed.emit();
    try {
      this._context = await requestAPI<IServerContext>(
        'context',
        {},
        this._serverSettings
      );
      this._error = null;
    } catch (error) {
      this._error = toMLOpsError(error, 'GetContext');
    } finally {
      this._loading = false;
      this._changed.emit();
    }
    this._contextPromise = Promise.resolve(this._context);
    return this._context;
  }

  /**
   * The AWS clients, pointed at the server proxy. The first call loads the
   * AWS SDK chunk (a dynamic import) and the server context.
   */
  async clients(): Promise<IAwsClients> {
    if (!this._clients) {
      this._clients = (async () => {
        const [{ createProxiedClients }] = await Promise.all([
          import(
            /* webpackChunkName: "sagemaker-mlops-aws" */ '../aws/clients'
          ),
          this.ensureContext()
        ]);
        if (!this.region) {
          throw new MLOpsError({
            code: 'NoRegion',
            message:
              'No AWS region is known: set one in the settings of SageMaker MLOps.',
            kind: 'validation'
          });
        }
        return createProxiedClients(this.region, this._serverSettings);
      })();
      this._clients.catch(() => {
        this._clients = null;
      });
    }
    return this._clients;
  }

  /** The lazily loaded AWS SDK chunk: clients and the core services built on them. */
  sdk(): Promise<typeof import('../aws/sdk')> {
    if (!this._sdk) {
      this._sdk = import(
        /* webpackChunkName: "sagemaker-mlops-aws" */ '../aws/sdk'
      );
      this._sdk.catch(() => {
        this._sdk = null;
      });
    }
    return this._sdk;
  }

  private _sdk: Promise<typeof import('../aws/sdk')> | null = null;
  private _serverSettings: ServerConnection.ISettings;
  private _settings: IMLOpsSettings = { ...DEFAULT_SETTINGS };
  private _context: IServerContext | null = null;
  private _contextPromise: Promise<IServerContext | null> | null = null;
  private _error: MLOpsError | null = null;
  private _loading = false;
  private _clients: Promise<IAwsClients> | null = null;
  private _changed = new Signal<this, void>(this);
}

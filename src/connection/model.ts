import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { IAwsClients } from '../core/aws';
import { MLOpsError, toMLOpsError } from '../core/errors';
import { requestAPI } from '../lab/server';
import { IMLOpsConnection, IServerContext } from '../tokens';

/** The default of the `refreshInterval` setting, in seconds. */
export const DEFAULT_REFRESH_INTERVAL = 30;

/**
 * The connection to AWS through the Jupyter server. The AWS SDK is reached
 * only through the dynamic import in `clients()`, so JupyterLab's start-up
 * never pays for it.
 */
export class MLOpsConnection implements IMLOpsConnection {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly serverSettings: ServerConnection.ISettings;

  get context(): IServerContext | null {
    return this._context;
  }

  get region(): string {
    return this._context?.region ?? '';
  }

  get refreshInterval(): number {
    return this._refreshInterval;
  }

  get error(): MLOpsError | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  setRefreshInterval(seconds: number): void {
    const value = Math.max(5, Math.round(seconds || DEFAULT_REFRESH_INTERVAL));
    if (value !== this._refreshInterval) {
      this._refreshInterval = value;
      this._changed.emit();
    }
  }

  ensureContext(): Promise<IServerContext | null> {
    if (!this._contextPromise) {
      this._contextPromise = this.refresh();
    }
    return this._contextPromise;
  }

  refresh(): Promise<IServerContext | null> {
    this._contextPromise = this._load();
    return this._contextPromise;
  }

  clients(): Promise<IAwsClients> {
    if (!this._clients) {
      const clients = (async () => {
        const [{ createProxiedClients }, context] = await Promise.all([
          import(
            /* webpackChunkName: "sagemaker-mlops-aws" */ '../lab/clients'
          ),
          this.ensureContext()
        ]);
        if (!context?.region) {
          throw (
            this._error ??
            new MLOpsError({
              code: 'NoRegion',
              message: 'The Jupyter server reported no AWS region.',
              kind: 'validation'
            })
          );
        }
        return createProxiedClients(context.region, this.serverSettings);
      })();
      this._clients = clients;
      clients.catch(() => {
        if (this._clients === clients) {
          this._clients = null;
        }
      });
    }
    return this._clients;
  }

  private async _load(): Promise<IServerContext | null> {
    this._loading = true;
    this._changed.emit();
    try {
      this._context = await requestAPI<IServerContext>(
        'context',
        {},
        this.serverSettings
      );
      this._error = null;
    } catch (error) {
      this._error = toMLOpsError(error, 'GetContext');
    } finally {
      this._loading = false;
      this._changed.emit();
    }
    return this._context;
  }

  private _context: IServerContext | null = null;
  private _contextPromise: Promise<IServerContext | null> | null = null;
  private _error: MLOpsError | null = null;
  private _loading = false;
  private _refreshInterval = DEFAULT_REFRESH_INTERVAL;
  private _clients: Promise<IAwsClients> | null = null;
  private _changed = new Signal<this, void>(this);
}

/**
 * The packages routes of the extension's server (`<prefix>/packages/...`):
 * the kernel's environment, the curated index, the plan of an install and the
 * install jobs. The CodeArtifact token never reaches the browser: the server
 * holds it and runs the installer.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../lab/server';

export interface IInstalled {
  name: string;
  version: string;
}

export interface IEnvironment {
  kernelId: string;
  interpreter: string;
  pythonVersion: string;
  installer: 'uv' | 'pip';
  /** The kernel runs in the Jupyter server's own environment. */
  isServerEnvironment: boolean;
  installed: IInstalled[];
}

export interface IIndexPackage {
  name: string;
  /** Newest first. */
  versions: string[];
  latest: string | null;
}

export interface IChange {
  name: string;
  from: string;
  to: string;
}

export interface IPlan {
  install: IInstalled[];
  upgrade: IChange[];
  downgrade: IChange[];
  /** Requested packages (or versions) the curated index does not hold. */
  notInIndex: string[];
  warnings: string[];
}

export type JobState =
  'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface IJob {
  id: string;
  kernelId?: string;
  state: JobState;
  lines: string[];
  /** The line number to ask from next time. */
  next: number;
  installed: IInstalled[];
  error: { code: string; message: string } | null;
}

export function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

export class PackagesApi {
  constructor(settings?: ServerConnection.ISettings) {
    this._settings = settings;
  }

  environment(kernel: string): Promise<IEnvironment> {
    return this._get(`packages/environment?${query({ kernel })}`);
  }

  async search(prefix: string): Promise<IIndexPackage[]> {
    return (
      await this._get<{ packages: IIndexPackage[] }>(
        `packages/search?${query({ q: prefix })}`
      )
    ).packages;
  }

  plan(kernel: string, requirements: string[]): Promise<IPlan> {
    return this._post('packages/plan', { kernel, requirements });
  }

  install(
    kernel: string,
    requirements: string[],
    confirmChanges: boolean
  ): Promise<Pick<IJob, 'id' | 'state'>> {
    return this._post('packages/jobs', {
      kernel,
      requirements,
      confirmChanges
    });
  }

  job(id: string, since = 0): Promise<IJob> {
    return this._get(
      `packages/jobs/${encodeURIComponent(id)}?${query({ since: String(since) })}`
    );
  }

  cancel(id: string): Promise<IJob> {
    return requestAPI<IJob>(
      `packages/jobs/${encodeURIComponent(id)}`,
      { method: 'DELETE' },
      this._settings
    );
  }

  private _get<T>(path: string): Promise<T> {
    return requestAPI<T>(path, { method: 'GET' }, this._settings);
  }

  private _post<T>(path: string, body: unknown): Promise<T> {
    return requestAPI<T>(
      path,
      { method: 'POST', body: JSON.stringify(body) },
      this._settings
    );
  }

  private _settings?: ServerConnection.ISettings;
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../core/errors';
import type { IProject } from '../core/types';
import { IMLOpsConnection, IMLOpsProject } from '../tokens';
import { IPollView, VisibilityPoll } from './poll';

/**
 * What every model of a project's resources shares (pipelines, registry, runs): one visibility-aware poll at
 * the refresh interval, the project resolved before each refresh, what is shown dropped when the project
 * changes (and loaded again at once if a view was ever shown), the data kept on an error, throttling shown as
 * a quiet warning rather than an error, and a `changed` signal.
 *
 * A subclass implements `load(project)` (read what it shows; return `false` when the project changed meanwhile)
 * and `clear()` (forget the project's data), and may say in `isActive()` that something moves (the poll then
 * ticks at the interval rather than the idle one).
 */
export abstract class ProjectScopedModel implements IDisposable {
  constructor(options: ProjectScopedModel.IOptions) {
    this.connection = options.connection;
    this.project = options.project;
    this._operation = options.operation;
    this.poll = new VisibilityPoll({
      name: options.name,
      factory: () => this._refresh(),
      interval: () => this.connection.refreshInterval * 1000,
      idleFactor: options.idleFactor
    });
    this.connection.changed.connect(this._onSettings, this);
    this.project.changed.connect(this._onProject, this);
  }

  /** The poll behind the views: each view registers with `addView()`. */
  readonly poll: VisibilityPoll;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** The project what is shown belongs to, once a refresh resolved it. */
  get projectShown(): IProject | null {
    return this._shown;
  }
  /** A refresh is under way. */
  get loading(): boolean {
    return this._loading;
  }
  /** The project's data arrived at least once. */
  get loaded(): boolean {
    return this._loaded;
  }
  /** A blocking error (access denied, network down...); data already shown stays. */
  get error(): MLOpsError | null {
    return this._error;
  }
  /** A quiet warning (throttled after retries). */
  get warning(): MLOpsError | null {
    return this._warning;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** A view of this model (a section, a tab); the poll runs while one is visible. */
  addView(): IPollView {
    return this.poll.addView();
  }

  /** Refresh now (the refresh button, after an action); resolves when done. */
  refresh(): Promise<void> {
    return this.poll.refresh();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.poll.dispose();
    this.clear();
    Signal.clearData(this);
  }

  /** Read what the model shows of `project`; `false` when the project changed meanwhile (nothing taken). */
  protected abstract load(project: IProject): Promise<boolean | void>;

  /** Forget everything of the project shown (the project changed, or the model goes). */
  protected abstract clear(): void;

  /** Something moves (a running execution, a waiting approval): poll at the interval, not the idle one. */
  protected isActive(): boolean {
    return false;
  }

  /** Called first in each refresh, before the project is resolved. */
  protected beforeRefresh(): void {
    // nothing by default
  }

  /** Whether `project` is still the current project (a load that took a while checks before taking its data). */
  protected isCurrent(project: IProject): boolean {
    return sameProject(project, this.project.project);
  }

  /** Mark the project's data as loaded (the first part of a refresh arrived) and tell the views. */
  protected markLoaded(): void {
    this._loaded = true;
    this.emit();
  }

  protected emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  protected readonly connection: IMLOpsConnection;
  protected readonly project: IMLOpsProject;

  private _onSettings(): void {
    this.poll.updateInterval();
  }

  /** Another project: what is shown goes, and the new one loads if the poll ever ran. */
  private _onProject(): void {
    const project = this.project.project;
    if (!project || sameProject(project, this._shown) || this._resolving) {
      // Nothing new, or the refresh under way is resolving it and loads it next.
      return;
    }
    this._reset();
    if (this.poll.isStarted) {
      void this.refresh();
    }
  }

  private _reset(): void {
    this._shown = null;
    this.clear();
    this._loaded = false;
    this._error = null;
    this.emit();
  }

  private async _refresh(): Promise<void> {
    this.beforeRefresh();
    this._loading = true;
    this.emit();
    try {
      this._resolving = true;
      const project = await this.project.resolve().finally(() => {
        this._resolving = false;
      });
      if (!project) {
        this._error = null;
        return;
      }
      if (!sameProject(project, this._shown)) {
        this._reset();
        this._shown = project;
      }
      if ((await this.load(project)) === false) {
        return; // the project changed meanwhile: its own refresh follows
      }
      this._error = null;
      this._warning = null;
    } catch (error) {
      const e = toMLOpsError(error, this._operation);
      if (e.kind === 'throttling') {
        this._warning = e;
      } else {
        this._error = e;
      }
      throw e;
    } finally {
      this._loading = false;
      if (!this._disposed) {
        this.poll.setActive(this.isActive());
      }
      this.emit();
    }
  }

  private _operation: string;
  private _shown: IProject | null = null;
  private _resolving = false;
  private _loading = false;
  private _loaded = false;
  private _error: MLOpsError | null = null;
  private _warning: MLOpsError | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace ProjectScopedModel {
  export interface IOptions {
    connection: IMLOpsConnection;
    project: IMLOpsProject;
    /** The poll's name (shows in debugging). */
    name: string;
    /** The AWS operation a failed refresh is reported under when the error names none. */
    operation: string;
    /** How many times longer the poll waits while nothing is active (default 4). */
    idleFactor?: number;
  }
}

export function sameProject(a: IProject | null, b: IProject | null): boolean {
  return !!a && !!b && a.name === b.name && a.id === b.id;
}

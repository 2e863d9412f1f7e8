import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../core/errors';
import type { PipelineService } from '../core/pipelines';
import {
  IExecution,
  IExecutionSummary,
  IPipeline,
  IProject,
  IStep,
  PipelineExecutionStatus
} from '../core/types';
import { MLOpsSession } from './session';

/** Executions still moving: polled at the refresh interval. */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set([
  'Executing',
  'Stopping'
]);
const EXECUTIONS_PAGE = 20;

/** Where the sidebar is in finding the project. */
export type ProjectState = 'resolving' | 'resolved' | 'choose';

/** The executions shown under an expanded pipeline. */
export interface IExecutionList {
  items: IExecutionSummary[];
  nextToken?: string;
  status?: PipelineExecutionStatus;
  loading: boolean;
  error: MLOpsError | null;
}

/** The detail of an expanded execution. */
export interface IExecutionDetail {
  execution?: IExecution;
  steps: IStep[];
  loading: boolean;
  error: MLOpsError | null;
}

/** An execution that finished while the extension was watching it. */
export interface IFinishedExecution {
  arn: string;
  pipelineName: string;
  status: PipelineExecutionStatus;
  failureReason?: string;
}

/**
 * The Pipelines section's state: the project, its pipelines, the executions
 * and steps the user expanded. One `Poll` refreshes what is shown, only while
 * the sidebar (or an execution tab) is visible; it backs off when nothing is
 * running and on errors.
 */
export class PipelinesModel {
  constructor(options: {
    session: MLOpsSession;
    rememberProject: (name: string) => Promise<void>;
  }) {
    this._session = options.session;
    this._rememberProject = options.rememberProject;
    this._poll = new Poll({
      auto: false,
      factory: () => this._refresh(),
      frequency: {
        interval: this._intervalMs(false),
        backoff: true,
        max: this._intervalMs(false) * 8
      },
      name: 'sagemaker-mlops:pipelines',
      standby: () => (this._visibleViews > 0 ? 'when-hidden' : true)
    });
    this._session.changed.connect(this._onSessionChanged, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Emitted once for each watched execution that reaches a final status. */
  get executionFinished(): ISignal<this, IFinishedExecution> {
    return this._executionFinished;
  }
  get project(): IProject | null {
    return this._project;
  }
  get projectState(): ProjectState {
    return this._projectState;
  }
  get projects(): IProject[] {
    return this._projects;
  }
  get pipelines(): IPipeline[] {
    return this._pipelines;
  }
  get loading(): boolean {
    return this._loading;
  }
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
  get lastRefreshed(): Date | null {
    return this._lastRefreshed;
  }
  /** AWS requests issued by the last refresh (for the benchmark and the status line). */
  get lastRequestCount(): number {
    return this._lastRequestCount;
  }
  get service(): PipelineService | null {
    return this._service;
  }

  executions(pipelineName: string): IExecutionList | undefined {
    return this._executions.get(pipelineName);
  }
  detail(executionArn: string): IExecutionDetail | undefined {
    return this._details.get(executionArn);
  }
  isExpanded(key: string): boolean {
    return this._executions.has(key) || this._details.has(key);
  }

  /** A view (the sidebar, an execution tab) became visible or hidden. */
  setVisible(visible: boolean): void {
    this._visibleViews = Math.max(0, this._visibleViews + (visible ? 1 : -1));
    if (visible) {
      if (!this._started) {
        this._started = true;
        void this._poll.start();
      } else if (this._stale()) {
        void this._poll.refresh();
      }
    }
  }

  /** Refresh now (the refresh button, after an action). */
  async refresh(): Promise<void> {
    if (!this._started) {
      this._started = true;
      await this._poll.start();
      return;
    }
    await this._poll.refresh();
    await this._poll.tick;
  }

  /** The AWS service, built on first use (loads the AWS SDK chunk). */
  async getService(): Promise<PipelineService> {
    if (!this._service) {
      const [{ PipelineService }, clients] = await Promise.all([
        this._session.sdk(),
        this._session.clients()
      ]);
      this._service = new PipelineService(clients);
    }
    return this._service;
  }

  /** Load the project list for the picker (ListProjects, first page). */
  async loadProjects(): Promise<void> {
    try {
      const [{ listProjects }, clients] = await Promise.all([
        this._session.sdk(),
        this._session.clients()
      ]);
      this._projects = (await listProjects(clients)).items;
    } catch (error) {
      this._fail(error, 'ListProjects');
    }
    this._emit();
  }

  async chooseProject(name: string): Promise<void> {
    this._projectState = 'resolving';
    this._pipelines = [];
    this._executions.clear();
    this._details.clear();
    this._project = null;
    this._emit();
    await this._rememberProject(name);
    // A changed setting refreshes through `_onSessionChanged`; the same name again does not.
    if (this._started) {
      void this._poll.refresh();
    }
  }

  async toggleExecutions(pipelineName: string): Promise<void> {
    if (this._executions.has(pipelineName)) {
      this._executions.delete(pipelineName);
      this._emit();
      return;
    }
    this._executions.set(pipelineName, {
      items: [],
      loading: true,
      error: null
    });
    this._emit();
    await this._loadExecutions(pipelineName, false);
  }

  async setStatusFilter(
    pipelineName: string,
    status: PipelineExecutionStatus | undefined
  ): Promise<void> {
    const list = this._executions.get(pipelineName);
    if (!list) {
      return;
    }
    this._executions.set(pipelineName, {
      items: [],
      status,
      loading: true,
      error: null
    });
    this._emit();
    await this._loadExecutions(pipelineName, false);
  }

  async loadMoreExecutions(pipelineName: string): Promise<void> {
    const list = this._executions.get(pipelineName);
    if (!list || !list.nextToken || list.loading) {
      return;
    }
    this._executions.set(pipelineName, { ...list, loading: true });
    this._emit();
    await this._loadExecutions(pipelineName, true);
  }

  async toggleDetail(executionArn: string): Promise<void> {
    if (this._details.has(executionArn)) {
      this._details.delete(executionArn);
      this._emit();
      return;
    }
    this._details.set(executionArn, { steps: [], loading: true, error: null });
    this._emit();
    await this._loadDetail(executionArn);
  }

  /** Watch an execution started from the extension: `executionFinished` fires when it ends. */
  watch(executionArn: string, pipelineName: string): void {
    this._watched.set(executionArn, pipelineName);
    this._poll.frequency = {
      ...this._poll.frequency,
      interval: this._intervalMs(true)
    };
  }

  /** Find an execution summary already loaded, from any expanded pipeline. */
  findExecution(arn: string): IExecutionSummary | undefined {
    for (const pipeline of this._pipelines) {
      if (pipeline.lastExecution?.arn === arn) {
        return pipeline.lastExecution;
      }
    }
    for (const list of this._executions.values()) {
      const found = list.items.find(item => item.arn === arn);
      if (found) {
        return found;
      }
    }
    return this._details.get(arn)?.execution;
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  // ---- internals

  private _emit(): void {
    this._changed.emit();
  }

  private _intervalMs(active: boolean): number {
    const seconds = Math.max(5, this._session.settings.refreshInterval || 30);
    // Idle backoff: nothing running, refresh four times less often.
    return (active ? seconds : seconds * 4) * 1000;
  }

  private _stale(): boolean {
    return (
      !this._lastRefreshed ||
      Date.now() - this._lastRefreshed.getTime() > this._intervalMs(true)
    );
  }

  private _onSessionChanged(): void {
    const settings = this._session.settings;
    const projectSetting = settings.project;
    const key = `${projectSetting}|${this._session.region}|${settings.refreshInterval}`;
    if (key === this._sessionKey) {
      return;
    }
    const projectChanged =
      this._sessionKey.split('|').slice(0, 2).join('|') !==
      key.split('|').slice(0, 2).join('|');
    this._sessionKey = key;
    if (projectChanged) {
      this._project = null;
      this._service = null;
      this._pipelines = [];
      this._executions.clear();
      this._details.clear();
      this._projectState = 'resolving';
      this._emit();
    }
    if (this._started) {
      void this._poll.refresh();
    }
  }

  private async _resolveProject(): Promise<IProject | null> {
    if (this._project) {
      return this._project;
    }
    const [{ describeProject, listProjects, projectOfResource }, clients] =
      await Promise.all([this._session.sdk(), this._session.clients()]);
    let name = this._session.settings.project;
    if (!name) {
      const studio = (await this._session.ensureContext())?.studio;
      if (studio?.resourceArn) {
        try {
          name =
            (await projectOfResource(clients, studio.resourceArn)).name ?? '';
        } catch {
          name = '';
        }
      }
    }
    if (!name) {
      this._projectState = 'choose';
      const page = await listProjects(clients);
      this._projects = page.items;
      return null;
    }
    this._project = await describeProject(clients, name);
    this._projectState = 'resolved';
    return this._project;
  }

  private async _refresh(): Promise<void> {
    this._loading = true;
    this._emit();
    let service: PipelineService;
    try {
      service = await this.getService();
    } catch (error) {
      this._fail(error, 'LoadAwsClients');
      throw error;
    }
    const before = service.requestCount;
    try {
      const project = await this._resolveProject();
      if (!project) {
        this._error = null;
        return;
      }
      // Rows appear as soon as the pipelines are found; the last execution of each keeps the value of the
      // previous refresh until its new one arrives, so a refresh never blanks what is shown.
      const previous = new Map(
        this._pipelines.map(p => [p.name, p.lastExecution])
      );
      const pipelines = await service.listProjectPipelines(project, {
        onFound: found => {
          for (const p of found) {
            p.lastExecution = previous.get(p.name);
          }
          if (!this._loaded || found.length !== this._pipelines.length) {
            this._pipelines = [...found];
          }
          this._loaded = true;
          this._emit();
        },
        onProgress: () => this._emit()
      });
      this._pipelines = pipelines;
      this._loaded = true;
      // Keep what the user expanded up to date: first pages and running executions.
      await Promise.all([
        ...[...this._executions.keys()].map(name =>
          this._loadExecutions(name, false, true)
        ),
        ...[...this._details.entries()]
          .filter(
            ([, d]) => !d.execution || ACTIVE_STATUSES.has(d.execution.status)
          )
          .map(([arn]) => this._loadDetail(arn, true))
      ]);
      await this._checkWatched(service);
      this._error = null;
      this._warning = null;
      this._lastRefreshed = new Date();
    } catch (error) {
      this._fail(error, 'ListPipelines');
      throw error;
    } finally {
      this._lastRequestCount = service.requestCount - before;
      this._loading = false;
      const active =
        this._watched.size > 0 ||
        this._pipelines.some(
          p => p.lastExecution && ACTIVE_STATUSES.has(p.lastExecution.status)
        );
      const interval = this._intervalMs(active);
      if (interval !== this._poll.frequency.interval) {
        this._poll.frequency = { interval, backoff: true, max: interval * 8 };
      }
      this._emit();
    }
  }

  private _fail(error: unknown, operation: string): void {
    const e = toMLOpsError(error, operation);
    if (e.kind === 'throttling') {
      this._warning = e;
    } else {
      this._error = e;
    }
  }

  private async _checkWatched(service: PipelineService): Promise<void> {
    for (const [arn, pipelineName] of [...this._watched]) {
      const known = this.findExecution(arn);
      const execution =
        known && !ACTIVE_STATUSES.has(known.status)
          ? known
          : await service.describeExecution(arn).catch(() => undefined);
      if (execution && !ACTIVE_STATUSES.has(execution.status)) {
        this._watched.delete(arn);
        this._executionFinished.emit({
          arn,
          pipelineName,
          status: execution.status,
          failureReason: execution.failureReason
        });
      }
    }
  }

  private async _loadExecutions(
    pipelineName: string,
    more: boolean,
    quiet = false
  ): Promise<void> {
    const list = this._executions.get(pipelineName);
    if (!list) {
      return;
    }
    try {
      const service = await this.getService();
      const page = await service.listExecutions(pipelineName, {
        nextToken: more ? list.nextToken : undefined,
        pageSize: more
          ? EXECUTIONS_PAGE
          : Math.max(EXECUTIONS_PAGE, quiet ? list.items.length : 0),
        status: list.status
      });
      const current = this._executions.get(pipelineName);
      if (!current) {
        return;
      }
      this._executions.set(pipelineName, {
        ...current,
        items: more ? [...current.items, ...page.items] : page.items,
        nextToken: page.nextToken,
        loading: false,
        error: null
      });
    } catch (error) {
      const current = this._executions.get(pipelineName);
      if (current) {
        this._executions.set(pipelineName, {
          ...current,
          loading: false,
          error: toMLOpsError(error, 'ListPipelineExecutions')
        });
      }
      if (quiet) {
        throw error;
      }
    } finally {
      this._emit();
    }
  }

  private async _loadDetail(
    executionArn: string,
    quiet = false
  ): Promise<void> {
    try {
      const service = await this.getService();
      const [execution, steps] = await Promise.all([
        service.describeExecution(executionArn),
        service.listSteps(executionArn)
      ]);
      if (this._details.has(executionArn)) {
        this._details.set(executionArn, {
          execution,
          steps,
          loading: false,
          error: null
        });
      }
    } catch (error) {
      const current = this._details.get(executionArn);
      if (current) {
        this._details.set(executionArn, {
          ...current,
          loading: false,
          error: toMLOpsError(error, 'ListPipelineExecutionSteps')
        });
      }
      if (quiet) {
        throw error;
      }
    } finally {
      this._emit();
    }
  }

  private _session: MLOpsSession;
  private _rememberProject: (name: string) => Promise<void>;
  private _poll: Poll;
  private _started = false;
  private _visibleViews = 0;
  private _sessionKey = '';
  private _service: PipelineService | null = null;
  private _project: IProject | null = null;
  private _projectState: ProjectState = 'resolving';
  private _projects: IProject[] = [];
  private _pipelines: IPipeline[] = [];
  private _executions = new Map<string, IExecutionList>();
  private _details = new Map<string, IExecutionDetail>();
  private _watched = new Map<string, string>();
  private _loading = false;
  private _loaded = false;
  private _error: MLOpsError | null = null;
  private _warning: MLOpsError | null = null;
  private _lastRefreshed: Date | null = null;
  private _lastRequestCount = 0;
  private _changed = new Signal<this, void>(this);
  private _executionFinished = new Signal<this, IFinishedExecution>(this);
}

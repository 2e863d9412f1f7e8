import { ISignal, Signal } from '@lumino/signaling';

import { mapLimit } from '../core/aws';
import { MLOpsError, toMLOpsError } from '../core/errors';
import { sortByActivity } from '../core/pipelines/rules';
import type { PipelineService } from '../core/pipelines/service';
import {
  IExecution,
  IExecutionSummary,
  IPipeline,
  IStep,
  PipelineExecutionStatus
} from '../core/pipelines/types';
import { isActive } from '../core/status';
import type { IProject } from '../core/types';
import { PagedList } from '../shared/pagedList';
import { ProjectScopedModel } from '../shared/projectModel';
import { IMLOpsConnection, IMLOpsProject } from '../tokens';

/** What the model asks of the pipelines API (the core `PipelineService`). */
export type IPipelinesApi = Pick<
  PipelineService,
  | 'listProjectPipelines'
  | 'lastExecution'
  | 'listExecutions'
  | 'describeExecution'
  | 'listSteps'
>;

/** The executions shown under an expanded pipeline, filtered by status. */
export type ExecutionList = PagedList<
  IExecutionSummary,
  PipelineExecutionStatus | undefined
>;

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

const EXECUTIONS_PAGE = 20;
/** Last executions read at once. */
const CONCURRENCY = 6;

/**
 * The pipelines of the current project, the executions and steps the user
 * expanded, and the executions started from here (watched until they end).
 *
 * One visibility-aware poll keeps what is shown up to date, only while the
 * section (or an execution tab) is visible. A refresh reads the project's
 * pipelines (one Search, which also tells when each last ran), and the last
 * execution only of pipelines whose row is on screen and whose last run
 * changed or is still running; finished executions are never read twice.
 * Rows keep their order while the pointer or focus is in the tree.
 */
export class PipelinesModel extends ProjectScopedModel {
  constructor(options: PipelinesModel.IOptions) {
    super({
      connection: options.connection,
      project: options.project,
      name: 'sagemaker-mlops:pipelines',
      operation: 'Search'
    });
    this._api = options.api;
  }

  /** Emitted once for each watched execution that reaches a final status. */
  get executionFinished(): ISignal<this, IFinishedExecution> {
    return this._executionFinished;
  }
  get pipelines(): readonly IPipeline[] {
    return this._pipelines;
  }
  /** A refresh or a last-execution read is under way. */
  get loading(): boolean {
    return super.loading || this._reading > 0;
  }

  executions(pipelineName: string): ExecutionList | undefined {
    return this._executions.get(pipelineName);
  }
  detail(executionArn: string): IExecutionDetail | undefined {
    return this._details.get(executionArn);
  }

  /** The API, for actions (run, stop, retry...). */
  api(): Promise<IPipelinesApi> {
    return this._api();
  }

  /** The rows on screen: their pipelines' last executions are read if stale. */
  setVisiblePipelines(names: readonly string[]): void {
    this._visible = new Set(names);
    if (this.poll.isVisible && this.loaded) {
      void this._readLastExecutions(this._stale(names));
    }
  }

  /** The pointer or focus is in the tree: keep the order of the rows until it leaves. */
  setInteracting(interacting: boolean): void {
    this._interacting = interacting;
    if (!interacting && this._orderPending) {
      this._orderPending = false;
      this._pipelines = sortByActivity([...this._pipelines]);
      this.emit();
    }
  }

  toggleExecutions(pipelineName: string): void {
    const existing = this._executions.get(pipelineName);
    if (existing) {
      existing.dispose();
      this._executions.delete(pipelineName);
      this.emit();
      return;
    }
    const list: ExecutionList = new PagedList<
      IExecutionSummary,
      PipelineExecutionStatus | undefined
    >({
      filter: undefined,
      pageSize: EXECUTIONS_PAGE,
      operation: 'ListPipelineExecutions',
      fetch: async ({ nextToken, pageSize, filter }) =>
        (await this._api()).listExecutions(pipelineName, {
          nextToken,
          pageSize,
          status: filter
        })
    });
    list.changed.connect(this.emit, this);
    this._executions.set(pipelineName, list);
    this.emit();
    void list.reload();
  }

  async toggleDetail(executionArn: string): Promise<void> {
    if (this._details.has(executionArn)) {
      this._details.delete(executionArn);
      this.emit();
      return;
    }
    this._details.set(executionArn, { steps: [], loading: true, error: null });
    this.emit();
    await this._loadDetail(executionArn);
  }

  /** Watch an execution started from the extension: `executionFinished` fires when it ends. */
  watch(executionArn: string, pipelineName: string): void {
    this._watched.set(executionArn, pipelineName);
    this.poll.setActive(true);
  }

  /**
   * Recent executions of the project whose status passes `allowed`, newest
   * first: the first page of executions of the most recently run pipelines.
   */
  async recentExecutions(
    allowed: (status: string) => boolean,
    pipelines = 10
  ): Promise<IExecutionSummary[]> {
    if (!this.loaded) {
      await this.refresh();
    }
    const api = await this._api();
    const found: IExecutionSummary[] = [];
    await mapLimit(
      sortByActivity([...this._pipelines]).slice(0, pipelines),
      CONCURRENCY,
      async pipeline => {
        const page = await api.listExecutions(pipeline.name, {
          pageSize: EXECUTIONS_PAGE
        });
        found.push(...page.items.filter(e => allowed(e.status)));
      }
    );
    return found.sort(
      (a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0)
    );
  }

  // ---- internals

  protected beforeRefresh(): void {
    this._generation++;
  }

  protected clear(): void {
    this._pipelines = [];
    this._lastRead.clear();
    this._executions.forEach(list => list.dispose());
    this._executions.clear();
    this._details.clear();
  }

  protected isActive(): boolean {
    return (
      this._watched.size > 0 ||
      this._pipelines.some(p => isActive(p.lastExecution?.status)) ||
      [...this._details.values()].some(d => isActive(d.execution?.status))
    );
  }

  protected async load(project: IProject): Promise<boolean> {
    const api = await this._api();
    const found = await api.listProjectPipelines(project);
    if (!this.isCurrent(project)) {
      return false; // the project changed meanwhile: its own refresh follows
    }
    this._merge(found);
    this.markLoaded();
    const stale = this._stale([...this._visible]);
    await Promise.all([
      this._readLastExecutions(stale),
      ...[...this._executions.values()].map(list => list.reload()),
      ...[...this._details.entries()]
        .filter(([, d]) => !d.execution || isActive(d.execution.status))
        .map(([arn]) => this._loadDetail(arn))
    ]);
    await this._checkWatched(api);
    return true;
  }

  /** Take the pipelines Search found, keeping each one's last execution and, while interacting, the order. */
  private _merge(found: IPipeline[]): void {
    const previous = new Map(this._pipelines.map(p => [p.name, p]));
    for (const pipeline of found) {
      pipeline.lastExecution = previous.get(pipeline.name)?.lastExecution;
    }
    if (this._interacting && this._pipelines.length) {
      const order = new Map(this._pipelines.map((p, i) => [p.name, i]));
      const known = found.filter(p => order.has(p.name));
      const added = found.filter(p => !order.has(p.name));
      known.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
      this._pipelines = [...known, ...added];
      this._orderPending = true;
    } else {
      this._pipelines = sortByActivity(found);
    }
  }

  /**
   * Of `names`, the pipelines whose last execution must be read: never read,
   * or read before this refresh and since run again (`LastRunTime` changed),
   * still running, or of unknown `LastRunTime`.
   */
  private _stale(names: readonly string[]): IPipeline[] {
    const byName = new Map(this._pipelines.map(p => [p.name, p]));
    return names
      .map(name => byName.get(name))
      .filter((p): p is IPipeline => {
        if (!p || this._readingNames.has(p.name)) {
          return false;
        }
        const read = this._lastRead.get(p.name);
        if (read === undefined) {
          return true;
        }
        if (read.generation === this._generation) {
          return false;
        }
        return (
          read.lastRunAt === undefined ||
          read.lastRunAt !== p.lastRunAt?.getTime() ||
          isActive(p.lastExecution?.status)
        );
      });
  }

  private async _readLastExecutions(pipelines: IPipeline[]): Promise<void> {
    if (!pipelines.length) {
      return;
    }
    const generation = this.projectShown;
    pipelines.forEach(p => this._readingNames.add(p.name));
    this._reading++;
    this.emit();
    try {
      const api = await this._api();
      await mapLimit(pipelines, CONCURRENCY, async pipeline => {
        const last = await api.lastExecution(pipeline.name);
        if (this.projectShown !== generation) {
          return;
        }
        pipeline.lastExecution = last;
        this._lastRead.set(pipeline.name, {
          lastRunAt: pipeline.lastRunAt?.getTime(),
          generation: this._generation
        });
        this.emit();
      });
      if (!this._interacting) {
        this._pipelines = sortByActivity([...this._pipelines]);
      } else {
        this._orderPending = true;
      }
    } finally {
      pipelines.forEach(p => this._readingNames.delete(p.name));
      this._reading--;
      this.poll.setActive(
        this._watched.size > 0 ||
          this._pipelines.some(p => isActive(p.lastExecution?.status))
      );
      this.emit();
    }
  }

  private async _checkWatched(api: IPipelinesApi): Promise<void> {
    for (const [arn, pipelineName] of [...this._watched]) {
      const last = this._pipelines.find(
        p => p.name === pipelineName
      )?.lastExecution;
      const execution =
        last?.arn === arn && !isActive(last.status)
          ? last
          : await api.describeExecution(arn).catch(() => undefined);
      if (execution && !isActive(execution.status)) {
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

  private async _loadDetail(executionArn: string): Promise<void> {
    try {
      const api = await this._api();
      const [execution, steps] = await Promise.all([
        api.describeExecution(executionArn),
        api.listSteps(executionArn)
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
    } finally {
      this.emit();
    }
  }

  private _api: () => Promise<IPipelinesApi>;
  private _pipelines: IPipeline[] = [];
  private _executions = new Map<string, ExecutionList>();
  private _details = new Map<string, IExecutionDetail>();
  private _watched = new Map<string, string>();
  /** When each pipeline's last execution was read: its `LastRunTime` then, and in which refresh. */
  private _lastRead = new Map<
    string,
    { lastRunAt?: number; generation: number }
  >();
  /** Counts refreshes: what was read in this one is not read again before the next. */
  private _generation = 0;
  private _readingNames = new Set<string>();
  private _reading = 0;
  private _visible = new Set<string>();
  private _interacting = false;
  private _orderPending = false;
  private _executionFinished = new Signal<this, IFinishedExecution>(this);
}

export namespace PipelinesModel {
  export interface IOptions {
    connection: IMLOpsConnection;
    project: IMLOpsProject;
    /** The pipelines API (the core service over the proxied clients). */
    api: () => Promise<IPipelinesApi>;
  }
}

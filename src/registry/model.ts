import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { DeployGateService } from '../core/deploy/service';
import type {
  IDeployExecution,
  IDeployGate,
  IDeployPipeline,
  IDeployStatus,
  IGateDecision
} from '../core/deploy/types';
import { MLOpsError, toMLOpsError } from '../core/errors';
import { readVersionMetrics } from '../core/registry/metrics';
import type { RegistryService } from '../core/registry/service';
import type {
  IApprovalDecision,
  IMetric,
  IModelPackageGroup,
  IModelVersion,
  IModelVersionDetail,
  IReportReader,
  ModelApprovalStatus
} from '../core/registry/types';
import type { IProject } from '../core/types';
import { PagedList } from '../shared/pagedList';
import { IPollView, VisibilityPoll } from '../shared/poll';
import { IMLOpsConnection, IMLOpsProject } from '../tokens';

/** What the model asks of the registry (the core `RegistryService`). */
export type IRegistryApi = Pick<
  RegistryService,
  'listGroups' | 'listVersions' | 'describeVersion' | 'setApproval'
>;

/** What the model asks of the deploy pipeline (the core `DeployGateService`). */
export type IDeployApi = Pick<
  DeployGateService,
  'findDeployPipeline' | 'deployStatus' | 'decide'
>;

/** The versions shown under an expanded group, filtered by approval status. */
export type VersionList = PagedList<
  IModelVersion,
  ModelApprovalStatus | undefined
>;

/** The detail of an expanded version: DescribeModelPackage, then its metrics. */
export interface IVersionDetail {
  version?: IModelVersionDetail;
  metrics?: IMetric[];
  metricsError?: MLOpsError;
  loading: boolean;
  error: MLOpsError | null;
}

/** A deploy execution that started after a decision taken here. */
export interface IDeployStarted {
  execution: IDeployExecution;
  /** The version whose approval change started it. */
  versionArn?: string;
}

const VERSIONS_PAGE = 20;
/** Latest deploy executions shown. */
const DEPLOY_EXECUTIONS = 3;
/** Clock skew allowed between this browser and AWS when matching a new execution to a decision. */
const SKEW_MS = 60_000;

/**
 * The registry of the current project: its model package groups (and those
 * shared from a hub account), the versions of the groups the user expanded,
 * the details of expanded versions, and the project's deploy pipeline with the
 * approvals waiting at it.
 *
 * One visibility-aware poll keeps it current while the section is visible. A
 * refresh costs: one Search and one ListModelPackageGroups (groups), one
 * ListModelPackages per expanded group, one GetPipelineState and one
 * ListPipelineExecutions (deploy pipeline, found once per project), and one
 * GetPipelineExecution per waiting approval. Details are read when expanded
 * and again only when their version changed.
 */
export class RegistryModel implements IDisposable {
  constructor(options: RegistryModel.IOptions) {
    this._connection = options.connection;
    this._project = options.project;
    this._registry = options.registry;
    this._deployApi = options.deploy;
    this._reader = options.reader;
    this.poll = new VisibilityPoll({
      name: 'sagemaker-mlops:registry',
      factory: () => this._refresh(),
      interval: () => this._connection.refreshInterval * 1000
    });
    this._connection.changed.connect(() => this.poll.updateInterval(), this);
    this._project.changed.connect(this._onProject, this);
  }

  readonly poll: VisibilityPoll;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Emitted once for each deploy execution that started after a decision taken here. */
  get deployStarted(): ISignal<this, IDeployStarted> {
    return this._deployStarted;
  }
  get projectShown(): IProject | null {
    return this._shown;
  }
  get groups(): readonly IModelPackageGroup[] {
    return this._groups;
  }
  get loading(): boolean {
    return this._loading;
  }
  get loaded(): boolean {
    return this._loaded;
  }
  get error(): MLOpsError | null {
    return this._error;
  }
  get warning(): MLOpsError | null {
    return this._warning;
  }
  /** The project's deploy pipeline and its state; null when it has none (or it is not read yet). */
  get deploy(): IDeployStatus | null {
    return this._deploy;
  }
  /** Why the deploy pipeline could not be read (the registry may still show). */
  get deployError(): MLOpsError | null {
    return this._deployError;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  versions(groupArn: string): VersionList | undefined {
    return this._versions.get(groupArn);
  }
  detail(versionArn: string): IVersionDetail | undefined {
    return this._details.get(versionArn);
  }
  group(groupArnOrName: string): IModelPackageGroup | undefined {
    return this._groups.find(
      g => g.arn === groupArnOrName || g.name === groupArnOrName
    );
  }

  addView(): IPollView {
    return this.poll.addView();
  }

  refresh(): Promise<void> {
    return this.poll.refresh();
  }

  toggleVersions(groupArn: string): void {
    const existing = this._versions.get(groupArn);
    if (existing) {
      existing.dispose();
      this._versions.delete(groupArn);
      this._emit();
      return;
    }
    const group = this.group(groupArn);
    if (!group) {
      return;
    }
    const list: VersionList = new PagedList<
      IModelVersion,
      ModelApprovalStatus | undefined
    >({
      filter: undefined,
      pageSize: VERSIONS_PAGE,
      operation: 'ListModelPackages',
      fetch: async ({ nextToken, pageSize, filter }) =>
        (await this._registry()).listVersions(group, {
          nextToken,
          pageSize,
          status: filter
        })
    });
    list.changed.connect(this._emit, this);
    this._versions.set(groupArn, list);
    this._emit();
    void list.reload();
  }

  async toggleDetail(versionArn: string): Promise<void> {
    if (this._details.has(versionArn)) {
      this._details.delete(versionArn);
      this._emit();
      return;
    }
    this._details.set(versionArn, { loading: true, error: null });
    this._emit();
    await this._loadDetail(versionArn);
  }

  /** A version's details, read now (the approval dialog reads the current state, never a cached one). */
  async describe(versionArn: string): Promise<IModelVersionDetail> {
    return (await this._registry()).describeVersion(versionArn);
  }

  /** A version's metrics from its evaluation report; read once per version and report. */
  metrics(version: IModelVersionDetail): Promise<IMetric[]> {
    const key = `${version.arn} ${version.metricsReports
      .map(r => r.s3Uri)
      .join(' ')}`;
    let found = this._metrics.get(key);
    if (!found) {
      found = readVersionMetrics(version, this._reader);
      this._metrics.set(key, found);
      found.catch(() => this._metrics.delete(key));
    }
    return found;
  }

  /** The newest Approved version of a group (what a candidate is compared with), read now. */
  async approvedVersion(
    group: Pick<IModelPackageGroup, 'name' | 'arn' | 'shared'>
  ): Promise<IModelVersionDetail | undefined> {
    const api = await this._registry();
    const page = await api.listVersions(group, {
      status: 'Approved',
      pageSize: 1
    });
    return page.items[0] ? api.describeVersion(page.items[0].arn) : undefined;
  }

  /**
   * Versions waiting for approval, newest first: the first page of pending versions of each of the
   * project's own groups (shared groups belong to another account's approvers).
   */
  async pendingVersions(): Promise<IModelVersion[]> {
    if (!this._loaded) {
      await this.refresh();
    }
    const api = await this._registry();
    const pages = await Promise.all(
      this._groups
        .filter(g => !g.shared)
        .map(g =>
          api.listVersions(g, {
            status: 'PendingManualApproval',
            pageSize: VERSIONS_PAGE
          })
        )
    );
    return pages
      .flatMap(p => p.items)
      .sort(
        (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)
      );
  }

  /**
   * Approve or reject a version (one UpdateModelPackage, refused when the version changed since `expected`).
   * Afterwards the registry refreshes, and the deploy execution the change starts is watched for.
   */
  async decide(versionArn: string, decision: IApprovalDecision): Promise<void> {
    const api = await this._registry();
    const at = Date.now();
    await api.setApproval(versionArn, decision);
    this._watchDeploy.push({ since: at - SKEW_MS, versionArn });
    if (this._details.has(versionArn)) {
      void this._loadDetail(versionArn);
    }
    this.poll.setActive(true);
    void this.refresh().catch(() => undefined);
  }

  /** Approve or reject a waiting deployment; the deploy state refreshes afterwards (also on a stale token). */
  async decideGate(gate: IDeployGate, decision: IGateDecision): Promise<void> {
    const api = await this._deployApi();
    try {
      await api.decide(gate, decision);
    } finally {
      this.poll.setActive(true);
      void this.refresh().catch(() => undefined);
    }
  }

  /** The project's deploy pipeline (found once per project). */
  async deployPipeline(): Promise<IDeployPipeline | undefined> {
    const project = await this._project.resolve();
    if (!project) {
      return undefined;
    }
    if (this._pipelineOf !== project) {
      const api = await this._deployApi();
      this._pipeline = await api.findDeployPipeline(project);
      this._pipelineOf = project;
    }
    return this._pipeline;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.poll.dispose();
    this._versions.forEach(list => list.dispose());
    Signal.clearData(this);
  }

  // ---- internals

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _onProject(): void {
    const project = this._project.project;
    if (!project || sameProject(project, this._shown) || this._resolving) {
      return;
    }
    this._reset();
    if (this.poll.isStarted) {
      void this.refresh();
    }
  }

  private _reset(): void {
    this._shown = null;
    this._groups = [];
    this._versions.forEach(list => list.dispose());
    this._versions.clear();
    this._details.clear();
    this._deploy = null;
    this._deployError = null;
    this._pipeline = undefined;
    this._pipelineOf = null;
    this._watchDeploy = [];
    this._loaded = false;
    this._error = null;
    this._emit();
  }

  private async _refresh(): Promise<void> {
    this._loading = true;
    this._emit();
    try {
      this._resolving = true;
      const project = await this._project.resolve().finally(() => {
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
      const api = await this._registry();
      const [groups] = await Promise.all([
        api.listGroups(project),
        this._refreshDeploy()
      ]);
      if (!sameProject(project, this._project.project)) {
        return;
      }
      this._groups = groups;
      for (const [arn, list] of [...this._versions]) {
        if (!groups.some(g => g.arn === arn)) {
          list.dispose();
          this._versions.delete(arn);
        }
      }
      this._loaded = true;
      this._emit();
      await Promise.all([
        ...[...this._versions.values()].map(list => list.reload()),
        ...this._staleDetails().map(arn => this._loadDetail(arn))
      ]);
      this._error = null;
      this._warning = null;
    } catch (error) {
      const e = toMLOpsError(error, 'ListModelPackageGroups');
      if (e.kind === 'throttling') {
        this._warning = e;
      } else {
        this._error = e;
      }
      throw e;
    } finally {
      this._loading = false;
      this.poll.setActive(
        this._watchDeploy.length > 0 ||
          !!this._deploy?.gates.length ||
          !!this._deploy?.executions.some(e => e.status === 'InProgress')
      );
      this._emit();
    }
  }

  /** Details whose version may have changed: shown in a list with another status than the detail's. */
  private _staleDetails(): string[] {
    const listed = new Map<string, IModelVersion>();
    this._versions.forEach(list =>
      list.items.forEach(v => listed.set(v.arn, v))
    );
    return [...this._details.entries()]
      .filter(([arn, d]) => {
        const v = listed.get(arn);
        return (
          !d.version ||
          (v && v.approvalStatus !== d.version.approvalStatus) ||
          d.version.packageStatus === 'InProgress' ||
          d.version.packageStatus === 'Pending'
        );
      })
      .map(([arn]) => arn);
  }

  private async _refreshDeploy(): Promise<void> {
    try {
      const pipeline = await this.deployPipeline();
      if (!pipeline) {
        this._deploy = null;
        this._deployError = null;
        return;
      }
      const status = await (
        await this._deployApi()
      ).deployStatus(pipeline, { executions: DEPLOY_EXECUTIONS });
      this._deploy = status;
      this._deployError = null;
      this._checkStarted(status.executions);
    } catch (error) {
      this._deployError = toMLOpsError(error, 'GetPipelineState');
    }
  }

  /** Announce deploy executions that started after a decision taken here. */
  private _checkStarted(executions: IDeployExecution[]): void {
    for (const watch of [...this._watchDeploy]) {
      const started = executions
        .filter(
          e =>
            (e.startedAt?.getTime() ?? 0) >= watch.since &&
            !this._announced.has(e.executionId)
        )
        .sort(
          (a, b) =>
            (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0)
        )[0];
      if (started) {
        this._announced.add(started.executionId);
        this._watchDeploy.splice(this._watchDeploy.indexOf(watch), 1);
        this._deployStarted.emit({
          execution: started,
          versionArn: watch.versionArn
        });
      } else if (Date.now() - watch.since > 10 * 60_000) {
        this._watchDeploy.splice(this._watchDeploy.indexOf(watch), 1);
      }
    }
  }

  private async _loadDetail(versionArn: string): Promise<void> {
    try {
      const version = await this.describe(versionArn);
      if (!this._details.has(versionArn)) {
        return;
      }
      this._details.set(versionArn, { version, loading: false, error: null });
      this._emit();
      try {
        const metrics = await this.metrics(version);
        const current = this._details.get(versionArn);
        if (current?.version === version) {
          this._details.set(versionArn, { ...current, metrics });
        }
      } catch (error) {
        const current = this._details.get(versionArn);
        if (current?.version === version) {
          this._details.set(versionArn, {
            ...current,
            metricsError: toMLOpsError(error, 'GetObject')
          });
        }
      }
    } catch (error) {
      const current = this._details.get(versionArn);
      if (current) {
        this._details.set(versionArn, {
          ...current,
          loading: false,
          error: toMLOpsError(error, 'DescribeModelPackage')
        });
      }
    } finally {
      this._emit();
    }
  }

  private _connection: IMLOpsConnection;
  private _project: IMLOpsProject;
  private _registry: () => Promise<IRegistryApi>;
  private _deployApi: () => Promise<IDeployApi>;
  private _reader: IReportReader;
  private _shown: IProject | null = null;
  private _groups: IModelPackageGroup[] = [];
  private _versions = new Map<string, VersionList>();
  private _details = new Map<string, IVersionDetail>();
  private _metrics = new Map<string, Promise<IMetric[]>>();
  private _deploy: IDeployStatus | null = null;
  private _deployError: MLOpsError | null = null;
  private _pipeline: IDeployPipeline | undefined;
  private _pipelineOf: IProject | null = null;
  private _watchDeploy: { since: number; versionArn?: string }[] = [];
  private _announced = new Set<string>();
  private _resolving = false;
  private _loading = false;
  private _loaded = false;
  private _error: MLOpsError | null = null;
  private _warning: MLOpsError | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _deployStarted = new Signal<this, IDeployStarted>(this);
}

export namespace RegistryModel {
  export interface IOptions {
    connection: IMLOpsConnection;
    project: IMLOpsProject;
    registry: () => Promise<IRegistryApi>;
    deploy: () => Promise<IDeployApi>;
    reader: IReportReader;
  }
}

function sameProject(a: IProject | null, b: IProject | null): boolean {
  return !!a && !!b && a.name === b.name && a.id === b.id;
}

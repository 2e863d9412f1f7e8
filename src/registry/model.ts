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
import { ProjectScopedModel } from '../shared/projectModel';
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
export class RegistryModel extends ProjectScopedModel {
  constructor(options: RegistryModel.IOptions) {
    super({
      connection: options.connection,
      project: options.project,
      name: 'sagemaker-mlops:registry',
      operation: 'ListModelPackageGroups'
    });
    this._registry = options.registry;
    this._deployApi = options.deploy;
    this._reader = options.reader;
  }

  /** Emitted once for each deploy execution that started after a decision taken here. */
  get deployStarted(): ISignal<this, IDeployStarted> {
    return this._deployStarted;
  }
  get groups(): readonly IModelPackageGroup[] {
    return this._groups;
  }
  /** The project's deploy pipeline and its state; null when it has none (or it is not read yet). */
  get deploy(): IDeployStatus | null {
    return this._deploy;
  }
  /** Why the deploy pipeline could not be read (the registry may still show). */
  get deployError(): MLOpsError | null {
    return this._deployError;
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

  toggleVersions(groupArn: string): void {
    const existing = this._versions.get(groupArn);
    if (existing) {
      existing.dispose();
      this._versions.delete(groupArn);
      this.emit();
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
    list.changed.connect(this.emit, this);
    this._versions.set(groupArn, list);
    this.emit();
    void list.reload();
  }

  async toggleDetail(versionArn: string): Promise<void> {
    if (this._details.has(versionArn)) {
      this._details.delete(versionArn);
      this.emit();
      return;
    }
    this._details.set(versionArn, { loading: true, error: null });
    this.emit();
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
    if (!this.loaded) {
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
    const project = await this.project.resolve();
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

  // ---- internals

  protected clear(): void {
    this._groups = [];
    this._versions.forEach(list => list.dispose());
    this._versions.clear();
    this._details.clear();
    this._deploy = null;
    this._deployError = null;
    this._pipeline = undefined;
    this._pipelineOf = null;
    this._watchDeploy = [];
  }

  protected isActive(): boolean {
    return (
      this._watchDeploy.length > 0 ||
      !!this._deploy?.gates.length ||
      !!this._deploy?.executions.some(e => e.status === 'InProgress')
    );
  }

  protected async load(project: IProject): Promise<boolean> {
    const api = await this._registry();
    const [groups] = await Promise.all([
      api.listGroups(project),
      this._refreshDeploy()
    ]);
    if (!this.isCurrent(project)) {
      return false;
    }
    this._groups = groups;
    for (const [arn, list] of [...this._versions]) {
      if (!groups.some(g => g.arn === arn)) {
        list.dispose();
        this._versions.delete(arn);
      }
    }
    this.markLoaded();
    await Promise.all([
      ...[...this._versions.values()].map(list => list.reload()),
      ...this._staleDetails().map(arn => this._loadDetail(arn))
    ]);
    return true;
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
      this.emit();
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
      this.emit();
    }
  }

  private _registry: () => Promise<IRegistryApi>;
  private _deployApi: () => Promise<IDeployApi>;
  private _reader: IReportReader;
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

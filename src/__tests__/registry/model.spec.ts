import { Signal } from '@lumino/signaling';

import type {
  IDeployExecution,
  IDeployPipeline,
  IDeployStatus
} from '../../core/deploy/types';
import type {
  IApprovalDecision,
  IModelPackageGroup,
  IModelVersion,
  IModelVersionDetail,
  ModelApprovalStatus
} from '../../core/registry/types';
import { IProject } from '../../core/types';
import { IDeployApi, IRegistryApi, RegistryModel } from '../../registry/model';
import { IMLOpsConnection, IMLOpsProject } from '../../tokens';

const PROJECT: IProject = { name: 'customer-churn', id: 'p-1' };
const GROUP: IModelPackageGroup = {
  name: 'customer-churn-p-1',
  arn: 'arn:aws:sagemaker:us-east-1:1:model-package-group/customer-churn-p-1',
  shared: false,
  tags: {}
};
const HUB: IModelPackageGroup = {
  name: 'clv',
  arn: 'arn:aws:sagemaker:us-east-1:2:model-package-group/clv',
  shared: true,
  ownerAccount: '2',
  tags: {}
};
const PIPELINE: IDeployPipeline = {
  name: 'sagemaker-customer-churn-p-1-modeldeploy',
  arn: '',
  executionMode: 'SUPERSEDED',
  approvals: [
    { stageName: 'ApproveDeployment', actionName: 'ApproveDeployment' }
  ],
  tags: {}
};

function version(
  n: number,
  status: ModelApprovalStatus,
  group = GROUP
): IModelVersionDetail {
  return {
    arn: `arn:aws:sagemaker:us-east-1:1:model-package/${group.name}/${n}`,
    groupName: group.name,
    version: n,
    approvalStatus: status,
    createdAt: new Date(Date.UTC(2026, 10, n)),
    customerMetadata: {},
    metricsReports: [
      { kind: 'ModelQuality.Statistics', s3Uri: `s3://b/v${n}.json` }
    ]
  };
}

/** An in-memory registry and deploy API that counts what it is asked. */
class FakeApi implements IRegistryApi, IDeployApi {
  versions: IModelVersionDetail[] = [
    version(1, 'Approved'),
    version(2, 'Rejected'),
    version(3, 'PendingManualApproval'),
    version(4, 'PendingManualApproval'),
    version(1, 'PendingManualApproval', HUB)
  ];
  executions: IDeployExecution[] = [];
  calls: string[] = [];

  async listGroups(): Promise<IModelPackageGroup[]> {
    this.calls.push('listGroups');
    return [GROUP, HUB];
  }
  async listVersions(
    group: Pick<IModelPackageGroup, 'name'> | string,
    options: { status?: ModelApprovalStatus; pageSize?: number } = {}
  ) {
    const name = typeof group === 'string' ? group : group.name;
    this.calls.push(`listVersions:${name}:${options.status ?? ''}`);
    const items: IModelVersion[] = this.versions
      .filter(v => v.groupName === name)
      .filter(v => !options.status || v.approvalStatus === options.status)
      .sort((a, b) => (b.version ?? 0) - (a.version ?? 0))
      .slice(0, options.pageSize ?? 20);
    return { items };
  }
  async describeVersion(arn: string): Promise<IModelVersionDetail> {
    this.calls.push(`describe:${arn.split('/').slice(-2).join('/')}`);
    const found = this.versions.find(v => v.arn === arn);
    if (!found) {
      throw new Error('not found');
    }
    return { ...found };
  }
  async setApproval(arn: string, decision: IApprovalDecision): Promise<void> {
    this.calls.push(`setApproval:${decision.status}`);
    const found = this.versions.find(v => v.arn === arn)!;
    found.approvalStatus = decision.status;
    found.approvalDescription = decision.comment;
    this.executions.unshift({
      pipelineName: PIPELINE.name,
      executionId: `e${this.executions.length + 1}`,
      status: 'InProgress',
      startedAt: new Date()
    });
  }
  async findDeployPipeline(): Promise<IDeployPipeline> {
    this.calls.push('findDeployPipeline');
    return PIPELINE;
  }
  async deployStatus(pipeline: IDeployPipeline): Promise<IDeployStatus> {
    this.calls.push('deployStatus');
    return { pipeline, executions: [...this.executions], gates: [] };
  }
  async decide(): Promise<void> {
    this.calls.push('decideGate');
  }
  count(prefix: string): number {
    return this.calls.filter(c => c.startsWith(prefix)).length;
  }
}

class FakeProject implements IMLOpsProject {
  project: IProject | null = PROJECT;
  state = 'resolved' as const;
  error = null;
  changed: Signal<IMLOpsProject, void> = new Signal<IMLOpsProject, void>(this);
  resolve = async () => this.project;
  choose = async () => undefined;
  refresh = async () => this.project;
}

function setup() {
  const api = new FakeApi();
  const reads: string[] = [];
  const connection = {
    refreshInterval: 3600,
    region: 'us-east-1',
    changed: new Signal<IMLOpsConnection, void>({} as IMLOpsConnection)
  } as unknown as IMLOpsConnection;
  const model = new RegistryModel({
    connection,
    project: new FakeProject(),
    registry: async () => api,
    deploy: async () => api,
    reader: {
      read: async (uri: string) => {
        reads.push(uri);
        const n = Number(/v(\d+)/.exec(uri)?.[1] ?? 0);
        return JSON.stringify({
          binary_classification_metrics: { auc: { value: (80 + n) / 100 } }
        });
      }
    }
  });
  return { api, model, reads };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 20));

describe('RegistryModel', () => {
  it('a refresh reads the groups and the deploy state; the deploy pipeline is found once', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    expect(model.groups.map(g => g.name)).toEqual([GROUP.name, HUB.name]);
    expect(model.deploy?.pipeline.name).toBe(PIPELINE.name);
    await model.refresh();
    expect(api.count('listGroups')).toBe(2);
    expect(api.count('deployStatus')).toBe(2);
    expect(api.count('findDeployPipeline')).toBe(1);
    // No group expanded: no version is listed.
    expect(api.count('listVersions')).toBe(0);
    model.dispose();
  });

  it('lists an expanded group newest first, filtered by approval status', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    model.toggleVersions(GROUP.arn);
    await settle();
    expect(model.versions(GROUP.arn)?.items.map(v => v.version)).toEqual([
      4, 3, 2, 1
    ]);
    await model.versions(GROUP.arn)?.setFilter('PendingManualApproval');
    expect(model.versions(GROUP.arn)?.items.map(v => v.version)).toEqual([
      4, 3
    ]);
    // A refresh reads each expanded group once more, with its filter.
    const before = api.count('listVersions');
    await model.refresh();
    expect(api.count('listVersions')).toBe(before + 1);
    expect(api.calls[api.calls.length - 1]).toBe(
      `listVersions:${GROUP.name}:PendingManualApproval`
    );
    model.dispose();
  });

  it('an expanded version shows its details and metrics; unchanged, it is not read again', async () => {
    const { api, model, reads } = setup();
    model.addView().setVisible(true);
    await settle();
    model.toggleVersions(GROUP.arn);
    await settle();
    const arn = version(3, 'PendingManualApproval').arn;
    await model.toggleDetail(arn);
    await settle();
    expect(model.detail(arn)?.version?.version).toBe(3);
    expect(model.detail(arn)?.metrics?.[0]).toMatchObject({
      name: 'auc',
      value: 0.83
    });
    expect(reads).toEqual(['s3://b/v3.json']);
    await model.refresh();
    expect(api.count('describe:customer-churn-p-1/3')).toBe(1);
    // Changed elsewhere: the listing shows another status, so the detail is read again.
    api.versions.find(v => v.arn === arn)!.approvalStatus = 'Approved';
    await model.refresh();
    await settle();
    expect(api.count('describe:customer-churn-p-1/3')).toBe(2);
    expect(model.detail(arn)?.version?.approvalStatus).toBe('Approved');
    // Metrics of the same report are read once.
    expect(reads).toEqual(['s3://b/v3.json']);
    model.dispose();
  });

  it('pending versions are the own groups, newest first; shared groups are left to their account', async () => {
    const { model } = setup();
    const pending = await model.pendingVersions();
    expect(pending.map(v => `${v.groupName}/${v.version}`)).toEqual([
      `${GROUP.name}/4`,
      `${GROUP.name}/3`
    ]);
    model.dispose();
  });

  it('compares against the newest approved version of the group', async () => {
    const { model } = setup();
    const approved = await model.approvedVersion(GROUP);
    expect(approved?.version).toBe(1);
    model.dispose();
  });

  it('after a decision, announces the deploy execution it started, once', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    const started: string[] = [];
    model.deployStarted.connect((_, s) =>
      started.push(s.execution.executionId)
    );
    const arn = version(4, 'PendingManualApproval').arn;
    await model.decide(arn, {
      status: 'Approved',
      comment: 'good',
      expected: { status: 'PendingManualApproval' }
    });
    await settle();
    expect(api.count('setApproval')).toBe(1);
    expect(started).toEqual(['e1']);
    await model.refresh();
    expect(started).toEqual(['e1']);
    model.dispose();
  });
});

/**
 * The model registry and the deployment gate over the unmodified AWS SDK v3, against the devstack, with
 * both identities: the data scientist reads, the approver decides.
 */
import {
  GetPipelineExecutionCommand,
  StopPipelineExecutionCommand
} from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware } from '@aws-sdk/types';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  UpdateModelPackageCommand
} from '@aws-sdk/client-sagemaker';

import { IAwsClients } from '../../core/aws';
import { DeployGateService } from '../../core/deploy/service';
import { IDeployGate, IDeployPipeline } from '../../core/deploy/types';
import { MLOpsError } from '../../core/errors';
import { describeProject } from '../../core/project/projects';
import {
  compareMetrics,
  readVersionMetrics
} from '../../core/registry/metrics';
import { snapshotOf } from '../../core/registry/rules';
import { RegistryService } from '../../core/registry/service';
import { IModelPackageGroup } from '../../core/registry/types';
import { IProject } from '../../core/types';
import { S3ReportReader } from '../../node/reports';
import {
  DevstackIdentity,
  clients,
  control,
  credentialsFor,
  devstackEnv,
  until
} from './env';

const HUB_ACCOUNT = '111122223333';

/** Clients of an identity that count the requests they send, by operation (each attempt). */
function counting(identity: DevstackIdentity): {
  clients: IAwsClients;
  count: (operation?: string) => number;
} {
  const counted = clients(identity);
  const sent: string[] = [];
  const middleware: FinalizeRequestMiddleware<any, any> =
    (next, context) => async args => {
      sent.push(String(context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    };
  const options = { step: 'finalizeRequest', name: 'countRequests' } as const;
  counted.sagemaker.middlewareStack.add(middleware, options);
  counted.codepipeline.middlewareStack.add(middleware, options);
  return {
    clients: counted,
    count: operation =>
      operation ? sent.filter(o => o === operation).length : sent.length
  };
}

async function failure(promise: Promise<unknown>): Promise<MLOpsError> {
  try {
    await promise;
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a failure');
}

let project: IProject;
let other: IProject;
let account: string;
let scientist: ReturnType<typeof counting>;
let approver: ReturnType<typeof counting>;
let asScientist: RegistryService;
let asApprover: RegistryService;
let reader: S3ReportReader;

beforeAll(async () => {
  project = await describeProject(clients(), 'customer-churn');
  other = await describeProject(clients(), 'fraud-detection');
  account = (await control('/health')).accountId;
  scientist = counting('data-scientist');
  approver = counting('approver');
  asScientist = new RegistryService(scientist.clients);
  asApprover = new RegistryService(approver.clients);
  const env = devstackEnv();
  reader = new S3ReportReader({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: credentialsFor('data-scientist'),
    maxAttempts: 1
  });
  await control('/codepipeline/stage-seconds', { seconds: 0.3 });
});

afterEach(async () => {
  await control('/faults/reset', {});
});

afterAll(async () => {
  await control('/codepipeline/stage-seconds', { seconds: 5 });
});

/** A new PendingManualApproval version in the project's group, with its own evaluation report in S3. */
async function registerVersion(
  of: IProject,
  metrics: Record<string, number> = { accuracy: 0.9, auc: 0.93 }
): Promise<string> {
  const env = devstackEnv();
  const bucket = `${of.name}-${account}`;
  const key = `evaluation/itest-${Date.now()}-${Math.random().toString(36).slice(2)}/evaluation.json`;
  const s3 = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    forcePathStyle: true,
    credentials: credentialsFor('data-scientist')
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ContentType: 'application/json',
      Body: JSON.stringify({
        binary_classification_metrics: Object.fromEntries(
          Object.entries(metrics).map(([k, v]) => [
            k,
            { value: v, standard_deviation: 0.01 }
          ])
        )
      })
    })
  );
  const out = await clients().sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: `${of.name}-${of.id}`,
      ModelPackageDescription: 'registered by the registry integration test',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: `${account}.dkr.ecr.${env.AWS_REGION}.amazonaws.com/${of.name}-repository-inference:itest`,
            ModelDataUrl: `s3://${bucket}/models/itest/model.tar.gz`
          }
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv']
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: `s3://${bucket}/${key}`
          }
        }
      },
      CustomerMetadataProperties: { source: 'itest' }
    })
  );
  return out.ModelPackageArn as string;
}

test("the project's groups are found by tags, with the group shared from the hub", async () => {
  const before = scientist.count();
  const groups = await asScientist.listGroups(project);
  const own = groups.find(g => g.name === `${project.name}-${project.id}`);
  expect(own).toMatchObject({ shared: false, ownerAccount: account });
  expect(own?.tags['sagemaker:project-id']).toBe(project.id);
  const hub = groups.find(g => g.name === `${project.name}-shared-models`);
  expect(hub).toMatchObject({ shared: true, ownerAccount: HUB_ACCOUNT });
  expect(hub?.arn).toContain(`:${HUB_ACCOUNT}:model-package-group/`);
  // The other project's group is not among them; no group twice.
  expect(groups.map(g => g.name)).not.toContain(`${other.name}-${other.id}`);
  expect(new Set(groups.map(g => g.arn)).size).toBe(groups.length);
  // One Search and one ListModelPackageGroups (one page each).
  expect(scientist.count() - before).toBe(2);
});

test('versions are paged on the wire, newest first, and filter by approval status', async () => {
  const group = `${project.name}-${project.id}`;
  const all = (await asScientist.listVersions(group, { pageSize: 100 })).items;
  expect(all.length).toBeGreaterThanOrEqual(12);
  const created = all.map(v => v.createdAt!.getTime());
  expect(created).toEqual([...created].sort((a, b) => b - a));

  const walked: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const before = scientist.count('ListModelPackages');
    const page = await asScientist.listVersions(group, {
      pageSize: 2,
      nextToken: token
    });
    expect(scientist.count('ListModelPackages') - before).toBe(1);
    expect(page.items.length).toBeLessThanOrEqual(2);
    walked.push(...page.items.map(v => v.arn));
    token = page.nextToken;
    pages++;
  } while (token && pages < 200);
  expect(new Set(walked).size).toBe(walked.length);
  expect(walked).toEqual(all.map(v => v.arn));

  const rejected = (
    await asScientist.listVersions(group, { pageSize: 100, status: 'Rejected' })
  ).items;
  expect(rejected.length).toBeGreaterThan(0);
  expect(rejected.every(v => v.approvalStatus === 'Rejected')).toBe(true);

  // A shared group is listed by its ARN.
  const hub = (await asScientist.listSharedGroups()).find(
    g => g.name === `${project.name}-shared-models`
  ) as IModelPackageGroup;
  const shared = (await asScientist.listVersions(hub, { pageSize: 2 })).items;
  expect(shared.map(v => v.version)).toEqual([3, 2]);
  expect(shared[0].arn).toContain(`:${HUB_ACCOUNT}:model-package/`);
});

test("a version's details are normalised and its metrics read from S3 and compared", async () => {
  const group = `${project.name}-${project.id}`;
  const all = (await asScientist.listVersions(group, { pageSize: 100 })).items;
  const seeded = all.filter(v => v.version && v.version <= 12);
  const newest = await asScientist.describeVersion(
    seeded.find(v => v.version === 12)!.arn
  );
  const oldest = await asScientist.describeVersion(
    seeded.find(v => v.version === 1)!.arn
  );
  expect(newest.generatedBy).toMatch(/:pipeline\/.+\/execution\//);
  expect(oldest.generatedBy).toBeUndefined();
  expect(newest.createdBy).toBeTruthy();
  expect(newest.customerMetadata.git_commit).toBeTruthy();
  expect(newest.metricsReports[0]).toMatchObject({
    kind: 'ModelQuality.Statistics',
    s3Uri: expect.stringMatching(/^s3:\/\//)
  });
  expect(newest.lifeCycle?.stage).toBeTruthy();

  const [a, b] = await Promise.all([
    readVersionMetrics(oldest, reader),
    readVersionMetrics(newest, reader)
  ]);
  expect(a.map(m => m.name)).toEqual(['accuracy', 'auc']);
  const rows = compareMetrics(a, b);
  expect(rows.find(r => r.name === 'accuracy')).toMatchObject({
    direction: 'higher',
    verdict: 'better',
    differs: true
  });

  // The hub's regression reports: lower mse is better, higher r2 too.
  const hub = (await asScientist.listSharedGroups()).find(
    g => g.name === `${project.name}-shared-models`
  )!;
  const hubVersions = (await asScientist.listVersions(hub)).items;
  const [v3, v1] = await Promise.all(
    [hubVersions[0], hubVersions[hubVersions.length - 1]].map(async v =>
      readVersionMetrics(await asScientist.describeVersion(v.arn), reader)
    )
  );
  const compared = compareMetrics(v1, v3, { differencesOnly: true });
  expect(compared.find(r => r.name === 'mse')).toMatchObject({
    direction: 'lower',
    verdict: 'better'
  });
  expect(compared.find(r => r.name === 'r2')?.verdict).toBe('better');
});

test('the approver approves with one UpdateModelPackage; the data scientist is denied and nothing changes', async () => {
  const arn = await registerVersion(project);
  const opened = await asScientist.describeVersion(arn);
  expect(opened.approvalStatus).toBe('PendingManualApproval');

  // The data scientist: access denied naming UpdateModelPackage, the version unchanged.
  const denied = await failure(
    asScientist.setApproval(arn, {
      status: 'Approved',
      comment: 'looks good',
      expected: snapshotOf(opened)
    })
  );
  expect(denied.kind).toBe('accessDenied');
  expect(denied.operation).toBe('UpdateModelPackage');
  expect(snapshotOf(await asScientist.describeVersion(arn))).toEqual(
    snapshotOf(opened)
  );

  // An invalid comment sends nothing.
  const before = approver.count();
  const invalid = await failure(
    asApprover.setApproval(arn, {
      status: 'Approved',
      comment: 'x'.repeat(1025),
      expected: snapshotOf(opened)
    })
  );
  expect(invalid).toMatchObject({ code: 'InvalidComment', kind: 'validation' });
  expect(approver.count() - before).toBe(0);

  const updates = approver.count('UpdateModelPackage');
  await asApprover.setApproval(arn, {
    status: 'Approved',
    comment: 'Accuracy 0.9 on the hold-out set; approved for staging. ✅',
    expected: snapshotOf(opened)
  });
  expect(approver.count('UpdateModelPackage') - updates).toBe(1);
  const approved = await asScientist.describeVersion(arn);
  expect(approved.approvalStatus).toBe('Approved');
  expect(approved.approvalDescription).toBe(
    'Accuracy 0.9 on the hold-out set; approved for staging. ✅'
  );
  expect(approved.lastModifiedAt).toBeInstanceOf(Date);
  expect(approved.lastModifiedBy).toContain('approver');
});

test('a change made since the version was opened is refused and not overwritten', async () => {
  const arn = await registerVersion(project);
  const opened = await asApprover.describeVersion(arn);
  const sdk = clients('approver').sagemaker;

  // Another approver rejects it meanwhile.
  await sdk.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Rejected',
      ApprovalDescription: 'Rejected by a colleague: data leak in features.'
    })
  );
  const updates = approver.count('UpdateModelPackage');
  const refused = await failure(
    asApprover.setApproval(arn, {
      status: 'Approved',
      comment: 'ship it',
      expected: snapshotOf(opened)
    })
  );
  expect(refused).toMatchObject({
    code: 'ChangedSinceOpened',
    kind: 'conflict'
  });
  expect(refused.params).toMatchObject({
    status: 'Rejected',
    comment: 'Rejected by a colleague: data leak in features.'
  });
  expect(approver.count('UpdateModelPackage') - updates).toBe(0);
  const after = await sdk.send(
    new DescribeModelPackageCommand({ ModelPackageName: arn })
  );
  expect(after.ModelApprovalStatus).toBe('Rejected');
  expect(after.ApprovalDescription).toBe(
    'Rejected by a colleague: data leak in features.'
  );

  // A change of neither status nor comment (metadata only) still moves LastModifiedTime: refused too.
  const reopened = await asApprover.describeVersion(arn);
  await sdk.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      CustomerMetadataProperties: { reviewed: 'yes' }
    })
  );
  const again = await failure(
    asApprover.setApproval(arn, {
      status: 'Approved',
      comment: 'ship it',
      expected: snapshotOf(reopened)
    })
  );
  expect(again.code).toBe('ChangedSinceOpened');
  expect((await asApprover.describeVersion(arn)).approvalStatus).toBe(
    'Rejected'
  );
});

/**
 * Approve a new version: the approval change starts the project's deploy CodePipeline, whose execution for
 * that version reaches the approval (other executions waiting there are rejected first, so a SUPERSEDED
 * stage is free). Returns the gate.
 */
async function approveAndReachGate(
  of: IProject,
  gates: DeployGateService
): Promise<{ pipeline: IDeployPipeline; gate: IDeployGate; arn: string }> {
  const pipeline = (await gates.findDeployPipeline(of)) as IDeployPipeline;
  expect(pipeline.name).toBe(`sagemaker-${of.name}-${of.id}-modeldeploy`);
  expect(pipeline.approvals).toEqual([
    { stageName: 'ApproveDeployment', actionName: 'ApproveDeployment' }
  ]);
  const arn = await registerVersion(of);
  const opened = await asApprover.describeVersion(arn);
  await asApprover.setApproval(arn, {
    status: 'Approved',
    comment: 'Approved for deployment by the integration test.',
    expected: snapshotOf(opened)
  });
  let ours: IDeployGate | undefined;
  await until(
    async () => {
      for (const gate of await gates.listWaitingGates(pipeline)) {
        if (gate.modelPackageArn === arn) {
          ours = gate;
        } else if (pipeline.executionMode !== 'PARALLEL') {
          // An older execution holds the stage: decide it so ours can enter.
          await gates
            .decide(gate, { approve: false, summary: 'cleared by a test' })
            .catch(() => undefined);
        }
      }
      return ours;
    },
    found => !!found,
    45000
  );
  expect(ours).toBeDefined();
  return { pipeline, gate: ours as IDeployGate, arn };
}

async function executionStatus(
  pipelineName: string,
  pipelineExecutionId: string
): Promise<string | undefined> {
  const out = await clients().codepipeline.send(
    new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId })
  );
  return out.pipelineExecution?.status;
}

test.each([
  ['SUPERSEDED', 'customer-churn'],
  ['PARALLEL', 'fraud-detection']
])(
  'an approval starts the deploy pipeline (%s), the approver approves its gate, a second decision is GateChanged',
  async (mode, name) => {
    const of = name === project.name ? project : other;
    const asScientistGates = new DeployGateService(scientist.clients);
    const gates = new DeployGateService(approver.clients);
    const { pipeline, gate, arn } = await approveAndReachGate(of, gates);
    expect(pipeline.executionMode).toBe(mode);
    expect(gate.token).toBeTruthy();
    expect(gate.since).toBeInstanceOf(Date);
    expect(gate.modelPackageArn).toBe(arn);
    // Started by the approval change (the platform's EventBridge rule), not by the API.
    const started = await clients().codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: pipeline.name,
        pipelineExecutionId: gate.executionId
      })
    );
    expect(started.pipelineExecution?.trigger?.triggerType).toBe(
      'CloudWatchEvent'
    );

    // The data scientist sees the gate but may not decide it.
    const seen = await asScientistGates.listWaitingGates(pipeline);
    expect(seen.map(g => g.executionId)).toContain(gate.executionId);
    const denied = await failure(
      asScientistGates.decide(gate, { approve: true, summary: 'me too' })
    );
    expect(denied).toMatchObject({
      kind: 'accessDenied',
      operation: 'PutApprovalResult'
    });

    await gates.decide(gate, {
      approve: true,
      summary: 'Staging endpoint healthy.'
    });
    const done = await until(
      () => executionStatus(pipeline.name, gate.executionId),
      status => status === 'Succeeded',
      30000
    );
    expect(done).toBe('Succeeded');
    expect(
      (await gates.listWaitingGates(pipeline)).map(g => g.executionId)
    ).not.toContain(gate.executionId);

    const second = await failure(
      gates.decide(gate, { approve: false, summary: 'changed my mind' })
    );
    expect(second).toMatchObject({
      code: 'GateChanged',
      kind: 'conflict',
      operation: 'PutApprovalResult'
    });
    expect(second.params).toMatchObject({
      pipeline: pipeline.name,
      executionId: gate.executionId
    });
  }
);

test('a decision on an approval whose execution was stopped meanwhile is GateChanged', async () => {
  const gates = new DeployGateService(approver.clients);
  const { pipeline, gate } = await approveAndReachGate(other, gates);
  await clients('approver').codepipeline.send(
    new StopPipelineExecutionCommand({
      pipelineName: pipeline.name,
      pipelineExecutionId: gate.executionId,
      abandon: true,
      reason: 'stopped by the integration test'
    })
  );
  const error = await failure(
    gates.decide(gate, { approve: true, summary: 'too late' })
  );
  expect(error).toMatchObject({ code: 'GateChanged', kind: 'conflict' });
  expect(error.params.reason).toBe('InvalidApprovalTokenException');
  expect(
    (await gates.listWaitingGates(pipeline)).map(g => g.executionId)
  ).not.toContain(gate.executionId);
});

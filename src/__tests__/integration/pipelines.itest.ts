/**
 * The Pipelines core services over the unmodified AWS SDK v3, against the
 * devstack (moto with signature verification, plus the added operations).
 */
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  ListPipelinesCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';

import { IAwsClients } from '../../core/aws';
import { MLOpsError } from '../../core/errors';
import { LogTail } from '../../core/pipelines/logs';
import { PipelineService } from '../../core/pipelines/service';
import { describeProject, listProjects } from '../../core/project/projects';
import { IProject } from '../../core/types';
import { clients, control, devstackEnv, until } from './env';

/** Clients that count the requests they send (each attempt), for the request budgets below. */
function counting(): { clients: IAwsClients; count: () => number } {
  const counted = clients();
  let sent = 0;
  counted.sagemaker.middlewareStack.add(
    next => async args => {
      sent++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' }
  );
  return { clients: counted, count: () => sent };
}

let service: PipelineService;
let requests: () => number;
let project: IProject;
let build: string;

beforeAll(async () => {
  const counted = counting();
  service = new PipelineService(counted.clients);
  requests = counted.count;
  project = await describeProject(clients(), 'customer-churn');
  build = `${project.name}-${project.id}`;
  await control('/executions/step-seconds', { seconds: 0.4 });
});

afterEach(async () => {
  await control('/faults/reset', {});
});

afterAll(async () => {
  await control('/executions/step-seconds', { seconds: 4 });
});

test('projects are listed and described', async () => {
  const page = await listProjects(clients());
  expect(page.items.map(p => p.name).sort()).toEqual([
    'customer-churn',
    'fraud-detection'
  ]);
  expect(project.id).toMatch(/^p-[a-z0-9]{12}$/);
});

test("a project's pipelines are found by tags only, each with its last execution", async () => {
  const before = requests();
  const pipelines = await service.listProjectPipelines(project);
  const names = pipelines.map(p => p.name);
  expect(names).toEqual(
    expect.arrayContaining([
      build,
      `${build}-deploy`,
      `${project.name}-alice-user-pipeline`
    ])
  );
  expect(new Set(names).size).toBe(names.length);
  for (const p of pipelines) {
    expect(
      p.tags['sagemaker:project-name'] === project.name ||
        p.tags['sagemaker:project-id'] === project.id
    ).toBe(true);
  }
  // One Search (project name or id tag, one page); no execution is read yet.
  expect(requests() - before).toBe(1);
  expect(pipelines.every(p => p.lastExecution === undefined)).toBe(true);
  // Most recently run first.
  const activity = pipelines.map(p =>
    (p.lastRunAt ?? p.lastModifiedAt ?? p.createdAt ?? new Date(0)).getTime()
  );
  expect(activity).toEqual([...activity].sort((a, b) => b - a));

  // A finished last execution: one ListPipelineExecutions, and its description (for the end time) once.
  const deploy = `${build}-deploy`;
  const first = requests();
  const last = await service.lastExecution(deploy);
  expect(last?.endedAt).toBeInstanceOf(Date);
  expect(requests() - first).toBe(2);
  const again = requests();
  expect((await service.lastExecution(deploy))?.endedAt).toEqual(last?.endedAt);
  expect(requests() - again).toBe(1);

  // The second project's pipelines exist in the same account and are not among them.
  const other = await describeProject(clients(), 'fraud-detection');
  const theirs = (await service.listProjectPipelines(other)).map(p => p.name);
  expect(theirs).toContain(`${other.name}-${other.id}`);
  expect(theirs.filter(n => names.includes(n))).toEqual([]);
});

test('without tagged pipelines, the naming patterns are used, confirmed by tags, never the whole account', async () => {
  const suffix = Date.now().toString(36);
  const fallback: IProject = {
    name: `legacy${suffix}`,
    id: `p-${suffix.padEnd(12, '0').slice(0, 12)}`
  };
  const roleArn = await service.projectRoleArn(
    project,
    await service.listProjectPipelines(project)
  );
  const sagemaker = clients().sagemaker;
  const definition = JSON.stringify({
    Version: '2020-12-01',
    Parameters: [],
    Steps: [{ Name: 'Train', Type: 'Training', Arguments: {} }]
  });
  const create = (name: string, tags?: Record<string, string>) =>
    sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: name,
        PipelineDefinition: definition,
        RoleArn: roleArn,
        Tags: tags
          ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
          : undefined
      })
    );
  await create(`${fallback.name}-${fallback.id}`);
  await create(`${fallback.name}-carol-user-pipeline`);
  await create(`${fallback.name}-scratch`);
  await create(`${fallback.name}-2-${fallback.id}`, {
    'sagemaker:project-name': `${fallback.name}-2`,
    'sagemaker:project-id': 'p-999999999999'
  });

  const before = requests();
  const pipelines = await service.listProjectPipelines(fallback);
  expect(pipelines.map(p => p.name).sort()).toEqual(
    [
      `${fallback.name}-${fallback.id}`,
      `${fallback.name}-carol-user-pipeline`
    ].sort()
  );
  expect(pipelines.every(p => p.lastExecution === undefined)).toBe(true);
  // 1 Search (nothing tagged), 1 ListPipelines (prefix), 4 ListTags.
  expect(requests() - before).toBe(1 + 1 + 4);
});

test('executions are paginated on the wire, newest first, and filter by status', async () => {
  const all = (await service.listExecutions(build, { pageSize: 100 })).items;
  expect(all.length).toBeGreaterThan(4);

  // Page size 2: every page is one request of 2, the tokens walk the whole list once.
  const walked: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const before = requests();
    const page = await service.listExecutions(build, {
      pageSize: 2,
      nextToken: token
    });
    expect(requests() - before).toBe(1);
    expect(page.items.length).toBeLessThanOrEqual(2);
    walked.push(...page.items.map(e => e.arn));
    token = page.nextToken;
    pages++;
  } while (token && pages < 100);
  expect(walked).toEqual(all.map(e => e.arn));
  expect(pages).toBe(Math.ceil(all.length / 2));
  const starts = all.map(e => e.startedAt!.getTime());
  expect(starts).toEqual([...starts].sort((a, b) => b - a));

  // A status filter keeps reading until it has a page, and its token continues after it.
  const expected = all.filter(e => e.status === 'Failed').map(e => e.arn);
  expect(expected.length).toBeGreaterThan(0);
  const failed: string[] = [];
  token = undefined;
  pages = 0;
  do {
    const page = await service.listExecutions(build, {
      pageSize: 1,
      status: 'Failed',
      nextToken: token
    });
    expect(page.items.every(e => e.status === 'Failed')).toBe(true);
    failed.push(...page.items.map(e => e.arn));
    token = page.nextToken;
    pages++;
  } while (token && pages < 100);
  expect(failed).toEqual(expected);
  const none = await service.listExecutions(`${build}-deploy`, {
    pageSize: 5,
    status: 'Stopping'
  });
  expect(none).toEqual({ items: [], nextToken: undefined });
});

test('the steps of a failed execution carry the failure reason and the job behind them', async () => {
  const failed = (
    await service.listExecutions(build, { pageSize: 1, status: 'Failed' })
  ).items[0];
  const execution = await service.describeExecution(failed.arn);
  expect(execution.failureReason).toMatch(/Step failure/);
  expect(execution.startedBy).toBeTruthy();
  expect(
    execution.parameters.find(p => p.name === 'ModelApprovalStatus')?.value
  ).toBe('PendingManualApproval');
  const steps = await service.listSteps(failed.arn);
  const bad = steps.filter(s => s.status === 'Failed');
  expect(bad).toHaveLength(1);
  expect(bad[0].failureReason).toBeTruthy();
  expect(steps[0].job?.kind).toBe('ProcessingJob');
  const definition = await service.getDefinition(failed.arn);
  expect(definition.graph.nodes.map(n => n.name)).toContain('RegisterModel');
});

test('a run with a changed, typed parameter reaches Succeeded, with its step logs', async () => {
  const definition = await service.getPipelineDefinition(build);
  expect(
    definition.parameters.find(p => p.name === 'ProcessingInstanceCount')
  ).toMatchObject({ type: 'Integer', defaultValue: '1' });
  const arn = await service.startExecution(build, {
    parameters: [{ name: 'ProcessingInstanceCount', value: '3' }],
    displayName: 'jest-run'
  });
  const done = await until(
    () => service.describeExecution(arn),
    e => e.status !== 'Executing'
  );
  expect(done.status).toBe('Succeeded');
  expect(
    done.parameters.find(p => p.name === 'ProcessingInstanceCount')?.value
  ).toBe('3');
  const steps = await service.listSteps(arn);
  expect(steps.map(s => s.name)).toEqual([
    'Preprocess',
    'Train',
    'Evaluate',
    'CheckMetrics',
    'RegisterModel'
  ]);
  const train = steps.find(s => s.name === 'Train')!;
  const tail = new LogTail(clients(), train.job!);
  const chunk = await until(
    () => tail.next(),
    c => c.events.length > 0,
    10000
  );
  expect(chunk.events.map(e => e.message).join('\n')).toContain(
    'completed successfully'
  );
  expect(chunk.logGroup).toBe('/aws/sagemaker/TrainingJobs');
  expect(chunk.logStream).toMatch(new RegExp(`^${train.job!.name}/`));
  expect((await tail.next()).events).toHaveLength(0);

  // A job that has not written anything yet: no stream, no events, no error.
  const early = new LogTail(clients(), {
    kind: 'ProcessingJob',
    name: `not-started-${Date.now()}`,
    arn: 'arn:aws:sagemaker:us-east-1:000000000000:processing-job/x'
  });
  expect(await early.next()).toEqual({
    events: [],
    logGroup: '/aws/sagemaker/ProcessingJobs'
  });
});

test('stop a running execution, retry a failed one', async () => {
  await control('/executions/step-seconds', { seconds: 30 });
  const running = await service.startExecution(build, { parameters: [] });
  await service.stopExecution(running);
  const stopped = await until(
    () => service.describeExecution(running),
    e => e.status === 'Stopped'
  );
  expect(stopped.status).toBe('Stopped');
  await control('/executions/step-seconds', { seconds: 0.4 });
  await control('/executions/fail-next', {
    pipelineName: build,
    step: 'Evaluate',
    reason: 'injected by jest'
  });
  const failing = await service.startExecution(build, { parameters: [] });
  const failed = await until(
    () => service.describeExecution(failing),
    e => e.status !== 'Executing'
  );
  expect(failed.status).toBe('Failed');
  await service.retryExecution(failing);
  const retried = await until(
    () => service.describeExecution(failing),
    e => e.status !== 'Executing'
  );
  expect(retried.status).toBe('Succeeded');
  expect(
    (await service.listSteps(failing)).find(s => s.name === 'Evaluate')
      ?.attemptCount
  ).toBe(2);
});

test("a pipeline definition file becomes the user's own pipeline, tagged with the project", async () => {
  const definition = (epochs: number) =>
    JSON.stringify({
      Version: '2020-12-01',
      Parameters: [{ Name: 'Epochs', Type: 'Integer', DefaultValue: epochs }],
      Steps: [{ Name: 'Train', Type: 'Training', Arguments: {} }]
    });
  const pipelines = await service.listProjectPipelines(project);
  const roleArn = await service.projectRoleArn(project, pipelines);
  // Unique per run, so the test also holds against a devstack it already ran on.
  const run = Date.now().toString(36);
  const user = `Jest_User.${run}`;
  const expectedName = `customer-churn-jest-user-${run}-user-pipeline`;
  const first = await service.upsertUserPipeline(definition(2), {
    project,
    user,
    roleArn
  });
  expect(first).toEqual({ pipelineName: expectedName, created: true });
  const arn = (
    await clients().sagemaker.send(
      new DescribePipelineCommand({ PipelineName: expectedName })
    )
  ).PipelineArn!;
  const tags = await clients().sagemaker.send(
    new ListTagsCommand({ ResourceArn: arn })
  );
  expect(tags.Tags).toEqual(
    expect.arrayContaining([
      { Key: 'sagemaker:project-name', Value: project.name },
      { Key: 'sagemaker:project-id', Value: project.id }
    ])
  );

  const second = await service.upsertUserPipeline(definition(5), {
    project,
    user,
    roleArn
  });
  expect(second).toEqual({ pipelineName: expectedName, created: false });
  expect(
    (await service.getPipelineDefinition(expectedName)).parameters
  ).toEqual([{ name: 'Epochs', type: 'Integer', defaultValue: '5' }]);
  const names = (await service.listProjectPipelines(project)).map(p => p.name);
  expect(names).toContain(expectedName);

  const refused = await service
    .upsertUserPipeline('{oops', { project, user: 'x', roleArn })
    .catch(e => e as MLOpsError);
  expect(refused).toBeInstanceOf(MLOpsError);
  expect((refused as MLOpsError).kind).toBe('validation');
  expect((refused as MLOpsError).message).toMatch(/not valid JSON/);
  await expect(
    clients().sagemaker.send(
      new DescribePipelineCommand({
        PipelineName: `${project.name}-x-user-pipeline`
      })
    )
  ).rejects.toThrow();
});

test('AWS errors arrive typed: access denied, throttling, wrong credentials', async () => {
  await control('/faults', { accessDenied: ['StartPipelineExecution'] });
  const denied = await service
    .startExecution(build, { parameters: [] })
    .catch(e => e as MLOpsError);
  expect(denied).toBeInstanceOf(MLOpsError);
  expect((denied as MLOpsError).kind).toBe('accessDenied');
  expect((denied as MLOpsError).operation).toBe('StartPipelineExecution');
  await control('/faults/reset', {});
  await control('/faults', { throttle: ['ListPipelineExecutions'] });
  const throttled = await service
    .listExecutions(build)
    .catch(e => e as MLOpsError);
  expect((throttled as MLOpsError).kind).toBe('throttling');
  await control('/faults/reset', {});
  const env = devstackEnv();
  // The data scientist's role session, with a wrong secret.
  const real = await clients().sagemaker.config.credentials();
  const wrong = new SageMakerClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: {
      ...real,
      secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret-00'
    },
    maxAttempts: 1
  });
  await expect(wrong.send(new ListPipelinesCommand({}))).rejects.toMatchObject({
    name: 'SignatureDoesNotMatch'
  });
});

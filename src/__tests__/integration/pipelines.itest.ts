/**
 * The Pipelines core services over the unmodified AWS SDK v3, against the
 * devstack (moto with signature verification, plus the added operations).
 */
import {
  ListPipelinesCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';

import { MLOpsError } from '../../core/errors';
import { LogTail } from '../../core/logs';
import { PipelineService } from '../../core/pipelines';
import { describeProject, listProjects } from '../../core/projects';
import { IProject } from '../../core/types';
import { clients, control, devstackEnv, until } from './env';

let service: PipelineService;
let project: IProject;
let build: string;

beforeAll(async () => {
  service = new PipelineService(clients());
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
  const before = service.requestCount;
  const pipelines = await service.listProjectPipelines(project);
  const names = pipelines.map(p => p.name);
  expect(names).toEqual(
    expect.arrayContaining([
      build,
      `${build}-deploy`,
      `${project.name}-alice-user-pipeline`
    ])
  );
  expect(names.every(n => n.startsWith('customer-churn'))).toBe(true);
  expect(
    pipelines.find(p => p.name === build)?.lastExecution?.status
  ).toBeDefined();
  // Search by name tag and by id tag (one page each), one ListPipelineExecutions per pipeline, and one
  // DescribePipelineExecution per finished last execution (for its duration).
  const finished = pipelines.filter(
    p => p.lastExecution && p.lastExecution.endedAt
  ).length;
  expect(service.requestCount - before).toBe(2 + pipelines.length + finished);
  expect(
    pipelines.find(p => p.name === `${build}-deploy`)?.lastExecution?.endedAt
  ).toBeInstanceOf(Date);
});

test('executions are paginated on the wire, newest first, and filter by status', async () => {
  const first = await service.listExecutions(build, { pageSize: 2 });
  expect(first.items).toHaveLength(2);
  expect(first.nextToken).toBeDefined();
  const second = await service.listExecutions(build, {
    pageSize: 2,
    nextToken: first.nextToken
  });
  expect(second.items.map(e => e.arn)).not.toContain(first.items[0].arn);
  const all = [...first.items, ...second.items].map(e =>
    e.startedAt!.getTime()
  );
  expect(all).toEqual([...all].sort((a, b) => b - a));
  const failed = await service.listExecutions(build, {
    pageSize: 3,
    status: 'Failed'
  });
  expect(failed.items.length).toBeGreaterThan(0);
  expect(failed.items.every(e => e.status === 'Failed')).toBe(true);
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
  expect((await tail.next()).events).toHaveLength(0);
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
  const definition = JSON.stringify({
    Version: '2020-12-01',
    Parameters: [{ Name: 'Epochs', Type: 'Integer', DefaultValue: 2 }],
    Steps: [{ Name: 'Train', Type: 'Training', Arguments: {} }]
  });
  const pipelines = await service.listProjectPipelines(project);
  const roleArn = await service.projectRoleArn(project, pipelines);
  const first = await service.upsertUserPipeline(definition, {
    project,
    user: 'Jest_User',
    roleArn
  });
  expect(first).toEqual({
    pipelineName: 'customer-churn-jest-user-user-pipeline',
    created: true
  });
  const second = await service.upsertUserPipeline(definition, {
    project,
    user: 'Jest_User',
    roleArn
  });
  expect(second.created).toBe(false);
  const names = (await service.listProjectPipelines(project)).map(p => p.name);
  expect(names).toContain('customer-churn-jest-user-user-pipeline');
  await expect(
    service.upsertUserPipeline('{oops', { project, user: 'x', roleArn })
  ).rejects.toThrow(/not valid JSON/);
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
  const wrong = new SageMakerClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret-00'
    },
    maxAttempts: 1
  });
  await expect(wrong.send(new ListPipelinesCommand({}))).rejects.toMatchObject({
    name: 'SignatureDoesNotMatch'
  });
});

/**
 * Experiment runs against the devstack: SageMaker Experiments over the unmodified AWS SDK (as the data
 * scientist), MLflow over its REST API at the devstack's real tracking server (unauthenticated, as a self-hosted
 * one is) and at its SageMaker-managed-style front (SigV4 for `sagemaker-mlflow`, the tracking server's ARN in a
 * header), both with Node's fetch.
 */
import { createHash, createHmac, Hash, Hmac } from 'node:crypto';

import { SignatureV4 } from '@smithy/signature-v4';
import type { FinalizeRequestMiddleware } from '@aws-sdk/types';

import { IAwsClients } from '../../core/aws';
import { MLOpsError } from '../../core/errors';
import { describeProject } from '../../core/project/projects';
import {
  filterRuns,
  metricsTable,
  paramsTable,
  sortRuns
} from '../../core/runs/compare';
import { FetchLike, MlflowSource } from '../../core/runs/mlflow';
import { SageMakerExperimentsSource } from '../../core/runs/sagemaker';
import { IExperiment, IRun, IRunProvider } from '../../core/runs/types';
import { IProject } from '../../core/types';
import { clients, credentialsFor, devstackEnv } from './env';

const ARN_HEADER = 'x-mlflow-sm-tracking-server-arn';

function mlflowEnv(): { tracking: string; managed: string; arn: string } {
  const env = devstackEnv();
  const tracking = process.env.MLFLOW_TRACKING_URI;
  const managed = process.env.DEVSTACK_MANAGED_MLFLOW_URL;
  const arn = process.env.DEVSTACK_MANAGED_MLFLOW_ARN;
  if (!tracking || !managed || !arn) {
    throw new Error(
      `The devstack at ${env.AWS_ENDPOINT_URL} runs without MLflow: start it with MLflow.`
    );
  }
  return { tracking, managed, arn };
}

/** Clients that count the requests they send, by operation. */
function counting(): { clients: IAwsClients; count: (op?: string) => number } {
  const counted = clients('data-scientist');
  const sent: string[] = [];
  const middleware: FinalizeRequestMiddleware<any, any> =
    (next, context) => async args => {
      sent.push(String(context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    };
  counted.sagemaker.middlewareStack.add(middleware, {
    step: 'finalizeRequest',
    name: 'countRequests'
  });
  return {
    clients: counted,
    count: op => (op ? sent.filter(o => o === op).length : sent.length)
  };
}

/** Node's fetch, counting requests by path. */
function countingFetch(inner: FetchLike = fetch as unknown as FetchLike): {
  fetch: FetchLike;
  paths: string[];
} {
  const paths: string[] = [];
  return {
    paths,
    fetch: async (url, init) => {
      paths.push(new URL(url).pathname);
      return inner(url, init);
    }
  };
}

type Bytes = string | ArrayBuffer | ArrayBufferView;

function buffer(data: Bytes): Buffer {
  if (typeof data === 'string') {
    return Buffer.from(data, 'utf8');
  }
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return Buffer.from(data);
}

/** SHA-256 and HMAC-SHA-256 as the SigV4 signer takes them, from node:crypto. */
class Sha256 {
  constructor(secret?: Bytes) {
    this._hash = secret
      ? createHmac('sha256', buffer(secret))
      : createHash('sha256');
  }
  update(data: Bytes): void {
    this._hash.update(buffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this._hash.digest());
  }
  reset(): void {
    // one digest per instance
  }
  private _hash: Hash | Hmac;
}

/** A fetch that signs each request as SageMaker managed MLflow wants it (what the server proxy does in Lab). */
function managedMlflowFetch(arn: string): FetchLike {
  const signer = new SignatureV4({
    service: 'sagemaker-mlflow',
    region: devstackEnv().AWS_REGION,
    credentials: credentialsFor('data-scientist'),
    sha256: Sha256
  });
  return async (url, init) => {
    const target = new URL(url);
    const signed = await signer.sign({
      method: init.method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...init.headers, host: target.host, [ARN_HEADER]: arn },
      body: init.body
    });
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    return fetch(url, { method: init.method, headers, body: init.body });
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

/** Every run of an experiment, page by page; returns the runs and the number of pages. */
async function allRuns(
  source: IRunProvider,
  experiment: IExperiment,
  pageSize: number
): Promise<{ runs: IRun[]; pages: number }> {
  const runs: IRun[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await source.listRuns(experiment, {
      pageSize,
      nextToken: token
    });
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    runs.push(...page.items);
    token = page.nextToken;
    pages++;
  } while (token && pages < 100);
  return { runs, pages };
}

let project: IProject;
let other: IProject;

beforeAll(async () => {
  mlflowEnv();
  project = await describeProject(clients(), 'customer-churn');
  other = await describeProject(clients(), 'fraud-detection');
});

describe('SageMaker Experiments', () => {
  test("the project's experiment is found by its tags with one Search", async () => {
    const { clients: counted, count } = counting();
    const source = new SageMakerExperimentsSource(counted);
    const experiments = await source.listExperiments(project);
    expect(experiments.map(e => e.id)).toEqual([`${project.name}-experiments`]);
    // The display name where the record has one (the devstack's has none), else the experiment's name.
    expect([`${project.name} experiments`, experiments[0].id]).toContain(
      experiments[0].name
    );
    expect(experiments[0]).toMatchObject({
      source: 'sagemaker-experiments',
      tags: { 'sagemaker:project-id': project.id }
    });
    expect(experiments[0].createdAt).toBeInstanceOf(Date);
    expect(count()).toBe(1);
    const others = await source.listExperiments(other);
    expect(others.map(e => e.id)).toEqual([`${other.name}-experiments`]);
  });

  test("an experiment's runs: one Search per page, every trial component once, mapped into the run model", async () => {
    const { clients: counted, count } = counting();
    const source = new SageMakerExperimentsSource(counted);
    const [experiment] = await source.listExperiments(project);
    const before = count('Search');
    const { runs, pages } = await allRuns(source, experiment, 5);
    expect(runs).toHaveLength(12);
    expect(pages).toBe(3);
    expect(count('Search') - before).toBe(3);
    expect(new Set(runs.map(r => r.id)).size).toBe(12);
    expect(runs.every(r => r.id.startsWith(`${project.name}-run-`))).toBe(true);
    expect(
      runs.every(
        r =>
          r.experimentId === experiment.id &&
          r.experimentName === experiment.name &&
          r.source === 'sagemaker-experiments'
      )
    ).toBe(true);

    const seventh = runs.find(r => r.id === `${project.name}-run-007`)!;
    expect(seventh).toMatchObject({
      status: 'Failed',
      sourceStatus: 'Failed',
      statusMessage: 'OOM in training',
      params: {
        max_depth: '6',
        eta: '0.15',
        objective: 'binary:logistic',
        instance_type: 'ml.m5.xlarge'
      },
      tags: { 'sagemaker:project-name': project.name }
    });
    expect(seventh.startedAt).toBeInstanceOf(Date);
    expect(seventh.endedAt!.getTime() - seventh.startedAt!.getTime()).toBe(
      (1800 + 60 * 7) * 1000
    );
    const accuracy = seventh.metrics['validation:accuracy'];
    expect(accuracy.min).toBeLessThan(accuracy.max!);
    expect(accuracy.last).toBe(accuracy.max);
    expect(seventh.metrics['train:loss']).toEqual({
      last: 0.18,
      min: 0.18,
      max: 0.9
    });
    expect(runs.filter(r => r.status === 'Completed')).toHaveLength(11);

    // The page size caps at Search's 100: one request for all of them.
    const once = count('Search');
    expect(
      (await source.listRuns(experiment, { pageSize: 1000 })).items
    ).toHaveLength(12);
    expect(count('Search') - once).toBe(1);

    // The other project's experiment has its own two runs.
    const [theirs] = await source.listExperiments(other);
    const their = await allRuns(source, theirs, 100);
    expect(their.runs.map(r => r.id).sort()).toEqual([
      `${other.name}-run-001`,
      `${other.name}-run-002`
    ]);
  });

  test('a run read again with DescribeTrialComponent matches its listing; the history is a summary only', async () => {
    const { clients: counted, count } = counting();
    const source = new SageMakerExperimentsSource(counted);
    const [experiment] = await source.listExperiments(project);
    const listed = (
      await source.listRuns(experiment, { pageSize: 100 })
    ).items.find(r => r.id === `${project.name}-run-005`)!;
    const before = count('DescribeTrialComponent');
    const described = await source.getRun(listed);
    expect(count('DescribeTrialComponent') - before).toBe(1);
    expect(described).toMatchObject({
      id: listed.id,
      name: listed.name,
      experimentId: experiment.id,
      status: listed.status,
      params: listed.params,
      metrics: listed.metrics
    });
    // The unicode display name comes through as it is.
    expect(described.name).not.toBe(listed.id);
    const requests = count();
    expect(await source.metricHistory(listed, 'train:loss')).toEqual({
      name: 'train:loss',
      points: [],
      limitation: 'summaryOnly'
    });
    expect(count()).toBe(requests);

    // AWS answers ResourceNotFound (notFound); moto a ValidationException naming the missing component.
    const missing = await failure(
      source.getRun({ ...listed, id: `${project.name}-no-such-run` })
    );
    expect(missing.operation).toBe('DescribeTrialComponent');
    expect(['notFound', 'validation']).toContain(missing.kind);
  });
});

describe.each([
  ['the tracking server', 'tracking'],
  ['the managed MLflow front (SigV4)', 'managed']
] as const)('MLflow through %s', (_label, kind) => {
  function source(): { source: MlflowSource; paths: string[] } {
    const env = mlflowEnv();
    const { fetch: counted, paths } = countingFetch(
      kind === 'managed' ? managedMlflowFetch(env.arn) : undefined
    );
    return {
      source: new MlflowSource(
        counted,
        kind === 'managed' ? env.managed : env.tracking
      ),
      paths
    };
  }

  test("the project's experiments, not the other project's", async () => {
    const { source: mlflow, paths } = source();
    const experiments = await mlflow.listExperiments(project);
    expect(experiments.map(e => e.name).sort()).toEqual([
      project.name,
      `${project.name}-hyperparameter-tuning`
    ]);
    expect(
      experiments.every(
        e =>
          e.source === 'mlflow' &&
          e.tags['sagemaker:project-id'] === project.id &&
          e.createdAt instanceof Date
      )
    ).toBe(true);
    // By tag and by name prefix: one request each.
    expect(paths).toEqual([
      expect.stringMatching(/\/api\/2\.0\/mlflow\/experiments\/search$/),
      expect.stringMatching(/\/api\/2\.0\/mlflow\/experiments\/search$/)
    ]);
    const theirs = await mlflow.listExperiments(other);
    expect(theirs.map(e => e.name).sort()).toEqual([
      other.name,
      `${other.name}-hyperparameter-tuning`
    ]);
  });

  test('runs: one runs/search per page, newest first, mapped into the run model; a run again; a metric history', async () => {
    const { source: mlflow, paths } = source();
    const experiment = (await mlflow.listExperiments(project)).find(
      e => e.name === project.name
    )!;
    const before = paths.length;
    const { runs, pages } = await allRuns(mlflow, experiment, 5);
    expect(runs).toHaveLength(12);
    expect(pages).toBe(3);
    expect(paths.length - before).toBe(3);
    expect(paths.slice(before).every(p => p.endsWith('/runs/search'))).toBe(
      true
    );
    expect(new Set(runs.map(r => r.id)).size).toBe(12);
    const started = runs.map(r => r.startedAt!.getTime());
    expect(started).toEqual([...started].sort((a, b) => b - a));

    // The seeded statuses: index % 7 == 3 failed, index % 11 == 5 killed, the rest finished.
    const byIndex = (i: number) =>
      runs.find(r => r.name.endsWith(`-${String(i).padStart(4, '0')}`))!;
    expect(byIndex(3)).toMatchObject({
      status: 'Failed',
      sourceStatus: 'FAILED',
      statusMessage: expect.stringContaining('AlgorithmError')
    });
    expect(byIndex(5)).toMatchObject({
      status: 'Stopped',
      sourceStatus: 'KILLED'
    });
    expect(byIndex(0)).toMatchObject({
      status: 'Completed',
      experimentId: experiment.id,
      experimentName: project.name,
      source: 'mlflow',
      links: { source: 'notebooks/train.ipynb' },
      tags: { 'sagemaker:project-name': project.name }
    });
    const finished = byIndex(0);
    expect(Object.keys(finished.params).sort()).toEqual([
      'eta',
      'instance_type',
      'max_depth',
      'num_round',
      'objective',
      'subsample'
    ]);
    expect(finished.metrics['validation:auc']).toMatchObject({ step: 9 });
    expect(finished.metrics['test:accuracy'].last).toBeGreaterThan(0.5);
    expect(byIndex(3).metrics['test:accuracy']).toBeUndefined();

    const again = await mlflow.getRun(finished);
    expect(again).toEqual(finished);
    const missing = await failure(
      mlflow.getRun({ ...finished, id: 'ffffffffffffffffffffffffffffffff' })
    );
    expect(missing).toMatchObject({ code: 'RunNotFound', kind: 'notFound' });

    const historyBefore = paths.length;
    const history = await mlflow.metricHistory(finished, 'validation:auc');
    expect(paths.length - historyBefore).toBe(1);
    expect(paths[paths.length - 1]).toMatch(/\/metrics\/get-history$/);
    expect(history.limitation).toBeUndefined();
    expect(history.points.map(p => p.step)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9
    ]);
    expect(history.points[9].value).toBe(
      finished.metrics['validation:auc'].last
    );
    expect(history.points[0].timestamp).toBeInstanceOf(Date);
    // An unknown metric has no points; an unknown run is not found.
    expect(
      (await mlflow.metricHistory(finished, 'no-such-metric')).points
    ).toEqual([]);
    // A run that does not exist has no history either.
    expect(
      (
        await mlflow.metricHistory(
          { id: 'ffffffffffffffffffffffffffffffff' },
          'validation:auc'
        )
      ).points
    ).toEqual([]);
  });
});

test('the managed front refuses a request that is not signed', async () => {
  const env = mlflowEnv();
  const mlflow = new MlflowSource(fetch as unknown as FetchLike, env.managed);
  const error = await failure(mlflow.listExperiments(project));
  expect(error.status).toBeGreaterThanOrEqual(400);
  expect(error.operation).toBe('SearchExperiments');
});

test('runs of both sources in one table: compared, sorted and filtered', async () => {
  const sagemaker = new SageMakerExperimentsSource(clients());
  const mlflow = new MlflowSource(
    fetch as unknown as FetchLike,
    mlflowEnv().tracking
  );
  const [smExperiment] = await sagemaker.listExperiments(project);
  const mlExperiment = (await mlflow.listExperiments(project)).find(
    e => e.name === project.name
  )!;
  const runs = [
    ...(await allRuns(sagemaker, smExperiment, 100)).runs,
    ...(await allRuns(mlflow, mlExperiment, 100)).runs
  ];
  expect(runs).toHaveLength(24);
  const params = paramsTable(runs);
  // Both record max_depth, eta, objective and instance_type; only MLflow num_round and subsample.
  expect(params.find(r => r.name === 'objective')).toMatchObject({
    differs: false
  });
  expect(params.find(r => r.name === 'num_round')!.values.slice(0, 12)).toEqual(
    Array(12).fill(undefined)
  );
  expect(
    paramsTable(runs, { differencesOnly: true }).map(r => r.name)
  ).not.toContain('objective');
  expect(metricsTable(runs).map(r => r.name)).toEqual(
    expect.arrayContaining(['validation:accuracy', 'validation:auc'])
  );
  // Sorted by an MLflow metric: the SageMaker runs (without it) come last, either way.
  for (const direction of ['ascending', 'descending'] as const) {
    const sorted = sortRuns(
      runs,
      { by: 'metric', name: 'validation:auc' },
      direction
    );
    expect(
      sorted.slice(12).every(r => r.source === 'sagemaker-experiments')
    ).toBe(true);
  }
  const deep = filterRuns(runs, { params: { max_depth: '6' } });
  expect(deep.length).toBeGreaterThan(0);
  expect(deep.every(r => Number(r.params.max_depth) === 6)).toBe(true);
  expect(new Set(deep.map(r => r.source)).size).toBe(2);
});

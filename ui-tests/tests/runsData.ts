/**
 * Runs the runs tests create for themselves, at the devstack: an MLflow experiment of the project with its
 * runs (over the tracking server's REST API, as a training script's client would log them), and a SageMaker
 * experiment with trial components (the SageMaker API, metrics through sagemaker-metrics' BatchPutMetrics,
 * signed as the data scientist).
 */
import {
  AssociateTrialComponentCommand,
  CreateExperimentCommand,
  CreateTrialCommand,
  CreateTrialComponentCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { fromHttp } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, Hash, Hmac } from 'node:crypto';

import { PROJECT } from './helpers';

/** One run to create: its name, params, and a metric's values by step (the last is its final value). */
export interface IRunSpec {
  name: string;
  params: Record<string, string>;
  metrics: Record<string, number[]>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: source the devstack env file first`);
  }
  return value;
}

const PROJECT_ID_TAG = 'sagemaker:project-name';

async function mlflow<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(
    `${env('MLFLOW_TRACKING_URI')}/api/2.0/mlflow/${path}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }
  );
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`MLflow ${path}: HTTP ${response.status} ${text}`);
  }
  return JSON.parse(text) as T;
}

/** An MLflow experiment of the project with the given runs (created one after the other, 1 s apart). */
export async function createMlflowExperiment(
  name: string,
  runs: IRunSpec[]
): Promise<{ experimentId: string; runIds: string[] }> {
  const { experiment_id: experimentId } = await mlflow<{
    experiment_id: string;
  }>('experiments/create', {
    name,
    tags: [{ key: PROJECT_ID_TAG, value: PROJECT }]
  });
  const runIds: string[] = [];
  const start = Date.now() - 3_600_000;
  for (const [i, spec] of runs.entries()) {
    const started = start + i * 1000;
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>(
      'runs/create',
      {
        experiment_id: experimentId,
        run_name: spec.name,
        start_time: started,
        tags: [{ key: PROJECT_ID_TAG, value: PROJECT }]
      }
    );
    const runId = run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: Object.entries(spec.params).map(([key, value]) => ({
        key,
        value
      })),
      metrics: Object.entries(spec.metrics).flatMap(([key, values]) =>
        values.map((value, step) => ({
          key,
          value,
          step,
          timestamp: started + step * 1000
        }))
      )
    });
    await mlflow('runs/update', {
      run_id: runId,
      status: 'FINISHED',
      end_time: started + 600_000
    });
    runIds.push(runId);
  }
  return { experimentId, runIds };
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

/** SHA-256 and HMAC-SHA-256 for the SigV4 signer, from node:crypto. */
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

function credentials() {
  return fromHttp({
    awsContainerCredentialsFullUri: env('AWS_CONTAINER_CREDENTIALS_FULL_URI'),
    awsContainerAuthorizationToken: env('AWS_CONTAINER_AUTHORIZATION_TOKEN')
  });
}

/** sagemaker-metrics' BatchPutMetrics (a REST-JSON call), signed as the data scientist. */
async function putMetrics(
  trialComponentName: string,
  metrics: Record<string, number[]>,
  start: number
): Promise<void> {
  const url = new URL('/BatchPutMetrics', env('AWS_ENDPOINT_URL'));
  const body = JSON.stringify({
    TrialComponentName: trialComponentName,
    MetricData: Object.entries(metrics).flatMap(([name, values]) =>
      values.map((value, step) => ({
        MetricName: name,
        Step: step,
        Value: value,
        Timestamp: Math.floor(start / 1000) + step
      }))
    )
  });
  const signer = new SignatureV4({
    service: 'sagemaker',
    region: env('AWS_REGION'),
    credentials: credentials(),
    sha256: Sha256
  });
  const signed = await signer.sign({
    method: 'PUT',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body
  });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  const response = await fetch(url, { method: 'PUT', headers, body });
  if (!response.ok) {
    throw new Error(
      `BatchPutMetrics: HTTP ${response.status} ${await response.text()}`
    );
  }
}

/** A SageMaker experiment of the project, one trial, and a trial component per run (finished, 1 s apart). */
export async function createSageMakerExperiment(
  name: string,
  runs: IRunSpec[]
): Promise<{ componentNames: string[] }> {
  const sagemaker = new SageMakerClient({
    region: env('AWS_REGION'),
    endpoint: env('AWS_ENDPOINT_URL'),
    credentials: credentials(),
    maxAttempts: 2
  });
  const tags = [{ Key: PROJECT_ID_TAG, Value: PROJECT }];
  await sagemaker.send(
    new CreateExperimentCommand({ ExperimentName: name, Tags: tags })
  );
  const trial = `${name}-trial`;
  await sagemaker.send(
    new CreateTrialCommand({
      TrialName: trial,
      ExperimentName: name,
      Tags: tags
    })
  );
  const componentNames: string[] = [];
  const start = Date.now() - 3_600_000;
  for (const [i, spec] of runs.entries()) {
    const component = `${name}-${i + 1}`;
    const started = start + i * 1000;
    await sagemaker.send(
      new CreateTrialComponentCommand({
        TrialComponentName: component,
        DisplayName: spec.name,
        StartTime: new Date(started),
        EndTime: new Date(started + 600_000),
        Status: { PrimaryStatus: 'Completed' },
        Parameters: Object.fromEntries(
          Object.entries(spec.params).map(([key, value]) => [
            key,
            { StringValue: value }
          ])
        ),
        Tags: tags
      })
    );
    await sagemaker.send(
      new AssociateTrialComponentCommand({
        TrialComponentName: component,
        TrialName: trial
      })
    );
    await putMetrics(component, spec.metrics, started);
    componentNames.push(component);
  }
  return { componentNames };
}

/**
 * MLflow as a run source, over its REST API 2.0: the project's experiments (`experiments/search` by project tag
 * and by name prefix), an experiment's runs one `runs/search` page at a time, a metric's history
 * (`metrics/get-history`).
 *
 * Requests go through an injected `fetch`-like function to `<baseUrl>/api/2.0/mlflow/...`: the JupyterLab host
 * passes its proxy's `sagemaker-mlflow` base and a fetch that adds its XSRF headers (the server signs for
 * SageMaker managed MLflow or calls a self-hosted tracking server); a Node host passes a tracking server's URL
 * and `fetch` (signing it for managed MLflow itself).
 */
import { MLOpsError, toMLOpsError } from '../errors';
import { IPage, IProject } from '../types';
import { dateOfMillis, linksOf, statusOfMlflowRun, tagRecord } from './rules';
import type {
  IExperiment,
  IMetricHistory,
  IMetricPoint,
  IMetricSummary,
  IRun,
  IRunPageOptions,
  IRunProvider
} from './types';

/** The part of a fetch `Response` the source reads. */
export interface IFetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

/** What the source sends: `fetch(url, {method, headers, body})`. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string }
) => Promise<IFetchResponse>;

/** The MLflow REST shapes the source reads (protobuf JSON: int64 values may come as strings). */
interface IMlflowTag {
  key?: string;
  value?: string;
}
interface IMlflowExperiment {
  experiment_id?: string;
  name?: string;
  lifecycle_stage?: string;
  creation_time?: number | string;
  tags?: IMlflowTag[];
}
interface IMlflowMetric {
  key?: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}
interface IMlflowRun {
  info?: {
    run_id?: string;
    run_uuid?: string;
    run_name?: string;
    experiment_id?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
  };
  data?: {
    metrics?: IMlflowMetric[];
    params?: { key?: string; value?: string }[];
    tags?: IMlflowTag[];
  };
}

/** `runs/search` takes at most this many runs per page. */
const MAX_RUNS_PAGE = 1000;
const EXPERIMENTS_PAGE = 1000;
const HISTORY_PAGE = 25000;
/** A project name as SageMaker allows it: nothing to quote in a filter. */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** A number of MLflow's JSON (NaN and infinities come as strings). */
function numberOf(value: number | string | undefined): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isNaN(n) && value !== 'NaN' ? undefined : n;
}

/** An MLflow run as a run of `experiment`. */
export function runOfMlflow(
  run: IMlflowRun,
  experiment?: Pick<IExperiment, 'id' | 'name'>
): IRun {
  const info = run.info ?? {};
  const tags = tagRecord(run.data?.tags);
  const params: Record<string, string> = {};
  for (const p of run.data?.params ?? []) {
    if (p.key) {
      params[p.key] = p.value ?? '';
    }
  }
  const metrics: Record<string, IMetricSummary> = {};
  for (const m of run.data?.metrics ?? []) {
    const value = numberOf(m.value);
    if (m.key && value !== undefined) {
      metrics[m.key] = { last: value, step: numberOf(m.step) ?? 0 };
    }
  }
  const id = info.run_id ?? info.run_uuid ?? '';
  const experimentId = experiment?.id ?? info.experiment_id ?? '';
  return {
    id,
    name: info.run_name || tags['mlflow.runName'] || id,
    experimentId,
    experimentName: experiment?.name ?? experimentId,
    source: 'mlflow',
    status: statusOfMlflowRun(info.status),
    sourceStatus: info.status,
    statusMessage: tags['failure_reason'] || undefined,
    startedAt: dateOfMillis(info.start_time),
    endedAt: dateOfMillis(info.end_time),
    params,
    metrics,
    tags,
    links: linksOf([], tags)
  };
}

export function experimentOfMlflow(experiment: IMlflowExperiment): IExperiment {
  return {
    id: experiment.experiment_id ?? '',
    name: experiment.name ?? experiment.experiment_id ?? '',
    source: 'mlflow',
    createdAt: dateOfMillis(experiment.creation_time),
    tags: tagRecord(experiment.tags)
  };
}

/** Whether an experiment's tags name another project than `project` (by name or id). */
function taggedElsewhere(
  tags: Record<string, string>,
  project: IProject
): boolean {
  const name = tags['sagemaker:project-name'];
  const id = tags['sagemaker:project-id'];
  return (
    (name !== undefined && name !== project.name) ||
    (id !== undefined && !!project.id && id !== project.id)
  );
}

export class MlflowSource implements IRunProvider {
  readonly source = 'mlflow' as const;

  /**
   * @param fetch sends a request (the host's: through its proxy, or to the tracking server).
   * @param baseUrl where `/api/2.0/mlflow/...` starts, without a trailing slash.
   * @param options.byNamePrefix also take untagged experiments whose name starts with the project's (default on).
   */
  constructor(
    fetch: FetchLike,
    baseUrl: string,
    options: { byNamePrefix?: boolean } = {}
  ) {
    this._fetch = fetch;
    this._base = baseUrl.replace(/\/+$/, '');
    this._byNamePrefix = options.byNamePrefix ?? true;
  }

  /**
   * The project's active experiments: those tagged `sagemaker:project-name` with the project's name, and (by
   * name prefix) those whose name starts with it and whose tags name no other project. One `experiments/search`
   * per filter and page.
   */
  async listExperiments(project: IProject): Promise<IExperiment[]> {
    if (!PLAIN.test(project.name)) {
      throw new MLOpsError({
        code: 'InvalidProjectName',
        message: `'${project.name}' is not a SageMaker project name.`,
        kind: 'validation',
        params: { name: project.name }
      });
    }
    const filters = [`tags.\`sagemaker:project-name\` = '${project.name}'`];
    if (this._byNamePrefix) {
      filters.push(`name LIKE '${project.name}%'`);
    }
    const found = new Map<string, IExperiment>();
    for (const filter of filters) {
      let token: string | undefined;
      do {
        const out = await this._send<{
          experiments?: IMlflowExperiment[];
          next_page_token?: string;
        }>('SearchExperiments', 'POST', 'experiments/search', {
          filter,
          max_results: EXPERIMENTS_PAGE,
          view_type: 'ACTIVE_ONLY',
          order_by: ['creation_time DESC'],
          ...(token ? { page_token: token } : {})
        });
        for (const e of out.experiments ?? []) {
          const experiment = experimentOfMlflow(e);
          if (experiment.id && !taggedElsewhere(experiment.tags, project)) {
            found.set(experiment.id, experiment);
          }
        }
        token = out.next_page_token || undefined;
      } while (token);
    }
    return [...found.values()].sort(
      (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)
    );
  }

  /**
   * One page of an experiment's active runs, newest first: one `runs/search` (pass back `nextToken`).
   * `orderBy` takes MLflow's clauses (`metrics.\`validation:auc\` DESC` ...), `filter` its filter string.
   */
  async listRuns(
    experiment: Pick<IExperiment, 'id' | 'name'>,
    options: IRunPageOptions & { orderBy?: string[]; filter?: string } = {}
  ): Promise<IPage<IRun>> {
    const pageSize = Math.max(
      1,
      Math.min(options.pageSize ?? 100, MAX_RUNS_PAGE)
    );
    const out = await this._send<{
      runs?: IMlflowRun[];
      next_page_token?: string;
    }>('SearchRuns', 'POST', 'runs/search', {
      experiment_ids: [experiment.id],
      max_results: pageSize,
      run_view_type: 'ACTIVE_ONLY',
      order_by: options.orderBy ?? ['attributes.start_time DESC'],
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.nextToken ? { page_token: options.nextToken } : {})
    });
    return {
      items: (out.runs ?? []).map(r => runOfMlflow(r, experiment)),
      nextToken: out.next_page_token || undefined
    };
  }

  /** One run, read again: one `runs/search` for its id in its experiment (no other route is needed). */
  async getRun(
    run: Pick<IRun, 'id' | 'experimentId' | 'experimentName'>
  ): Promise<IRun> {
    if (!/^[A-Za-z0-9]+$/.test(run.id)) {
      throw new MLOpsError({
        code: 'RunNotFound',
        message: `'${run.id}' is not an MLflow run id.`,
        kind: 'notFound',
        params: { run: run.id }
      });
    }
    const page = await this.listRuns(
      { id: run.experimentId, name: run.experimentName },
      { filter: `attributes.run_id = '${run.id}'`, pageSize: 1 }
    );
    const found = page.items[0];
    if (!found) {
      throw new MLOpsError({
        code: 'RunNotFound',
        message: `The MLflow run ${run.id} does not exist in experiment ${run.experimentName} (or was deleted).`,
        kind: 'notFound',
        operation: 'SearchRuns',
        params: { run: run.id, experiment: run.experimentName }
      });
    }
    return found;
  }

  /** Every value a metric of a run took, by step: `metrics/get-history`, one request per page. */
  async metricHistory(
    run: Pick<IRun, 'id'>,
    metric: string
  ): Promise<IMetricHistory> {
    const points: IMetricPoint[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({
        run_id: run.id,
        metric_key: metric,
        max_results: String(HISTORY_PAGE)
      });
      if (token) {
        query.set('page_token', token);
      }
      const out = await this._send<{
        metrics?: IMlflowMetric[];
        next_page_token?: string;
      }>('GetMetricHistory', 'GET', `metrics/get-history?${query}`);
      for (const m of out.metrics ?? []) {
        const value = numberOf(m.value);
        if (value !== undefined) {
          points.push({
            step: numberOf(m.step) ?? 0,
            value,
            timestamp: dateOfMillis(m.timestamp)
          });
        }
      }
      token = out.next_page_token || undefined;
    } while (token);
    points.sort(
      (a, b) =>
        a.step - b.step ||
        (a.timestamp?.getTime() ?? 0) - (b.timestamp?.getTime() ?? 0)
    );
    return { name: metric, points };
  }

  /** One request; MLflow's errors (`{error_code, message}`) and the proxy's (`{code, message}`) as MLOpsErrors. */
  private async _send<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown
  ): Promise<T> {
    let response: IFetchResponse;
    let text: string;
    try {
      response = await this._fetch(`${this._base}/api/2.0/mlflow/${path}`, {
        method,
        headers:
          body === undefined
            ? { Accept: 'application/json' }
            : {
                Accept: 'application/json',
                'Content-Type': 'application/json'
              },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      text = await response.text();
    } catch (error) {
      throw toMLOpsError(error, operation);
    }
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      throw errorOfResponse(response.status, parsed, text, operation);
    }
    if (parsed === undefined || typeof parsed !== 'object') {
      throw new MLOpsError({
        code: 'InvalidResponse',
        message: `MLflow answered ${operation} with something that is not JSON.`,
        status: response.status,
        operation,
        kind: 'server'
      });
    }
    return parsed as T;
  }

  private _fetch: FetchLike;
  private _base: string;
  private _byNamePrefix: boolean;
}

/** MLflow's error codes that say more than their HTTP status. */
const MLFLOW_KINDS: Record<string, MLOpsError['kind']> = {
  RESOURCE_DOES_NOT_EXIST: 'notFound',
  INVALID_PARAMETER_VALUE: 'validation',
  BAD_REQUEST: 'validation',
  PERMISSION_DENIED: 'accessDenied',
  UNAUTHENTICATED: 'expiredCredentials',
  REQUEST_LIMIT_EXCEEDED: 'throttling',
  TEMPORARILY_UNAVAILABLE: 'server',
  INTERNAL_ERROR: 'server'
};

export function errorOfResponse(
  status: number,
  body: any,
  text: string,
  operation: string
): MLOpsError {
  const code: string =
    (body && (body.error_code || body.code || body.__type || body.Code)) ||
    `HTTP${status}`;
  const shortCode = String(code).split('#').pop() as string;
  const message: string =
    (body && (body.message || body.Message)) ||
    text.slice(0, 300) ||
    `MLflow answered ${operation} with HTTP ${status}.`;
  return new MLOpsError({
    code: shortCode,
    message,
    status,
    operation,
    kind: MLFLOW_KINDS[shortCode]
  });
}

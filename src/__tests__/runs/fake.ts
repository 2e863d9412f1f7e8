import { Signal } from '@lumino/signaling';

import { MLOpsError } from '../../core/errors';
import type {
  IExperiment,
  IMetricHistory,
  IRun,
  IRunPageOptions,
  IRunProvider,
  IRunSource
} from '../../core/runs/types';
import type { IPage, IProject } from '../../core/types';
import { IMLOpsConnection, IMLOpsProject } from '../../tokens';

export const PROJECT: IProject = { name: 'customer-churn', id: 'p-1' };

/** A run of a source, numbered: newer runs have higher numbers. */
export function run(
  source: IRunSource,
  experiment: string,
  n: number,
  extra: Partial<IRun> = {}
): IRun {
  return {
    id: `${source === 'mlflow' ? 'r' : 'tc-'}${n}`,
    name: `run ${n}`,
    experimentId: experiment,
    experimentName: experiment,
    source,
    status: 'Completed',
    startedAt: new Date(Date.UTC(2026, 10, 1, 0, n)),
    endedAt: new Date(Date.UTC(2026, 10, 1, 0, n + 1)),
    params: { eta: String(n % 3), depth: '4' },
    metrics: { 'validation:auc': { last: n / 100 } },
    tags: {},
    links: {},
    ...extra
  };
}

/** An in-memory source: experiments, runs newest first, paged by a numeric token; counts its calls. */
export class FakeProvider implements IRunProvider {
  constructor(
    readonly source: IRunSource,
    public experiments: IExperiment[],
    public runs: Map<string, IRun[]>
  ) {}
  calls: string[] = [];
  fail: MLOpsError | null = null;
  /** Fail only the pages after the first. */
  failNextPages: MLOpsError | null = null;
  histories = new Map<string, IMetricHistory>();

  async listExperiments(project: IProject): Promise<IExperiment[]> {
    this.calls.push(`experiments:${project.name}`);
    if (this.fail) {
      throw this.fail;
    }
    return this.experiments;
  }
  async listRuns(
    experiment: Pick<IExperiment, 'id' | 'name'>,
    options: IRunPageOptions = {}
  ): Promise<IPage<IRun>> {
    const size = options.pageSize ?? 20;
    const start = Number(options.nextToken ?? 0);
    this.calls.push(`runs:${experiment.id}:${start}:${size}`);
    if (this.fail) {
      throw this.fail;
    }
    if (this.failNextPages && options.nextToken) {
      throw this.failNextPages;
    }
    const all = this.runs.get(experiment.id) ?? [];
    const items = all.slice(start, start + size);
    return {
      items,
      nextToken: start + size < all.length ? String(start + size) : undefined
    };
  }
  async getRun(r: Pick<IRun, 'id'>): Promise<IRun> {
    for (const list of this.runs.values()) {
      const found = list.find(x => x.id === r.id);
      if (found) {
        return found;
      }
    }
    throw new Error('not found');
  }
  async metricHistory(
    r: Pick<IRun, 'id'>,
    metric: string
  ): Promise<IMetricHistory> {
    this.calls.push(`history:${r.id}:${metric}`);
    if (this.source === 'sagemaker-experiments') {
      return { name: metric, points: [], limitation: 'summaryOnly' };
    }
    return (
      this.histories.get(`${r.id}:${metric}`) ?? { name: metric, points: [] }
    );
  }
  count(prefix: string): number {
    return this.calls.filter(c => c.startsWith(prefix)).length;
  }
}

export class FakeProject implements IMLOpsProject {
  project: IProject | null = PROJECT;
  state = 'resolved' as const;
  error = null;
  changed: Signal<IMLOpsProject, void> = new Signal<IMLOpsProject, void>(this);
  resolve = async () => this.project;
  choose = async () => undefined;
  refresh = async () => this.project;
}

export function fakeConnection(): IMLOpsConnection {
  return {
    refreshInterval: 3600,
    region: 'us-east-1',
    changed: new Signal<IMLOpsConnection, void>({} as IMLOpsConnection)
  } as unknown as IMLOpsConnection;
}

export const settle = (ms = 20) =>
  new Promise(resolve => setTimeout(resolve, ms));

import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { mapLimit } from '../../core/aws';
import { MLOpsError, toMLOpsError } from '../../core/errors';
import {
  IMetricRow,
  IParamRow,
  keysOf,
  metricsTable,
  paramsTable
} from '../../core/runs/compare';
import type {
  IMetricHistory,
  IMetricSummary,
  IRun,
  IRunProvider,
  IRunSource
} from '../../core/runs/types';
import { runKey } from '../rules';

/** Metric histories read at once (a chart's metric for up to this many runs in one go). */
const CONCURRENCY = 6;

/** One run's history of a metric, as read (or failing). */
export interface IHistoryState {
  history?: IMetricHistory;
  error?: MLOpsError;
  loading: boolean;
}

/**
 * A compare of any number of runs from any sources: the params side by side (with the differences), the
 * metrics' last, min and max (min and max from the history where the source's listing gives only the last
 * value), and the histories the charts draw, each read once, the shown chart's metric first.
 */
export class CompareModel implements IDisposable {
  constructor(options: CompareModel.IOptions) {
    this.runs = options.runs;
    this._provider = options.provider;
    const keys = keysOf(this.runs);
    this.paramNames = keys.params;
    this.metricNames = keys.metrics;
  }

  readonly runs: readonly IRun[];
  readonly paramNames: readonly string[];
  readonly metricNames: readonly string[];

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  params(differencesOnly: boolean): IParamRow[] {
    return paramsTable(this.runs, { differencesOnly });
  }

  /** The metrics side by side; min and max completed from the histories read so far. */
  metrics(differencesOnly: boolean): IMetricRow[] {
    return metricsTable(this.runs, { differencesOnly }).map(row => ({
      ...row,
      values: row.values.map((value, i) =>
        this._summary(this.runs[i], row.name, value)
      )
    }));
  }

  history(run: IRun, metric: string): IHistoryState | undefined {
    return this._histories.get(`${runKey(run)}\n${metric}`);
  }

  /** Read the histories of a metric for every run that has it (each once); resolves when all arrived. */
  async loadMetric(metric: string): Promise<void> {
    const wanted = this.runs.filter(
      r => r.metrics[metric] && !this._histories.has(`${runKey(r)}\n${metric}`)
    );
    for (const run of wanted) {
      this._histories.set(`${runKey(run)}\n${metric}`, { loading: true });
    }
    if (!wanted.length) {
      await this._pending(metric);
      return;
    }
    this._emit();
    const done = mapLimit(wanted, CONCURRENCY, async run => {
      const key = `${runKey(run)}\n${metric}`;
      try {
        const history = await (
          await this._provider(run.source)
        ).metricHistory(run, metric);
        this._histories.set(key, { history, loading: false });
      } catch (error) {
        this._histories.set(key, {
          error: toMLOpsError(
            error,
            run.source === 'mlflow' ? 'GetMetricHistory' : undefined
          ),
          loading: false
        });
      }
      this._emit();
    }).then(() => undefined);
    this._inFlight.set(metric, done);
    await done;
  }

  /** Every metric's histories, in the background (for min and max), after the one a chart shows. */
  async loadAll(first?: string): Promise<void> {
    if (first) {
      await this.loadMetric(first);
    }
    for (const metric of this.metricNames) {
      if (this._disposed) {
        return;
      }
      await this.loadMetric(metric);
    }
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      Signal.clearData(this);
    }
  }

  private _pending(metric: string): Promise<void> {
    return this._inFlight.get(metric) ?? Promise.resolve();
  }

  private _summary(
    run: IRun,
    metric: string,
    value: IMetricSummary | undefined
  ): IMetricSummary | undefined {
    if (!value || (value.min !== undefined && value.max !== undefined)) {
      return value;
    }
    const points = this.history(run, metric)?.history?.points;
    if (!points?.length) {
      return value;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const p of points) {
      if (p.value < min) {
        min = p.value;
      }
      if (p.value > max) {
        max = p.value;
      }
    }
    return { ...value, min, max };
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _provider: (source: IRunSource) => Promise<IRunProvider>;
  private _histories = new Map<string, IHistoryState>();
  private _inFlight = new Map<string, Promise<void>>();
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace CompareModel {
  export interface IOptions {
    runs: readonly IRun[];
    provider: (source: IRunSource) => Promise<IRunProvider>;
  }
}

/** A chart's series: one per run with data, in the runs' order. */
export interface ISeries {
  run: IRun;
  /** Its place among the compared runs (its colour). */
  index: number;
  x: number[];
  y: number[];
}

/** The line chart's series of a metric: one per run whose history has points. */
export function historySeries(
  model: Pick<CompareModel, 'runs' | 'history'>,
  metric: string
): ISeries[] {
  const series: ISeries[] = [];
  model.runs.forEach((run, index) => {
    const points = model.history(run, metric)?.history?.points;
    if (points?.length) {
      series.push({
        run,
        index,
        x: points.map(p => p.step),
        y: points.map(p => p.value)
      });
    }
  });
  return series;
}

/**
 * The scatter's points of a metric (last value) against a param: one series per run that has both. Numeric
 * params are placed by value; otherwise every distinct value gets a place (`categories`, natural order).
 */
export function scatterSeries(
  runs: readonly IRun[],
  metric: string,
  param: string
): { series: ISeries[]; categories?: string[] } {
  const usable = runs
    .map((run, index) => ({ run, index }))
    .filter(
      ({ run }) =>
        run.metrics[metric] !== undefined && run.params[param] !== undefined
    );
  const numeric = usable.every(({ run }) => {
    const v = run.params[param];
    return v.trim() !== '' && Number.isFinite(Number(v));
  });
  const categories = numeric
    ? undefined
    : [...new Set(usable.map(({ run }) => run.params[param]))].sort((a, b) =>
        a.localeCompare(b, undefined, { numeric: true })
      );
  return {
    categories,
    series: usable.map(({ run, index }) => ({
      run,
      index,
      x: [
        numeric
          ? Number(run.params[param])
          : categories!.indexOf(run.params[param])
      ],
      y: [run.metrics[metric].last]
    }))
  };
}

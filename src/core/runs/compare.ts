/**
 * Comparing, sorting and filtering runs: pure functions over the run model, for any number of runs and from any
 * mix of sources. No SDK import.
 */
import type { IMetricSummary, IRun, RunStatus } from './types';

/** A parameter across runs: one value per run (undefined where the run lacks it). */
export interface IParamRow {
  name: string;
  values: (string | undefined)[];
  /** Not every run has the same value (a missing value differs from any present one). */
  differs: boolean;
}

/** A metric across runs: one summary per run. */
export interface IMetricRow {
  name: string;
  values: (IMetricSummary | undefined)[];
  /** Not every run has the same last value. */
  differs: boolean;
}

/** Every parameter and metric name of the runs, sorted. */
export function keysOf(runs: readonly IRun[]): {
  params: string[];
  metrics: string[];
} {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    Object.keys(run.params).forEach(k => params.add(k));
    Object.keys(run.metrics).forEach(k => metrics.add(k));
  }
  return {
    params: [...params].sort(byText),
    metrics: [...metrics].sort(byText)
  };
}

function allSame<T>(values: readonly T[], key: (value: T) => unknown): boolean {
  if (values.length === 0) {
    return true;
  }
  const first = key(values[0]);
  return values.every(v => Object.is(key(v), first));
}

/** The parameters of `runs` side by side, by name; `differencesOnly` keeps the rows that differ. */
export function paramsTable(
  runs: readonly IRun[],
  options: { differencesOnly?: boolean } = {}
): IParamRow[] {
  const rows = keysOf(runs).params.map(name => {
    const values = runs.map(r =>
      Object.prototype.hasOwnProperty.call(r.params, name)
        ? r.params[name]
        : undefined
    );
    return { name, values, differs: !allSame(values, v => v) };
  });
  return options.differencesOnly ? rows.filter(r => r.differs) : rows;
}

/** The metrics of `runs` side by side (last, min, max per run), by name; `differencesOnly` as for params. */
export function metricsTable(
  runs: readonly IRun[],
  options: { differencesOnly?: boolean } = {}
): IMetricRow[] {
  const rows = keysOf(runs).metrics.map(name => {
    const values = runs.map(r =>
      Object.prototype.hasOwnProperty.call(r.metrics, name)
        ? r.metrics[name]
        : undefined
    );
    return { name, values, differs: !allSame(values, v => v?.last) };
  });
  return options.differencesOnly ? rows.filter(r => r.differs) : rows;
}

/** What a runs table sorts by. */
export type RunSortKey =
  | { by: 'metric'; name: string; stat?: 'last' | 'min' | 'max' }
  | { by: 'param'; name: string }
  | {
      by:
        'name' | 'status' | 'startedAt' | 'endedAt' | 'duration' | 'experiment';
    };

export type SortDirection = 'ascending' | 'descending';

const STATUS_ORDER: Record<RunStatus, number> = {
  Running: 0,
  Failed: 1,
  Stopped: 2,
  Completed: 3,
  Unknown: 4
};

/** The value a run has for a sort key: a number, a string, or undefined when it has none. */
export function sortValue(
  run: IRun,
  key: RunSortKey
): number | string | undefined {
  switch (key.by) {
    case 'metric': {
      const value = run.metrics[key.name]?.[key.stat ?? 'last'];
      return typeof value === 'number' && !Number.isNaN(value)
        ? value
        : undefined;
    }
    case 'param': {
      const value = run.params[key.name];
      if (value === undefined) {
        return undefined;
      }
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : value;
    }
    case 'name':
      return run.name;
    case 'experiment':
      return run.experimentName;
    case 'status':
      return STATUS_ORDER[run.status];
    case 'startedAt':
      return run.startedAt?.getTime();
    case 'endedAt':
      return run.endedAt?.getTime();
    case 'duration':
      return run.startedAt && run.endedAt
        ? run.endedAt.getTime() - run.startedAt.getTime()
        : undefined;
  }
}

function byText(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

/** Numbers before strings, numbers by value, strings in natural order. */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  if (typeof a === 'number') {
    return -1;
  }
  if (typeof b === 'number') {
    return 1;
  }
  return byText(a, b);
}

/**
 * The runs sorted by a key (a new array; ties keep their order). Runs without a value for the key come last in
 * either direction.
 */
export function sortRuns(
  runs: readonly IRun[],
  key: RunSortKey,
  direction: SortDirection = 'descending'
): IRun[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return runs
    .map((run, index) => ({ run, index, value: sortValue(run, key) }))
    .sort((a, b) => {
      if (a.value === undefined || b.value === undefined) {
        if (a.value === b.value) {
          return a.index - b.index;
        }
        return a.value === undefined ? 1 : -1;
      }
      return sign * compareValues(a.value, b.value) || a.index - b.index;
    })
    .map(entry => entry.run);
}

/** What a runs table filters by; every given criterion must hold. */
export interface IRunFilter {
  /** Parameter name -> the value it must have (compared as text, and as numbers when both are: `0.10` = `0.1`). */
  params?: Record<string, string>;
  statuses?: readonly RunStatus[];
  sources?: readonly IRun['source'][];
  /** Text the run's name, id or experiment contains (case-insensitive). */
  text?: string;
}

/** Whether a parameter value matches the wanted one. */
export function paramMatches(
  value: string | undefined,
  wanted: string
): boolean {
  if (value === undefined) {
    return false;
  }
  if (value === wanted) {
    return true;
  }
  const a = Number(value);
  const b = Number(wanted);
  return (
    value.trim() !== '' &&
    wanted.trim() !== '' &&
    Number.isFinite(a) &&
    Number.isFinite(b) &&
    a === b
  );
}

/** The runs that meet every criterion of the filter (a run without a filtered parameter does not). */
export function filterRuns(runs: readonly IRun[], filter: IRunFilter): IRun[] {
  const text = filter.text?.trim().toLowerCase();
  const params = Object.entries(filter.params ?? {});
  return runs.filter(
    run =>
      (!filter.statuses?.length || filter.statuses.includes(run.status)) &&
      (!filter.sources?.length || filter.sources.includes(run.source)) &&
      (!text ||
        run.name.toLowerCase().includes(text) ||
        run.id.toLowerCase().includes(text) ||
        run.experimentName.toLowerCase().includes(text)) &&
      params.every(([name, wanted]) => paramMatches(run.params[name], wanted))
  );
}

/** The distinct values a parameter takes across runs, in natural order (for a filter's choices). */
export function paramValues(runs: readonly IRun[], name: string): string[] {
  const values = new Set<string>();
  for (const run of runs) {
    const value = run.params[name];
    if (value !== undefined) {
      values.add(value);
    }
  }
  return [...values].sort(byText);
}

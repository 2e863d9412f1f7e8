import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../../core/errors';
import {
  IRunFilter,
  RunSortKey,
  SortDirection,
  filterRuns,
  keysOf,
  paramValues,
  sortRuns
} from '../../core/runs/compare';
import type {
  IExperiment,
  IRun,
  IRunProvider,
  IRunSource
} from '../../core/runs/types';
import { IPollView, VisibilityPoll } from '../../shared/poll';
import { Column, columnId, columnsOf, experimentKey, runKey } from '../rules';

/** The first page is small, so rows show at once; the following ones are as large as the source allows. */
const FIRST_PAGE = 50;
const NEXT_PAGE: Record<IRunSource, number> = {
  'sagemaker-experiments': 100,
  mlflow: 1000
};
/** Pages read again on each refresh (new and running runs are at the top). */
const REFRESH_PAGE = 100;

/** Where the loading of one experiment's runs is. */
interface IExperimentLoad {
  experiment: IExperiment;
  nextToken?: string;
  done: boolean;
  error: MLOpsError | null;
}

/**
 * The runs of one or more experiments as a table: every run of them (read page by page, the first rows shown
 * as soon as the first page arrives), sorted and filtered in the browser over every metric and param, the
 * columns shown, and the runs selected for a compare.
 *
 * While the table is visible, a refresh at the refresh interval (more often while a run runs) reads the
 * first page of each experiment again: new runs appear, running ones update. Hidden, nothing is read.
 */
export class RunsTableModel implements IDisposable {
  constructor(options: RunsTableModel.IOptions) {
    this._experiments = options.experiments;
    this._provider = options.provider;
    this._highlight = options.highlight;
    this.poll = new VisibilityPoll({
      name: 'sagemaker-mlops:runs-table',
      factory: () => this._tick(),
      interval: options.interval
    });
  }

  readonly poll: VisibilityPoll;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  /** The experiments shown (known once resolved). */
  get experiments(): readonly IExperiment[] {
    return this._loads.map(l => l.experiment);
  }
  /** Every run read so far. */
  get runs(): readonly IRun[] {
    return this._runs;
  }
  /** The first pages have arrived (or failed). */
  get loaded(): boolean {
    return this._loaded;
  }
  /** Pages are being read. */
  get loading(): boolean {
    return this._loading;
  }
  /** Every page of every experiment is read. */
  get complete(): boolean {
    return this._loads.length > 0 && this._loads.every(l => l.done);
  }
  /** The first error of an experiment's pages (what is read stays). */
  get error(): MLOpsError | null {
    return this._error ?? this._loads.find(l => l.error)?.error ?? null;
  }
  get sort(): { key: RunSortKey; direction: SortDirection } {
    return this._sort;
  }
  get filter(): IRunFilter {
    return this._filter;
  }
  /** The run the table was opened for (scrolled to and marked), if any. */
  get highlight(): string | undefined {
    return this._highlight;
  }

  addView(): IPollView {
    return this.poll.addView();
  }

  /** Read the first pages again (and what is not read yet). */
  refresh(): Promise<void> {
    return this.poll.refresh();
  }

  /** The runs to show: filtered, then sorted (missing values last). */
  rows(): readonly IRun[] {
    if (this._rowsOf !== this._version) {
      this._rows = sortRuns(
        filterRuns(this._runs, this._filter),
        this._sort.key,
        this._sort.direction
      );
      this._rowsOf = this._version;
    }
    return this._rows;
  }

  /** Every column the runs have (fixed ones, one per metric, one per param). */
  columns(): Column[] {
    if (this._columnsOf !== this._dataVersion) {
      this._keys = keysOf(this._runs);
      this._columns = columnsOf(this._keys);
      this._columnsOf = this._dataVersion;
    }
    return this._columns;
  }

  /** The parameter names of the runs, for the filter. */
  paramNames(): readonly string[] {
    this.columns();
    return this._keys.params;
  }

  /** The values a parameter takes among the runs (natural order). */
  paramValues(name: string): string[] {
    return paramValues(this._runs, name);
  }

  isHidden(column: Column): boolean {
    return this._hidden.has(columnId(column));
  }

  visibleColumns(): Column[] {
    return this.columns().filter(c => !this._hidden.has(columnId(c)));
  }

  setHidden(column: Column | string, hidden: boolean): void {
    const id = typeof column === 'string' ? column : columnId(column);
    if (hidden === this._hidden.has(id) || id === 'name') {
      return;
    }
    if (hidden) {
      this._hidden.add(id);
    } else {
      this._hidden.delete(id);
    }
    this._emit(false);
  }

  /** Sort by a key; the same key again flips the direction. */
  sortBy(key: RunSortKey, direction?: SortDirection): void {
    const same = sameKey(key, this._sort.key);
    this._sort = {
      key,
      direction:
        direction ??
        (same
          ? this._sort.direction === 'ascending'
            ? 'descending'
            : 'ascending'
          : key.by === 'name' || key.by === 'experiment' || key.by === 'param'
            ? 'ascending'
            : 'descending')
    };
    this._emit(false);
  }

  setFilter(filter: IRunFilter): void {
    this._filter = filter;
    this._emit(false);
  }

  /** Require a parameter value (undefined: drop the parameter's criterion). */
  setParamFilter(name: string, value: string | undefined): void {
    const params = { ...(this._filter.params ?? {}) };
    if (value === undefined) {
      delete params[name];
    } else {
      params[name] = value;
    }
    this.setFilter({ ...this._filter, params });
  }

  isSelected(key: string): boolean {
    return this._selected.has(key);
  }

  get selectedCount(): number {
    return this._selected.size;
  }

  setSelected(key: string, selected: boolean): void {
    if (selected) {
      this._selected.add(key);
    } else {
      this._selected.delete(key);
    }
    this._emit(false);
  }

  /** Select every shown run (or none). */
  selectShown(selected: boolean): void {
    for (const run of this.rows()) {
      if (selected) {
        this._selected.add(runKey(run));
      } else {
        this._selected.delete(runKey(run));
      }
    }
    this._emit(false);
  }

  clearSelection(): void {
    this._selected.clear();
    this._emit(false);
  }

  /** The selected runs, in the table's order. */
  selectedRuns(): IRun[] {
    const shown = this.rows().filter(r => this._selected.has(runKey(r)));
    const rest = this._runs.filter(
      r => this._selected.has(runKey(r)) && !shown.includes(r)
    );
    return [...shown, ...rest];
  }

  /** Read the rest of the pages of the experiments whose reading failed. */
  retry(): Promise<void> {
    this._error = null;
    for (const load of this._loads) {
      load.error = null;
    }
    this._emit(false);
    return this.refresh();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.poll.dispose();
    Signal.clearData(this);
  }

  private _emit(data: boolean): void {
    this._version++;
    if (data) {
      this._dataVersion++;
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** The first tick reads everything; later ones the first page of each experiment, then what is left. */
  private async _tick(): Promise<void> {
    this._loading = true;
    this._emit(false);
    try {
      if (!this._resolved) {
        const experiments = await this._experiments();
        this._loads = experiments.map(experiment => ({
          experiment,
          done: false,
          error: null
        }));
        this._resolved = true;
        this._error = null;
        await Promise.all(this._loads.map(load => this._firstPage(load)));
      } else {
        await Promise.all(this._loads.map(load => this._refreshPage(load)));
      }
      this._loaded = true;
      this._emit(true);
      await Promise.all(this._loads.map(load => this._rest(load)));
      const throttled = this._loads.find(l => l.error?.kind === 'throttling');
      if (throttled) {
        throw throttled.error; // backs the poll off
      }
    } catch (error) {
      if (!this._resolved) {
        this._error = toMLOpsError(error, 'Search');
      }
      throw error;
    } finally {
      this._loaded = true;
      this._loading = false;
      if (!this._disposed) {
        this.poll.setActive(this._runs.some(r => r.status === 'Running'));
      }
      this._emit(true);
    }
  }

  private async _page(
    load: IExperimentLoad,
    pageSize: number,
    nextToken?: string
  ): Promise<{ items: IRun[]; nextToken?: string } | null> {
    try {
      const provider = await this._provider(load.experiment.source);
      return await provider.listRuns(load.experiment, { pageSize, nextToken });
    } catch (error) {
      load.error = toMLOpsError(
        error,
        load.experiment.source === 'mlflow' ? 'SearchRuns' : 'Search'
      );
      return null;
    }
  }

  private async _firstPage(load: IExperimentLoad): Promise<void> {
    const page = await this._page(load, FIRST_PAGE);
    if (!page || this._disposed) {
      return;
    }
    this._add(page.items);
    load.nextToken = page.nextToken;
    load.done = !page.nextToken;
    load.error = null;
    this._emit(true);
  }

  /** The first page again: new runs are added, known ones replaced. */
  private async _refreshPage(load: IExperimentLoad): Promise<void> {
    if (!load.done && load.nextToken === undefined) {
      return this._firstPage(load); // the first page never arrived
    }
    const page = await this._page(load, REFRESH_PAGE);
    if (page && !this._disposed) {
      load.error = null;
      this._add(page.items);
    }
  }

  /** Every page not read yet, one after the other, each shown as it arrives. */
  private async _rest(load: IExperimentLoad): Promise<void> {
    while (!load.done && load.nextToken && !load.error && !this._disposed) {
      const page = await this._page(
        load,
        NEXT_PAGE[load.experiment.source],
        load.nextToken
      );
      if (!page || this._disposed) {
        return;
      }
      this._add(page.items);
      load.nextToken = page.nextToken;
      load.done = !page.nextToken;
      this._emit(true);
    }
  }

  /** Runs added (new) or replaced (known), by key; new runs keep the order they came in. */
  private _add(items: readonly IRun[]): void {
    const added: IRun[] = [];
    for (const run of items) {
      const key = runKey(run);
      const at = this._index.get(key);
      if (at === undefined) {
        this._index.set(key, this._runs.length + added.length);
        added.push(run);
      } else {
        this._runs[at] = run;
      }
    }
    if (added.length) {
      this._runs = this._runs.concat(added);
    } else {
      this._runs = [...this._runs];
    }
  }

  private _experiments: () => Promise<IExperiment[]>;
  private _provider: (source: IRunSource) => Promise<IRunProvider>;
  private _highlight?: string;
  private _loads: IExperimentLoad[] = [];
  private _resolved = false;
  private _runs: IRun[] = [];
  private _index = new Map<string, number>();
  private _rows: readonly IRun[] = [];
  private _rowsOf = -1;
  private _columns: Column[] = [];
  private _keys: { params: string[]; metrics: string[] } = {
    params: [],
    metrics: []
  };
  private _columnsOf = -1;
  private _version = 0;
  private _dataVersion = 0;
  private _hidden = new Set<string>();
  private _selected = new Set<string>();
  private _sort: { key: RunSortKey; direction: SortDirection } = {
    key: { by: 'startedAt' },
    direction: 'descending'
  };
  private _filter: IRunFilter = {};
  private _loading = false;
  private _loaded = false;
  private _error: MLOpsError | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace RunsTableModel {
  export interface IOptions {
    /** The experiments whose runs the table shows (read on the first tick). */
    experiments: () => Promise<IExperiment[]>;
    provider: (source: IRunSource) => Promise<IRunProvider>;
    /** Milliseconds between refreshes while something runs (4 times more otherwise). */
    interval: () => number;
    /** A run to mark (its key). */
    highlight?: string;
  }
}

function sameKey(a: RunSortKey, b: RunSortKey): boolean {
  return (
    a.by === b.by &&
    (a as { name?: string }).name === (b as { name?: string }).name &&
    (a as { stat?: string }).stat === (b as { stat?: string }).stat
  );
}

/** A table's scope as its tab names it. */
export function scopeKey(experiments: readonly IExperiment[]): string {
  return experiments.map(experimentKey).sort().join('|');
}

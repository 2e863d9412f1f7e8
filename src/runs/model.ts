import { MLOpsError, toMLOpsError } from '../core/errors';
import type {
  IExperiment,
  IRun,
  IRunProvider,
  IRunSource
} from '../core/runs/types';
import type { IProject } from '../core/types';
import { PagedList } from '../shared/pagedList';
import { ProjectScopedModel } from '../shared/projectModel';
import { IMLOpsConnection, IMLOpsProject } from '../tokens';
import { experimentKey, keyMetrics } from './rules';

/** An experiment's runs as the sidebar shows them: newest first, one page at a time. */
export type RunList = PagedList<IRun, undefined>;

/** What one source gave in the last refresh. */
export interface ISourceState {
  source: IRunSource;
  experiments: IExperiment[];
  /** Its experiments were listed at least once. */
  loaded: boolean;
  /** Why the last listing failed (MLflow not configured, down, access denied...). */
  error: MLOpsError | null;
}

/** The providers of the sources, loaded on first use. */
export type ProviderMap = Partial<
  Record<IRunSource, () => Promise<IRunProvider>>
>;

const RUNS_PAGE = 20;

/** The operation a source's listing of experiments is. */
const LIST_OPERATION: Record<IRunSource, string> = {
  'sagemaker-experiments': 'Search',
  mlflow: 'SearchExperiments'
};

/**
 * The project's experiments in every enabled source, and the runs of the experiments the user expanded (one
 * page at a time, newest first).
 *
 * A refresh costs one experiments listing per source (SageMaker: one Search; MLflow: one
 * `experiments/search` per filter) and one page of runs per expanded experiment; it runs only while the
 * section is visible, at the refresh interval while a shown run is running, less often otherwise. A source
 * that fails (MLflow not configured or down) keeps its error and leaves the others shown; the refresh fails
 * (and the poll backs off) only when every source failed.
 */
export class RunsModel extends ProjectScopedModel {
  constructor(options: RunsModel.IOptions) {
    super({
      connection: options.connection,
      project: options.project,
      name: 'sagemaker-mlops:runs',
      operation: 'Search'
    });
    this._providers = options.providers;
    this._enabled = options.sources;
    this._configuredMetrics = options.keyMetrics ?? (() => []);
  }

  /** The enabled sources, in order, with what each gave. */
  get sources(): readonly ISourceState[] {
    return this._enabled().map(
      source =>
        this._states.get(source) ?? {
          source,
          experiments: [],
          loaded: false,
          error: null
        }
    );
  }

  /** Every experiment of the enabled sources, the sources in order, each newest first. */
  get experiments(): IExperiment[] {
    return this.sources.flatMap(s => s.experiments);
  }

  experiment(key: string): IExperiment | undefined {
    return this.experiments.find(e => experimentKey(e) === key);
  }

  runs(key: string): RunList | undefined {
    return this._runs.get(key);
  }

  /** The provider of a source (loads it on first use). */
  provider(source: IRunSource): Promise<IRunProvider> {
    const make = this._providers[source];
    if (!make) {
      return Promise.reject(
        new MLOpsError({
          code: 'SourceDisabled',
          message: `The run source ${source} is not available.`,
          kind: 'validation',
          params: { source }
        })
      );
    }
    return make();
  }

  /** The metrics a run line of an experiment shows (the setting's, else the most telling ones). */
  keyMetrics(key: string): string[] {
    return keyMetrics(
      this._runs.get(key)?.items ?? [],
      this._configuredMetrics()
    );
  }

  toggleRuns(experiment: IExperiment): void {
    const key = experimentKey(experiment);
    const existing = this._runs.get(key);
    if (existing) {
      existing.dispose();
      this._runs.delete(key);
      this.emit();
      return;
    }
    const list: RunList = new PagedList<IRun, undefined>({
      filter: undefined,
      pageSize: RUNS_PAGE,
      operation: experiment.source === 'mlflow' ? 'SearchRuns' : 'Search',
      fetch: async ({ nextToken, pageSize }) =>
        (await this.provider(experiment.source)).listRuns(experiment, {
          nextToken,
          pageSize
        })
    });
    list.changed.connect(this._onList, this);
    this._runs.set(key, list);
    this.emit();
    void list.reload();
  }

  /** The sources setting changed: show what the enabled ones have. */
  sourcesChanged(): void {
    for (const [key, list] of [...this._runs]) {
      if (!this._enabled().some(s => key.startsWith(`${s}:`))) {
        list.dispose();
        this._runs.delete(key);
      }
    }
    this.emit();
    if (this.poll.isStarted) {
      void this.refresh().catch(() => undefined);
    }
  }

  /** The project's experiments, read now if the section never loaded them (for commands). */
  async allExperiments(): Promise<IExperiment[]> {
    if (!this.loaded) {
      await this.refresh().catch(() => undefined);
    }
    return this.experiments;
  }

  protected clear(): void {
    this._states.clear();
    this._runs.forEach(list => list.dispose());
    this._runs.clear();
  }

  protected isActive(): boolean {
    return [...this._runs.values()].some(list =>
      list.items.some(r => r.status === 'Running')
    );
  }

  protected async load(project: IProject): Promise<boolean> {
    const sources = this._enabled();
    const results = await Promise.all(
      sources.map(async source => {
        try {
          const provider = await this.provider(source);
          return {
            source,
            experiments: await provider.listExperiments(project)
          };
        } catch (error) {
          return {
            source,
            error: toMLOpsError(error, LIST_OPERATION[source])
          };
        }
      })
    );
    if (!this.isCurrent(project)) {
      return false;
    }
    for (const result of results) {
      const previous = this._states.get(result.source);
      this._states.set(result.source, {
        source: result.source,
        experiments:
          result.experiments ?? previous?.experiments ?? ([] as IExperiment[]),
        loaded: !!result.experiments || !!previous?.loaded,
        error: result.error ?? null
      });
    }
    const known = new Set(this.experiments.map(experimentKey));
    for (const [key, list] of [...this._runs]) {
      if (!known.has(key)) {
        list.dispose();
        this._runs.delete(key);
      }
    }
    this.markLoaded();
    await Promise.all([...this._runs.values()].map(list => list.reload()));
    const failed = results.filter(r => r.error);
    if (failed.length && failed.length === results.length) {
      // Every source failed: the poll backs off; the view shows each source's error.
      throw (
        failed.find(r => r.error?.kind === 'throttling')?.error ??
        failed[0].error
      );
    }
    return true;
  }

  private _onList(): void {
    this.emit();
    this.poll.setActive(this.isActive());
  }

  private _providers: ProviderMap;
  private _enabled: () => IRunSource[];
  private _configuredMetrics: () => string[];
  private _states = new Map<IRunSource, ISourceState>();
  private _runs = new Map<string, RunList>();
}

export namespace RunsModel {
  export interface IOptions {
    connection: IMLOpsConnection;
    project: IMLOpsProject;
    providers: ProviderMap;
    /** The enabled sources (setting `sources`). */
    sources: () => IRunSource[];
    /** The metrics run lines show (setting `keyMetrics`); empty: chosen from the runs. */
    keyMetrics?: () => string[];
  }
}

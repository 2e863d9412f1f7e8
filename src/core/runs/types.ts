/**
 * Experiment runs: one model that SageMaker Experiments (trial components) and MLflow (runs) both map into,
 * so one view lists, sorts, filters and compares them whatever recorded them. Host-agnostic, no SDK import.
 */
import type { IPage, IProject } from '../types';

/** Where a run was recorded. */
export type IRunSource = 'sagemaker-experiments' | 'mlflow';

/** A run's status, normalised across sources. */
export type RunStatus =
  'Running' | 'Completed' | 'Failed' | 'Stopped' | 'Unknown';

export const RUN_STATUSES: readonly RunStatus[] = [
  'Running',
  'Completed',
  'Failed',
  'Stopped',
  'Unknown'
];

/** An experiment: a SageMaker experiment (id = its name) or an MLflow experiment (id = its experiment id). */
export interface IExperiment {
  id: string;
  name: string;
  source: IRunSource;
  createdAt?: Date;
  tags: Record<string, string>;
}

/**
 * What a run holds of one metric. SageMaker Experiments keep a summary (last, min, max); an MLflow run listing
 * gives the latest value and its step (min and max need the metric's history).
 */
export interface IMetricSummary {
  last: number;
  min?: number;
  max?: number;
  step?: number;
}

/** The resources a run points at, when its source says so. */
export interface IRunLinks {
  pipelineExecutionArn?: string;
  trainingJobArn?: string;
  processingJobArn?: string;
  modelPackageArn?: string;
  /** SageMaker Experiments: the run's lineage group. */
  lineageGroupArn?: string;
  /** Where the run's code came from: a notebook or script path, a Git URL (MLflow `mlflow.source.name`). */
  source?: string;
}

export interface IRun {
  /** Unique within its source: the trial component name, or the MLflow run id. */
  id: string;
  name: string;
  experimentId: string;
  experimentName: string;
  source: IRunSource;
  status: RunStatus;
  /** The source's own status (`InProgress`, `KILLED` ...), for display next to the normalised one. */
  sourceStatus?: string;
  /** Why the run failed or stopped, when the source says. */
  statusMessage?: string;
  startedAt?: Date;
  endedAt?: Date;
  params: Record<string, string>;
  metrics: Record<string, IMetricSummary>;
  tags: Record<string, string>;
  links: IRunLinks;
}

export interface IMetricPoint {
  step: number;
  value: number;
  timestamp?: Date;
}

/** Why a metric history is not the full series. */
export type MetricHistoryLimitation =
  /** SageMaker Experiments keep only a summary per metric (last, min, max, count): there is no series. */
  'summaryOnly';

export interface IMetricHistory {
  name: string;
  /** In the order the source gives them (MLflow: by step, then time). */
  points: IMetricPoint[];
  /** Set when the source keeps no series: `points` is then empty and the run's summary is all there is. */
  limitation?: MetricHistoryLimitation;
}

/** Options of one page of runs. */
export interface IRunPageOptions {
  nextToken?: string;
  pageSize?: number;
}

/** A source of experiments and runs. Each listing of runs is one request per page (pass back `nextToken`). */
export interface IRunProvider {
  readonly source: IRunSource;
  /** The project's experiments (every page). */
  listExperiments(project: IProject): Promise<IExperiment[]>;
  /** One page of an experiment's runs, newest first. */
  listRuns(
    experiment: Pick<IExperiment, 'id' | 'name'>,
    options?: IRunPageOptions
  ): Promise<IPage<IRun>>;
  /** One run, read again in full. */
  getRun(
    run: Pick<IRun, 'id' | 'experimentId' | 'experimentName'>
  ): Promise<IRun>;
  /** The values a metric of a run took. */
  metricHistory(run: Pick<IRun, 'id'>, metric: string): Promise<IMetricHistory>;
}

/**
 * Plain data of the pipelines capability, normalised from the AWS SDK shapes
 * so the views never depend on optional SDK fields. Host-agnostic.
 */
import type { PipelineExecutionStatus, StepStatus } from '../status';

export type { PipelineExecutionStatus, StepStatus } from '../status';

/** A pipeline of the project, with its most recent execution when there is one. */
export interface IPipeline {
  name: string;
  arn: string;
  displayName?: string;
  description?: string;
  createdAt?: Date;
  lastModifiedAt?: Date;
  /** When it last ran (Search's `LastRunTime`), known without reading its executions. */
  lastRunAt?: Date;
  lastExecution?: IExecutionSummary;
  tags: Record<string, string>;
}

export interface IExecutionSummary {
  arn: string;
  pipelineName: string;
  displayName?: string;
  status: PipelineExecutionStatus;
  startedAt?: Date;
  /** Undefined while running. */
  endedAt?: Date;
  failureReason?: string;
}

export interface IExecution extends IExecutionSummary {
  description?: string;
  /** Who started it: Studio user profile, else the IAM principal, when known. */
  startedBy?: string;
  parameters: { name: string; value: string }[];
  lastModifiedAt?: Date;
}

/** The job behind a step, when it has one. */
export interface IStepJob {
  kind:
    | 'TrainingJob'
    | 'ProcessingJob'
    | 'TransformJob'
    | 'TuningJob'
    | 'Model'
    | 'RegisterModel'
    | 'Lambda'
    | 'Other';
  name?: string;
  arn: string;
}

export interface IStep {
  name: string;
  displayName?: string;
  type?: string;
  status: StepStatus;
  startedAt?: Date;
  endedAt?: Date;
  failureReason?: string;
  cacheHit: boolean;
  attemptCount?: number;
  job?: IStepJob;
  /** Condition steps: the evaluated outcome. */
  conditionOutcome?: string;
}

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

/** A pipeline parameter as the definition declares it. */
export interface IParameterSpec {
  name: string;
  type: ParameterType;
  /** Default as the definition gives it (string form), undefined when required. */
  defaultValue?: string;
  enumValues?: string[];
}

/** The graph of a pipeline definition. */
export interface IPipelineGraph {
  nodes: { name: string; type: string; displayName?: string }[];
  /** Edges from a step to a step that depends on it (DependsOn or a property reference). */
  edges: { from: string; to: string }[];
}

/** A CloudWatch Logs tail position and what it returned. */
export interface ILogChunk {
  events: { timestamp: number; message: string }[];
  /** Pass back to get the events after these. */
  nextToken?: string;
  logGroup: string;
  /** The first stream read (the first instance's), when there is one. */
  logStream?: string;
  /** Every stream read: a job writes one per instance. */
  logStreams?: string[];
}

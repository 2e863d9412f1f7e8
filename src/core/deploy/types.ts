/** Plain data of the deployment gate capability (the project's deploy CodePipeline). Host-agnostic. */

/** A manual approval action of a pipeline. */
export interface IApprovalAction {
  stageName: string;
  actionName: string;
}

/** The project's deploy CodePipeline. */
export interface IDeployPipeline {
  name: string;
  arn: string;
  /** `SUPERSEDED` (one execution per stage), `PARALLEL`, or `QUEUED`. */
  executionMode: string;
  /** Its manual approval actions, in stage order. */
  approvals: IApprovalAction[];
  tags: Record<string, string>;
}

/** An execution waiting at a manual approval. */
export interface IDeployGate extends IApprovalAction {
  pipelineName: string;
  executionId: string;
  /** The approval's token, which `PutApprovalResult` needs. */
  token: string;
  /** When the execution reached the approval. */
  since?: Date;
  /** The model package version the execution deploys, from its variables. */
  modelPackageArn?: string;
  modelPackageVersion?: string;
  modelPackageGroupName?: string;
}

export interface IGateDecision {
  approve: boolean;
  /** The reviewer's summary (at most 512 characters). */
  summary: string;
}

/** An execution of the deploy pipeline, with the stage it reached. */
export interface IDeployExecution {
  pipelineName: string;
  executionId: string;
  /** `InProgress`, `Succeeded`, `Failed`, `Stopped`, `Stopping`, `Superseded`, `Cancelled`. */
  status: string;
  startedAt?: Date;
  updatedAt?: Date;
  /** What started it (`CloudWatchEvent` for an approval change, `StartPipelineExecution` ...). */
  trigger?: string;
  /** The last stage the execution entered, as GetPipelineState says, and that stage's status. */
  stage?: string;
  stageStatus?: string;
  statusSummary?: string;
}

/** What the registry shows of the deploy pipeline: its latest executions and the approvals waiting now. */
export interface IDeployStatus {
  pipeline: IDeployPipeline;
  executions: IDeployExecution[];
  gates: IDeployGate[];
}

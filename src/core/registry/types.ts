/**
 * Plain data of the model registry capability, normalised from the AWS SDK
 * shapes so views never depend on optional SDK fields. Host-agnostic.
 */

export type ModelApprovalStatus =
  'Approved' | 'Rejected' | 'PendingManualApproval';

export type ModelPackageStatus =
  'Pending' | 'InProgress' | 'Completed' | 'Failed' | 'Deleting';

/** A model package group: the project's own, or one shared with this account from another (a hub). */
export interface IModelPackageGroup {
  name: string;
  arn: string;
  description?: string;
  createdAt?: Date;
  status?: string;
  /** Owned by another account and shared with this one (ListModelPackageGroups `CrossAccount`). */
  shared: boolean;
  /** The account owning the group, from its ARN. */
  ownerAccount?: string;
  tags: Record<string, string>;
}

/** A model lifecycle stage (`ModelLifeCycle`). */
export interface IModelLifeCycle {
  stage: string;
  stageStatus: string;
  stageDescription?: string;
}

/** A version of a model package group, as a listing gives it. */
export interface IModelVersion {
  arn: string;
  groupName: string;
  version?: number;
  description?: string;
  approvalStatus: ModelApprovalStatus;
  packageStatus?: ModelPackageStatus;
  createdAt?: Date;
  lifeCycle?: IModelLifeCycle;
}

/** A report the version points at in its `ModelMetrics` (`ModelQuality.Statistics`, `Bias.Report` ...). */
export interface IMetricsReport {
  /** Where it sits in ModelMetrics, e.g. `ModelQuality.Statistics`. */
  kind: string;
  s3Uri: string;
  contentType?: string;
}

/** A version as DescribeModelPackage gives it. */
export interface IModelVersionDetail extends IModelVersion {
  /** The comment of the last approval decision (`ApprovalDescription`). */
  approvalDescription?: string;
  /** Who registered it: Studio user profile, else the IAM principal. */
  createdBy?: string;
  lastModifiedAt?: Date;
  lastModifiedBy?: string;
  customerMetadata: Record<string, string>;
  /** The pipeline execution that registered it (`MetadataProperties.GeneratedBy`). */
  generatedBy?: string;
  metricsReports: IMetricsReport[];
}

/** What the user saw of a version when they opened the approval: compared again before writing. */
export interface IApprovalSnapshot {
  status: ModelApprovalStatus;
  description?: string;
  lastModifiedAt?: Date;
}

/** An approval decision. */
export interface IApprovalDecision {
  status: 'Approved' | 'Rejected';
  comment: string;
  /** The version as the user saw it; a change since is refused (`ChangedSinceOpened`). */
  expected: IApprovalSnapshot;
}

/**
 * Reads a report object (an evaluation report in S3) as text; each host provides one. The version whose
 * `ModelMetrics` names the report comes along: a host may read only the reports a version names.
 */
export interface IReportReader {
  read(s3Uri: string, versionArn: string): Promise<string>;
}

/** Whether a higher or a lower value of a metric is better; undefined when unknown. */
export type MetricDirection = 'higher' | 'lower' | undefined;

/** One metric of an evaluation report. */
export interface IMetric {
  /** The report section, e.g. `binary_classification_metrics`. */
  section: string;
  name: string;
  value: number;
  standardDeviation?: number;
}

/** A metric of two versions side by side: `candidate` judged against `base`. */
export interface IMetricComparison {
  name: string;
  section: string;
  base?: number;
  candidate?: number;
  /** candidate - base, when both have the metric. */
  difference?: number;
  direction: MetricDirection;
  /** Undefined when the direction is unknown or a side lacks the metric. */
  verdict?: 'better' | 'worse' | 'same';
  /** Values differ (or one side lacks the metric). */
  differs: boolean;
}

/**
 * The model registry's rules that need no AWS request: approval comments, the
 * "changed since opened" check, and the mapping of the SDK's shapes. No AWS SDK
 * import at run time.
 */
import type {
  DescribeModelPackageOutput,
  ModelMetrics,
  ModelPackageGroupSummary,
  ModelPackageSummary,
  UserContext
} from '@aws-sdk/client-sagemaker';

import { parseArn } from '../arn';
import { MLOpsError } from '../errors';
import type {
  IApprovalSnapshot,
  IMetricsReport,
  IModelPackageGroup,
  IModelVersion,
  IModelVersionDetail,
  ModelApprovalStatus,
  ModelPackageStatus
} from './types';

/** Bounds of `ApprovalDescription`, in characters. */
export const COMMENT_MIN = 1;
export const COMMENT_MAX = 1024;

/** Characters as the API counts them (code points: an emoji is one). */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

/** Throws an `InvalidComment` validation error unless the comment has 1 to 1,024 characters and is not blank. */
export function validateComment(comment: string): void {
  const length = characterCount(comment);
  if (length < COMMENT_MIN || length > COMMENT_MAX || !comment.trim()) {
    throw new MLOpsError({
      code: 'InvalidComment',
      message: `The comment must have ${COMMENT_MIN} to ${COMMENT_MAX} characters and not be blank (it has ${length}).`,
      kind: 'validation',
      params: {
        length: String(length),
        min: String(COMMENT_MIN),
        max: String(COMMENT_MAX)
      }
    });
  }
}

/**
 * Whether a version changed since the user saw it: another status, another comment, or another
 * `LastModifiedTime` (a missing one against a present one is a change).
 */
export function changedSince(
  expected: IApprovalSnapshot,
  current: IApprovalSnapshot
): boolean {
  if (expected.status !== current.status) {
    return true;
  }
  if ((expected.description ?? '') !== (current.description ?? '')) {
    return true;
  }
  const a = expected.lastModifiedAt?.getTime();
  const b = current.lastModifiedAt?.getTime();
  return a !== b;
}

/** What the approval compares of a version. */
export function snapshotOf(version: IModelVersionDetail): IApprovalSnapshot {
  return {
    status: version.approvalStatus,
    description: version.approvalDescription,
    lastModifiedAt: version.lastModifiedAt
  };
}

/** The error of an approval refused because the version changed since it was opened. */
export function changedSinceOpened(
  arn: string,
  current: IApprovalSnapshot,
  lastModifiedBy?: string
): MLOpsError {
  return new MLOpsError({
    code: 'ChangedSinceOpened',
    message: `The model version changed since it was opened: it is now ${current.status}. Review it again before deciding.`,
    kind: 'conflict',
    operation: 'UpdateModelPackage',
    params: {
      arn,
      status: current.status,
      comment: current.description ?? '',
      lastModifiedAt: current.lastModifiedAt?.toISOString() ?? '',
      lastModifiedBy: lastModifiedBy ?? ''
    }
  });
}

/** Who a `UserContext` names: Studio user profile, else the IAM principal. */
export function userOf(user: UserContext | undefined): string | undefined {
  return user?.UserProfileName || user?.IamIdentity?.Arn || undefined;
}

/** The reports of `ModelMetrics`, named by where they sit (`ModelQuality.Statistics` ...). */
export function metricsReportsOf(
  metrics: ModelMetrics | undefined
): IMetricsReport[] {
  if (!metrics) {
    return [];
  }
  const sources: [
    string,
    { S3Uri?: string; ContentType?: string } | undefined
  ][] = [
    ['ModelQuality.Statistics', metrics.ModelQuality?.Statistics],
    ['ModelQuality.Constraints', metrics.ModelQuality?.Constraints],
    ['ModelDataQuality.Statistics', metrics.ModelDataQuality?.Statistics],
    ['ModelDataQuality.Constraints', metrics.ModelDataQuality?.Constraints],
    ['Bias.Report', metrics.Bias?.Report],
    ['Bias.PreTrainingReport', metrics.Bias?.PreTrainingReport],
    ['Bias.PostTrainingReport', metrics.Bias?.PostTrainingReport],
    ['Explainability.Report', metrics.Explainability?.Report]
  ];
  return sources
    .filter(([, source]) => !!source?.S3Uri)
    .map(([kind, source]) => ({
      kind,
      s3Uri: source?.S3Uri as string,
      contentType: source?.ContentType
    }));
}

/** The group name of a version ARN (`...:model-package/<group>/<version>`). */
export function groupOfVersionArn(arn: string): string {
  const resource = parseArn(arn)?.resource ?? '';
  return resource.split('/')[1] ?? '';
}

export function versionOfSummary(s: ModelPackageSummary): IModelVersion {
  return {
    arn: s.ModelPackageArn ?? '',
    groupName:
      s.ModelPackageGroupName ?? groupOfVersionArn(s.ModelPackageArn ?? ''),
    version: s.ModelPackageVersion,
    description: s.ModelPackageDescription,
    approvalStatus: (s.ModelApprovalStatus ??
      'PendingManualApproval') as ModelApprovalStatus,
    packageStatus: s.ModelPackageStatus as ModelPackageStatus | undefined,
    createdAt: s.CreationTime,
    lifeCycle: s.ModelLifeCycle
      ? {
          stage: s.ModelLifeCycle.Stage ?? '',
          stageStatus: s.ModelLifeCycle.StageStatus ?? '',
          stageDescription: s.ModelLifeCycle.StageDescription
        }
      : undefined
  };
}

export function versionOfDescription(
  d: DescribeModelPackageOutput
): IModelVersionDetail {
  return {
    ...versionOfSummary({
      ModelPackageArn: d.ModelPackageArn,
      ModelPackageGroupName: d.ModelPackageGroupName,
      ModelPackageVersion: d.ModelPackageVersion,
      ModelPackageDescription: d.ModelPackageDescription,
      ModelApprovalStatus: d.ModelApprovalStatus,
      ModelPackageStatus: d.ModelPackageStatus,
      CreationTime: d.CreationTime,
      ModelLifeCycle: d.ModelLifeCycle
    }),
    approvalDescription: d.ApprovalDescription,
    createdBy: userOf(d.CreatedBy),
    lastModifiedAt: d.LastModifiedTime,
    lastModifiedBy: userOf(d.LastModifiedBy),
    customerMetadata: { ...(d.CustomerMetadataProperties ?? {}) },
    generatedBy: d.MetadataProperties?.GeneratedBy || undefined,
    metricsReports: metricsReportsOf(d.ModelMetrics)
  };
}

/** A group from a listing; `shared` for groups of another account (the `CrossAccount` listing). */
export function groupOfSummary(
  s: Partial<
    Pick<
      ModelPackageGroupSummary,
      | 'ModelPackageGroupName'
      | 'ModelPackageGroupArn'
      | 'ModelPackageGroupDescription'
      | 'CreationTime'
      | 'ModelPackageGroupStatus'
    >
  >,
  shared: boolean,
  tags: Record<string, string> = {}
): IModelPackageGroup {
  const arn = s.ModelPackageGroupArn ?? '';
  return {
    name: s.ModelPackageGroupName ?? '',
    arn,
    description: s.ModelPackageGroupDescription,
    createdAt: s.CreationTime,
    status: s.ModelPackageGroupStatus,
    shared,
    ownerAccount: parseArn(arn)?.account || undefined,
    tags
  };
}

/** Own groups first (by name), then shared ones (by owner account and name); no ARN twice. */
export function mergeGroups(
  own: IModelPackageGroup[],
  shared: IModelPackageGroup[]
): IModelPackageGroup[] {
  const seen = new Set<string>();
  const out: IModelPackageGroup[] = [];
  const byName = (a: IModelPackageGroup, b: IModelPackageGroup) =>
    (a.ownerAccount ?? '').localeCompare(b.ownerAccount ?? '') ||
    a.name.localeCompare(b.name);
  for (const g of [...own.sort(byName), ...shared.sort(byName)]) {
    if (g.arn && !seen.has(g.arn)) {
      seen.add(g.arn);
      out.push(g);
    }
  }
  return out;
}

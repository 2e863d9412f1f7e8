/**
 * The run model's rules that need no request: status normalisation and the links a run's ARNs and tags make.
 * No SDK import.
 */
import { parseArn } from '../arn';
import type { IRunLinks, RunStatus } from './types';

/** SageMaker Experiments' `Status.PrimaryStatus` as a run status. */
export function statusOfTrialComponent(primary: string | undefined): RunStatus {
  switch (primary) {
    case 'InProgress':
    case 'Stopping':
      return 'Running';
    case 'Completed':
      return 'Completed';
    case 'Failed':
      return 'Failed';
    case 'Stopped':
      return 'Stopped';
    default:
      return 'Unknown';
  }
}

/** MLflow's `RunStatus` as a run status (SCHEDULED runs are about to run). */
export function statusOfMlflowRun(status: string | undefined): RunStatus {
  switch (status) {
    case 'RUNNING':
    case 'SCHEDULED':
      return 'Running';
    case 'FINISHED':
      return 'Completed';
    case 'FAILED':
      return 'Failed';
    case 'KILLED':
      return 'Stopped';
    default:
      return 'Unknown';
  }
}

/** Tags that name a run's resources (SageMaker's, the SageMaker Python SDK's and MLflow's). */
const LINK_TAGS: Record<string, keyof IRunLinks> = {
  'sagemaker:pipeline-execution-arn': 'pipelineExecutionArn',
  'sagemaker:training-job-arn': 'trainingJobArn',
  'sagemaker:processing-job-arn': 'processingJobArn',
  'sagemaker:model-package-arn': 'modelPackageArn',
  'mlflow.source.name': 'source'
};

/** The link an ARN makes, from its SageMaker resource type; undefined for anything else. */
export function linkOfArn(arn: string): keyof IRunLinks | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'sagemaker') {
    return undefined;
  }
  const type = parsed.resource.split('/')[0];
  if (type === 'pipeline' && parsed.resource.includes('/execution/')) {
    return 'pipelineExecutionArn';
  }
  switch (type) {
    case 'training-job':
      return 'trainingJobArn';
    case 'processing-job':
      return 'processingJobArn';
    case 'model-package':
      return 'modelPackageArn';
    case 'lineage-group':
      return 'lineageGroupArn';
    default:
      return undefined;
  }
}

/**
 * The links of a run: ARNs it names (source ARN, GeneratedBy, lineage group ...) placed by their resource
 * type, then its tags (known keys, and any tag value that is a SageMaker ARN of a linked type). The first
 * value found for a link is kept.
 */
export function linksOf(
  arns: readonly (string | undefined)[],
  tags: Record<string, string>
): IRunLinks {
  const links: IRunLinks = {};
  const put = (key: keyof IRunLinks | undefined, value: string): void => {
    if (key && value && links[key] === undefined) {
      links[key] = value;
    }
  };
  for (const arn of arns) {
    if (arn) {
      put(linkOfArn(arn), arn);
    }
  }
  for (const [key, value] of Object.entries(tags)) {
    const named = LINK_TAGS[key];
    if (named === 'source') {
      put(named, value);
    } else if (named) {
      put(linkOfArn(value) === named ? named : undefined, value);
    } else if (value.startsWith('arn:')) {
      put(linkOfArn(value), value);
    }
  }
  return links;
}

/** A list of `{Key, Value}` (SageMaker) or `{key, value}` (MLflow) tags as a record. */
export function tagRecord(
  tags:
    | readonly { Key?: string; Value?: string; key?: string; value?: string }[]
    | undefined
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const key = tag.Key ?? tag.key;
    if (key) {
      record[key] = tag.Value ?? tag.value ?? '';
    }
  }
  return record;
}

/** Dates of MLflow's epoch milliseconds (numbers, or strings as protobuf JSON gives int64). */
export function dateOfMillis(
  value: number | string | undefined | null
): Date | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const millis = Number(value);
  return Number.isFinite(millis) ? new Date(millis) : undefined;
}

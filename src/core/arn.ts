/**
 * ARN helpers: the one place that knows how ARNs are laid out.
 * `arn:<partition>:<service>:<region>:<account>:<resource>`.
 */

export interface IArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon, e.g. `pipeline/<name>/execution/<id>`. */
  resource: string;
}

/** Parse an ARN; undefined when it is not one. */
export function parseArn(arn: string): IArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return undefined;
  }
  const [, partition, service, region, account] = parts;
  return {
    partition,
    service,
    region,
    account,
    resource: parts.slice(5).join(':')
  };
}

/** The last path segment of an ARN's resource (`.../execution/<id>` -> `<id>`); the input if it has none. */
export function lastSegment(arn: string): string {
  const resource = parseArn(arn)?.resource ?? arn;
  const segments = resource.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? arn;
}

/** Pipeline name from a pipeline or execution ARN (`...:pipeline/<name>[/execution/<id>]`). */
export function pipelineOfArn(arn: string): string {
  return arn.split(':pipeline/')[1]?.split('/')[0] ?? '';
}

/** The id of a pipeline execution (`...:pipeline/<name>/execution/<id>` -> `<id>`). */
export function executionId(arn: string): string {
  return arn.split('/execution/')[1] ?? lastSegment(arn);
}

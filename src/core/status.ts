/**
 * SageMaker's rules on execution statuses. No AWS SDK import here: the
 * commands and views use these eagerly, before the SDK chunk is loaded.
 */

/** Stop applies to running executions. */
export function canStop(status: string): boolean {
  return status === 'Executing';
}

/** Retry applies to failed executions. */
export function canRetry(status: string): boolean {
  return status === 'Failed';
}

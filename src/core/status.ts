/**
 * SageMaker's rules on pipeline execution and step statuses, in one place. No
 * AWS SDK import: commands and views use these eagerly.
 */

export type PipelineExecutionStatus =
  'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
export type StepStatus =
  'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export const EXECUTION_STATUSES: readonly PipelineExecutionStatus[] = [
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded'
];

const ACTIVE: ReadonlySet<string> = new Set([
  'Starting',
  'Executing',
  'Stopping'
]);

/** Still moving (an execution or a step): its status and duration change. Finished ones never change. */
export function isActive(status: string | undefined): boolean {
  return !!status && ACTIVE.has(status);
}

/** Stop applies to running executions. */
export function canStop(status: string | undefined): boolean {
  return status === 'Executing';
}

/** Retry applies to failed executions. */
export function canRetry(status: string | undefined): boolean {
  return status === 'Failed';
}

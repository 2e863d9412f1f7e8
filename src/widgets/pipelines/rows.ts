import {
  EXECUTION_STATUSES,
  IExecution,
  IExecutionSummary,
  IPipeline,
  IStep
} from '../../core/types';
import { PipelinesModel } from '../../models/pipelines';

/** One line of the pipelines tree, flattened so long lists can be virtualized. */
export type Row =
  | { kind: 'pipeline'; key: string; pipeline: IPipeline; expanded: boolean }
  | { kind: 'filter'; key: string; pipelineName: string; status?: string }
  | {
      kind: 'execution';
      key: string;
      execution: IExecutionSummary;
      expanded: boolean;
    }
  | { kind: 'execution-info'; key: string; execution: IExecution }
  | { kind: 'step'; key: string; step: IStep; executionArn: string }
  | { kind: 'more'; key: string; pipelineName: string; loading: boolean }
  | {
      kind: 'message';
      key: string;
      text: 'loading' | 'empty-executions' | 'empty-steps' | 'error';
      error?: unknown;
      retry?: () => void;
    };

export const STATUS_FILTERS = EXECUTION_STATUSES;

/** What `buildRows` reads of the model. */
export type TreeSource = Pick<
  PipelinesModel,
  'pipelines' | 'executions' | 'detail' | 'toggleDetail' | 'setStatusFilter'
>;

/** Flatten the model's tree into rows, in display order. */
export function buildRows(model: TreeSource): Row[] {
  const rows: Row[] = [];
  for (const pipeline of model.pipelines) {
    const list = model.executions(pipeline.name);
    rows.push({
      kind: 'pipeline',
      key: `p:${pipeline.name}`,
      pipeline,
      expanded: !!list
    });
    if (!list) {
      continue;
    }
    rows.push({
      kind: 'filter',
      key: `f:${pipeline.name}`,
      pipelineName: pipeline.name,
      status: list.status
    });
    for (const execution of list.items) {
      const detail = model.detail(execution.arn);
      rows.push({
        kind: 'execution',
        key: `e:${execution.arn}`,
        execution,
        expanded: !!detail
      });
      if (!detail) {
        continue;
      }
      if (detail.execution) {
        rows.push({
          kind: 'execution-info',
          key: `i:${execution.arn}`,
          execution: detail.execution
        });
      }
      for (const step of detail.steps) {
        rows.push({
          kind: 'step',
          key: `s:${execution.arn}:${step.name}`,
          step,
          executionArn: execution.arn
        });
      }
      if (detail.error) {
        rows.push({
          kind: 'message',
          key: `se:${execution.arn}`,
          text: 'error',
          error: detail.error,
          retry: () => {
            void model
              .toggleDetail(execution.arn)
              .then(() => model.toggleDetail(execution.arn));
          }
        });
      } else if (detail.loading && detail.steps.length === 0) {
        rows.push({
          kind: 'message',
          key: `sl:${execution.arn}`,
          text: 'loading'
        });
      } else if (!detail.loading && detail.steps.length === 0) {
        rows.push({
          kind: 'message',
          key: `s0:${execution.arn}`,
          text: 'empty-steps'
        });
      }
    }
    if (list.error) {
      rows.push({
        kind: 'message',
        key: `xe:${pipeline.name}`,
        text: 'error',
        error: list.error,
        retry: () => void model.setStatusFilter(pipeline.name, list.status)
      });
    } else if (list.nextToken) {
      rows.push({
        kind: 'more',
        key: `m:${pipeline.name}`,
        pipelineName: pipeline.name,
        loading: list.loading
      });
    } else if (list.loading && list.items.length === 0) {
      rows.push({
        kind: 'message',
        key: `xl:${pipeline.name}`,
        text: 'loading'
      });
    } else if (!list.loading && list.items.length === 0) {
      rows.push({
        kind: 'message',
        key: `x0:${pipeline.name}`,
        text: 'empty-executions'
      });
    }
  }
  return rows;
}

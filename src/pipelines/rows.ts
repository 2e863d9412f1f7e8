import {
  IExecution,
  IExecutionSummary,
  IPipeline,
  IStep,
  PipelineExecutionStatus
} from '../core/pipelines/types';
import { MLOpsError } from '../core/errors';
import { ITreeRow } from '../shared/ResourceTree';
import type { ExecutionList, IExecutionDetail } from './model';

/** One line of the pipelines tree. */
export type Row = ITreeRow &
  (
    | { kind: 'pipeline'; pipeline: IPipeline }
    | {
        kind: 'filter';
        pipelineName: string;
        status?: PipelineExecutionStatus;
      }
    | { kind: 'execution'; execution: IExecutionSummary }
    | { kind: 'execution-info'; execution: IExecution }
    | { kind: 'step'; step: IStep; executionArn: string }
    | { kind: 'more'; pipelineName: string; loading: boolean }
    | {
        kind: 'message';
        text: 'loading' | 'empty-executions' | 'empty-steps' | 'error';
        error?: MLOpsError;
        retry?: () => void;
      }
  );

/** What `buildRows` reads of the model. */
export interface ITreeSource {
  pipelines: readonly IPipeline[];
  executions(pipelineName: string): ExecutionList | undefined;
  detail(executionArn: string): IExecutionDetail | undefined;
  toggleDetail(executionArn: string): Promise<void>;
}

/** Flatten the model's tree into rows, in display order. */
export function buildRows(model: ITreeSource): Row[] {
  const rows: Row[] = [];
  for (const pipeline of model.pipelines) {
    const list = model.executions(pipeline.name);
    rows.push({
      kind: 'pipeline',
      key: `p:${pipeline.name}`,
      level: 1,
      pipeline,
      expanded: !!list,
      className: 'jp-MLOps-pipeline-row',
      title: pipeline.description
        ? `${pipeline.name}\n${pipeline.description}`
        : pipeline.name,
      data: { pipelineName: pipeline.name }
    });
    if (list) {
      rows.push(...executionRows(model, pipeline.name, list));
    }
  }
  return rows;
}

function executionRows(
  model: ITreeSource,
  pipelineName: string,
  list: ExecutionList
): Row[] {
  const rows: Row[] = [
    {
      kind: 'filter',
      key: `f:${pipelineName}`,
      level: 2,
      role: 'none',
      pipelineName,
      status: list.filter,
      className: 'jp-MLOps-filter-row'
    }
  ];
  for (const execution of list.items) {
    const detail = model.detail(execution.arn);
    rows.push({
      kind: 'execution',
      key: `e:${execution.arn}`,
      level: 2,
      execution,
      expanded: !!detail,
      className: 'jp-MLOps-execution-row',
      title: execution.arn,
      data: {
        executionArn: execution.arn,
        pipelineName: execution.pipelineName,
        status: execution.status
      }
    });
    if (detail) {
      rows.push(...detailRows(model, execution.arn, detail));
    }
  }
  if (list.error) {
    rows.push({
      kind: 'message',
      key: `xe:${pipelineName}`,
      level: 2,
      role: 'none',
      text: 'error',
      error: list.error,
      retry: () => void list.reload()
    });
  } else if (list.nextToken) {
    rows.push({
      kind: 'more',
      key: `m:${pipelineName}`,
      level: 2,
      role: 'none',
      pipelineName,
      loading: list.loading
    });
  } else if (list.items.length === 0) {
    rows.push({
      kind: 'message',
      key: `x0:${pipelineName}`,
      level: 2,
      role: 'none',
      text: list.loaded ? 'empty-executions' : 'loading'
    });
  }
  return rows;
}

function detailRows(
  model: ITreeSource,
  executionArn: string,
  detail: IExecutionDetail
): Row[] {
  const rows: Row[] = [];
  if (detail.execution) {
    rows.push({
      kind: 'execution-info',
      key: `i:${executionArn}`,
      level: 3,
      role: 'none',
      execution: detail.execution,
      className: 'jp-MLOps-execution-info'
    });
  }
  for (const step of detail.steps) {
    rows.push({
      kind: 'step',
      key: `s:${executionArn}:${step.name}`,
      level: 3,
      step,
      executionArn,
      className: 'jp-MLOps-step-row',
      title: step.displayName || step.name,
      data: { stepName: step.name, executionArn }
    });
  }
  if (detail.error) {
    rows.push({
      kind: 'message',
      key: `se:${executionArn}`,
      level: 3,
      role: 'none',
      text: 'error',
      error: detail.error,
      retry: () => {
        void model
          .toggleDetail(executionArn)
          .then(() => model.toggleDetail(executionArn));
      }
    });
  } else if (detail.steps.length === 0) {
    rows.push({
      kind: 'message',
      key: `s0:${executionArn}`,
      level: 3,
      role: 'none',
      text: detail.loading ? 'loading' : 'empty-steps'
    });
  }
  return rows;
}

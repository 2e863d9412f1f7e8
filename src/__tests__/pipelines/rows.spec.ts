import {
  IExecutionSummary,
  IPipeline,
  PipelineExecutionStatus
} from '../../core/pipelines/types';
import type { ExecutionList, IExecutionDetail } from '../../pipelines/model';
import { ITreeSource, buildRows } from '../../pipelines/rows';
import { PagedList } from '../../shared/pagedList';

const pipeline = (name: string): IPipeline => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:1:pipeline/${name}`,
  tags: {}
});
const execution = (id: string): IExecutionSummary => ({
  arn: `arn:aws:sagemaker:us-east-1:1:pipeline/a/execution/${id}`,
  pipelineName: 'a',
  status: 'Failed'
});

async function list(
  items: IExecutionSummary[],
  nextToken?: string
): Promise<ExecutionList> {
  const l: ExecutionList = new PagedList<
    IExecutionSummary,
    PipelineExecutionStatus | undefined
  >({
    filter: undefined,
    fetch: async () => ({ items, nextToken })
  });
  await l.reload();
  return l;
}

function source(
  pipelines: IPipeline[],
  executions: Record<string, ExecutionList> = {},
  details: Record<string, IExecutionDetail> = {}
): ITreeSource {
  return {
    pipelines,
    executions: name => executions[name],
    detail: arn => details[arn],
    toggleDetail: async () => undefined
  };
}

describe('buildRows', () => {
  it('shows one collapsed tree item per pipeline, named for the context menu', () => {
    const rows = buildRows(source([pipeline('a'), pipeline('b')]));
    expect(rows.map(r => [r.kind, r.level, r.expanded])).toEqual([
      ['pipeline', 1, false],
      ['pipeline', 1, false]
    ]);
    expect(rows[0].data).toEqual({ pipelineName: 'a' });
  });

  it('shows an expanded pipeline with its status filter, executions and a "more" row', async () => {
    const rows = buildRows(
      source([pipeline('a')], {
        a: await list([execution('1'), execution('2')], 'next')
      })
    );
    expect(rows.map(r => r.kind)).toEqual([
      'pipeline',
      'filter',
      'execution',
      'execution',
      'more'
    ]);
    expect(rows[1].role).toBe('none');
    expect(rows[2].data).toEqual({
      executionArn: execution('1').arn,
      pipelineName: 'a',
      status: 'Failed'
    });
  });

  it('shows an expanded execution as a summary and its steps, without the long detail', async () => {
    const e = execution('1');
    const rows = buildRows(
      source(
        [pipeline('a')],
        { a: await list([e]) },
        {
          [e.arn]: {
            execution: {
              ...e,
              parameters: [{ name: 'p', value: 'x'.repeat(500) }]
            },
            steps: [
              { name: 'Train', status: 'Failed', cacheHit: false },
              { name: 'Evaluate', status: 'Succeeded', cacheHit: false }
            ],
            loading: false,
            error: null
          }
        }
      )
    );
    expect(rows.map(r => `${r.kind}:${r.level}`)).toEqual([
      'pipeline:1',
      'filter:2',
      'execution:2',
      'execution-info:3',
      'step:3',
      'step:3'
    ]);
    expect(rows[4].data).toEqual({ stepName: 'Train', executionArn: e.arn });
  });

  it('says when a pipeline has no executions and when an expanded execution is loading', async () => {
    const e = execution('1');
    expect(
      buildRows(source([pipeline('a')], { a: await list([]) })).map(r => r.kind)
    ).toEqual(['pipeline', 'filter', 'message']);
    const rows = buildRows(
      source(
        [pipeline('a')],
        { a: await list([e]) },
        {
          [e.arn]: { steps: [], loading: true, error: null }
        }
      )
    );
    const last = rows[rows.length - 1];
    expect(last.kind === 'message' && last.text).toBe('loading');
  });
});

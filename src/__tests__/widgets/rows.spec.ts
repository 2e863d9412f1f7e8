import { IExecutionDetail, IExecutionList } from '../../models/pipelines';
import { IPipeline } from '../../core/types';
import { TreeSource, buildRows } from '../../widgets/pipelines/rows';

function source(options: {
  pipelines: IPipeline[];
  executions?: Record<string, IExecutionList>;
  details?: Record<string, IExecutionDetail>;
}): TreeSource {
  return {
    pipelines: options.pipelines,
    executions: (name: string) => options.executions?.[name],
    detail: (arn: string) => options.details?.[arn],
    toggleDetail: async () => undefined,
    setStatusFilter: async () => undefined
  };
}

const pipeline = (name: string): IPipeline => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:1:pipeline/${name}`,
  tags: {}
});
const execution = (
  id: string,
  status: 'Failed' | 'Succeeded' = 'Succeeded'
) => ({
  arn: `arn:aws:sagemaker:us-east-1:1:pipeline/a/execution/${id}`,
  pipelineName: 'a',
  status
});

describe('buildRows', () => {
  it('shows only pipeline rows when nothing is expanded', () => {
    const rows = buildRows(
      source({ pipelines: [pipeline('a'), pipeline('b')] })
    );
    expect(rows.map(r => r.kind)).toEqual(['pipeline', 'pipeline']);
    expect(rows.every(r => r.kind === 'pipeline' && !r.expanded)).toBe(true);
  });

  it('nests the filter, executions, execution details, steps and a load-more row under an expanded pipeline', () => {
    const e1 = execution('e1', 'Failed');
    const rows = buildRows(
      source({
        pipelines: [pipeline('a'), pipeline('b')],
        executions: {
          a: {
            items: [e1, execution('e2')],
            nextToken: 'next',
            loading: false,
            error: null
          }
        },
        details: {
          [e1.arn]: {
            execution: { ...e1, parameters: [{ name: 'X', value: '1' }] },
            steps: [
              {
                name: 'Train',
                status: 'Failed',
                cacheHit: false,
                failureReason: 'OOM'
              },
              { name: 'Evaluate', status: 'Stopped', cacheHit: false }
            ],
            loading: false,
            error: null
          }
        }
      })
    );
    expect(rows.map(r => r.kind)).toEqual([
      'pipeline',
      'filter',
      'execution',
      'execution-info',
      'step',
      'step',
      'execution',
      'more',
      'pipeline'
    ]);
    expect(new Set(rows.map(r => r.key)).size).toBe(rows.length);
  });

  it('says so when an expanded pipeline has no executions, and shows errors in place', () => {
    const empty = buildRows(
      source({
        pipelines: [pipeline('a')],
        executions: { a: { items: [], loading: false, error: null } }
      })
    );
    expect(empty.at(-1)).toMatchObject({
      kind: 'message',
      text: 'empty-executions'
    });
    const failed = buildRows(
      source({
        pipelines: [pipeline('a')],
        executions: {
          a: { items: [], loading: false, error: new Error('x') as any }
        }
      })
    );
    expect(failed.at(-1)).toMatchObject({ kind: 'message', text: 'error' });
  });
});

import {
  filterRuns,
  keysOf,
  metricsTable,
  paramMatches,
  paramValues,
  paramsTable,
  sortRuns
} from '../../../core/runs/compare';
import {
  linksOf,
  statusOfMlflowRun,
  statusOfTrialComponent
} from '../../../core/runs/rules';
import { IRun } from '../../../core/runs/types';

function run(
  id: string,
  params: Record<string, string>,
  metrics: Record<string, number | [number, number, number]> = {},
  extra: Partial<IRun> = {}
): IRun {
  return {
    id,
    name: id,
    experimentId: 'e',
    experimentName: 'churn',
    source: 'mlflow',
    status: 'Completed',
    params,
    metrics: Object.fromEntries(
      Object.entries(metrics).map(([k, v]) => [
        k,
        Array.isArray(v) ? { last: v[0], min: v[1], max: v[2] } : { last: v }
      ])
    ),
    tags: {},
    links: {},
    ...extra
  };
}

const RUNS = [
  run('a', { eta: '0.1', max_depth: '3', objective: 'binary' }, { auc: 0.8 }),
  run(
    'b',
    { eta: '0.2', max_depth: '10', objective: 'binary' },
    { auc: 0.9, loss: 0.3 }
  ),
  run('c', { eta: '0.1', objective: 'binary' }, { auc: [0.7, 0.5, 0.75] }),
  run('d', { eta: '0.3', max_depth: '5', objective: 'binary' }, {})
];

describe('runs table helpers', () => {
  it('lists every param and metric name across the runs', () => {
    expect(keysOf(RUNS)).toEqual({
      params: ['eta', 'max_depth', 'objective'],
      metrics: ['auc', 'loss']
    });
  });

  it('puts params side by side and marks the rows that differ (a missing value differs)', () => {
    const rows = paramsTable(RUNS);
    expect(rows).toEqual([
      { name: 'eta', values: ['0.1', '0.2', '0.1', '0.3'], differs: true },
      { name: 'max_depth', values: ['3', '10', undefined, '5'], differs: true },
      {
        name: 'objective',
        values: ['binary', 'binary', 'binary', 'binary'],
        differs: false
      }
    ]);
    expect(
      paramsTable(RUNS, { differencesOnly: true }).map(r => r.name)
    ).toEqual(['eta', 'max_depth']);
    // Same values everywhere, one run lacking the param: it differs.
    expect(paramsTable([run('x', { a: '1' }), run('y', {})])[0].differs).toBe(
      true
    );
    expect(
      paramsTable([run('x', { a: '1' }), run('y', { a: '1' })])[0].differs
    ).toBe(false);
    expect(paramsTable([])).toEqual([]);
  });

  it('puts metrics side by side with last, min and max per run', () => {
    const rows = metricsTable(RUNS);
    expect(rows[0]).toEqual({
      name: 'auc',
      values: [
        { last: 0.8 },
        { last: 0.9 },
        { last: 0.7, min: 0.5, max: 0.75 },
        undefined
      ],
      differs: true
    });
    expect(rows[1].values).toEqual([
      undefined,
      { last: 0.3 },
      undefined,
      undefined
    ]);
    const same = [
      run('x', {}, { auc: 0.5 }),
      run('y', {}, { auc: [0.5, 0.1, 0.6] })
    ];
    expect(metricsTable(same, { differencesOnly: true })).toEqual([]);
  });

  it('compares any number of runs', () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      run(`r${i}`, { seed: String(i % 3), fixed: 'x' }, { auc: i / 2500 })
    );
    const rows = paramsTable(many, { differencesOnly: true });
    expect(rows.map(r => r.name)).toEqual(['seed']);
    expect(rows[0].values).toHaveLength(2500);
    expect(metricsTable(many)[0].values).toHaveLength(2500);
  });

  it('sorts by a metric either way with the runs lacking it last', () => {
    const key = { by: 'metric' as const, name: 'auc' };
    expect(sortRuns(RUNS, key).map(r => r.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(sortRuns(RUNS, key, 'ascending').map(r => r.id)).toEqual([
      'c',
      'a',
      'b',
      'd'
    ]);
    expect(
      sortRuns(RUNS, { by: 'metric', name: 'auc', stat: 'min' }).map(r => r.id)
    ).toEqual(['c', 'a', 'b', 'd']);
    expect(
      sortRuns(RUNS, { by: 'metric', name: 'loss' }).map(r => r.id)
    ).toEqual(['b', 'a', 'c', 'd']);
    // NaN is no value.
    const nan = [run('n', {}, { auc: NaN }), run('m', {}, { auc: 0.1 })];
    expect(sortRuns(nan, key, 'ascending').map(r => r.id)).toEqual(['m', 'n']);
    // The input is not reordered.
    expect(RUNS.map(r => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sorts params as numbers when they are numbers (10 after 3), as text otherwise, missing last', () => {
    const key = { by: 'param' as const, name: 'max_depth' };
    expect(sortRuns(RUNS, key, 'ascending').map(r => r.id)).toEqual([
      'a',
      'd',
      'b',
      'c'
    ]);
    expect(sortRuns(RUNS, key, 'descending').map(r => r.id)).toEqual([
      'b',
      'd',
      'a',
      'c'
    ]);
    const mixed = [
      run('t2', { opt: 'run-10' }),
      run('t1', { opt: 'run-9' }),
      run('n', { opt: '2' }),
      run('none', {})
    ];
    expect(
      sortRuns(mixed, { by: 'param', name: 'opt' }, 'ascending').map(r => r.id)
    ).toEqual(['n', 't1', 't2', 'none']);
  });

  it('sorts by start, duration and status', () => {
    const timed = [
      run(
        'late',
        {},
        {},
        {
          startedAt: new Date(3000),
          endedAt: new Date(4000),
          status: 'Failed'
        }
      ),
      run(
        'early',
        {},
        {},
        {
          startedAt: new Date(1000),
          endedAt: new Date(9000),
          status: 'Running'
        }
      ),
      run('unknown', {}, {})
    ];
    expect(sortRuns(timed, { by: 'startedAt' }).map(r => r.id)).toEqual([
      'late',
      'early',
      'unknown'
    ]);
    expect(sortRuns(timed, { by: 'duration' }).map(r => r.id)).toEqual([
      'early',
      'late',
      'unknown'
    ]);
    expect(
      sortRuns(timed, { by: 'status' }, 'ascending').map(r => r.id)
    ).toEqual(['early', 'late', 'unknown']);
  });

  it('filters by param value (numbers compared as numbers), status, source and text', () => {
    expect(filterRuns(RUNS, { params: { eta: '0.1' } }).map(r => r.id)).toEqual(
      ['a', 'c']
    );
    expect(
      filterRuns(RUNS, { params: { eta: '0.10' } }).map(r => r.id)
    ).toEqual(['a', 'c']);
    // A run without the parameter does not match.
    expect(
      filterRuns(RUNS, { params: { eta: '0.1', max_depth: '3' } }).map(
        r => r.id
      )
    ).toEqual(['a']);
    expect(filterRuns(RUNS, { params: { max_depth: '' } })).toEqual([]);
    const mixed = [
      ...RUNS,
      run(
        'sm-1',
        { eta: '0.1' },
        {},
        {
          source: 'sagemaker-experiments',
          status: 'Failed',
          name: 'Nightly Run'
        }
      )
    ];
    expect(filterRuns(mixed, { statuses: ['Failed'] }).map(r => r.id)).toEqual([
      'sm-1'
    ]);
    expect(
      filterRuns(mixed, { sources: ['sagemaker-experiments'] }).map(r => r.id)
    ).toEqual(['sm-1']);
    expect(filterRuns(mixed, { text: 'nightly' }).map(r => r.id)).toEqual([
      'sm-1'
    ]);
    expect(filterRuns(mixed, {})).toHaveLength(5);
    expect(paramMatches('1e-3', '0.001')).toBe(true);
    expect(paramMatches('abc', 'ABC')).toBe(false);
    expect(paramValues(mixed, 'max_depth')).toEqual(['3', '5', '10']);
  });
});

describe('run rules', () => {
  it('normalises the statuses of both sources', () => {
    expect(
      [
        'InProgress',
        'Stopping',
        'Completed',
        'Failed',
        'Stopped',
        undefined
      ].map(statusOfTrialComponent)
    ).toEqual([
      'Running',
      'Running',
      'Completed',
      'Failed',
      'Stopped',
      'Unknown'
    ]);
    expect(
      ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED', 'X'].map(
        statusOfMlflowRun
      )
    ).toEqual([
      'Running',
      'Running',
      'Completed',
      'Failed',
      'Stopped',
      'Unknown'
    ]);
  });

  it('links ARNs by their resource type and known tags, first value kept', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012';
    expect(
      linksOf(
        [
          `${arn}:training-job/t1`,
          undefined,
          `${arn}:pipeline/p/execution/e1`,
          `${arn}:experiment-trial-component/x`,
          'arn:aws:s3:::bucket/key'
        ],
        {
          'sagemaker:training-job-arn': `${arn}:training-job/t2`,
          'sagemaker:model-package-arn': `${arn}:model-package/g/3`,
          // a known key whose value is not of its type is ignored
          'sagemaker:processing-job-arn': 'not an arn',
          'mlflow.source.name': 'https://git.example/repo.git'
        }
      )
    ).toEqual({
      trainingJobArn: `${arn}:training-job/t1`,
      pipelineExecutionArn: `${arn}:pipeline/p/execution/e1`,
      modelPackageArn: `${arn}:model-package/g/3`,
      source: 'https://git.example/repo.git'
    });
  });
});

import { MLOpsError } from '../../core/errors';
import type { IExperiment } from '../../core/runs/types';
import { runKey } from '../../runs/rules';
import { RunsTableModel } from '../../runs/table/model';
import { FakeProvider, run, settle } from './fake';

const EXP: IExperiment = { id: '7', name: 'churn', source: 'mlflow', tags: {} };
const SM: IExperiment = {
  id: 'churn-experiments',
  name: 'churn-experiments',
  source: 'sagemaker-experiments',
  tags: {}
};

function setup(count = 1234) {
  const ml = new FakeProvider(
    'mlflow',
    [EXP],
    new Map([
      [
        EXP.id,
        Array.from({ length: count }, (_, i) =>
          run('mlflow', EXP.id, count - i, {
            params: { eta: String((count - i) % 3), depth: '4' },
            metrics: { auc: { last: ((count - i) % 97) / 100 } }
          })
        )
      ]
    ])
  );
  const sm = new FakeProvider(
    'sagemaker-experiments',
    [SM],
    new Map([
      [
        SM.id,
        [
          run('sagemaker-experiments', SM.id, 5, {
            params: { max_depth: '6' },
            metrics: {
              'validation:accuracy': { last: 0.9, min: 0.5, max: 0.9 }
            }
          })
        ]
      ]
    ])
  );
  const model = new RunsTableModel({
    experiments: async () => [EXP, SM],
    provider: async source => (source === 'mlflow' ? ml : sm),
    interval: () => 3_600_000
  });
  return { model, ml, sm };
}

async function loaded(model: RunsTableModel): Promise<void> {
  model.addView().setVisible(true);
  for (let i = 0; i < 100 && !model.complete; i++) {
    await settle(5);
  }
}

describe('RunsTableModel', () => {
  it('reads a small first page, then every other page as large as the source allows', async () => {
    const { model, ml, sm } = setup();
    await loaded(model);
    expect(model.runs).toHaveLength(1235);
    expect(ml.calls).toEqual([
      'runs:7:0:50',
      'runs:7:50:1000',
      'runs:7:1050:1000'
    ]);
    expect(sm.calls).toEqual(['runs:churn-experiments:0:50']);
    model.dispose();
  });

  it('has a column for every metric and every param of every source', async () => {
    const { model } = setup(3);
    await loaded(model);
    expect(
      model.columns().map(c => ('name' in c ? `${c.kind}:${c.name}` : c.kind))
    ).toEqual([
      'name',
      'source',
      'status',
      'experiment',
      'started',
      'duration',
      'metric:auc',
      'metric:validation:accuracy',
      'param:depth',
      'param:eta',
      'param:max_depth',
      'links'
    ]);
    model.setHidden('param:eta', true);
    expect(
      model.visibleColumns().some(c => c.kind === 'param' && c.name === 'eta')
    ).toBe(false);
    // The name column always shows.
    model.setHidden('name', true);
    expect(model.visibleColumns()[0].kind).toBe('name');
    model.dispose();
  });

  it('sorts by a metric (missing values last) and flips on the second click; filters by a param', async () => {
    const { model } = setup(10);
    await loaded(model);
    model.sortBy({ by: 'metric', name: 'auc' });
    expect(model.sort.direction).toBe('descending');
    const rows = model.rows();
    expect(rows[0].metrics.auc.last).toBe(0.1);
    // The SageMaker run has no `auc`: last in either direction.
    expect(rows[rows.length - 1].source).toBe('sagemaker-experiments');
    model.sortBy({ by: 'metric', name: 'auc' });
    expect(model.sort.direction).toBe('ascending');
    expect(model.rows()[0].metrics.auc.last).toBe(0.01);
    expect(model.rows()[model.rows().length - 1].source).toBe(
      'sagemaker-experiments'
    );

    model.setParamFilter('eta', '1');
    expect(model.rows().map(r => r.name)).toEqual([
      'run 1',
      'run 4',
      'run 7',
      'run 10'
    ]);
    expect(model.paramValues('eta')).toEqual(['0', '1', '2']);
    model.setParamFilter('eta', undefined);
    expect(model.rows()).toHaveLength(11);
    model.dispose();
  });

  it('selects runs for a compare, in the order shown, with no cap', async () => {
    const { model } = setup(300);
    await loaded(model);
    model.selectShown(true);
    expect(model.selectedCount).toBe(301);
    model.clearSelection();
    const [a, b] = model.rows();
    model.setSelected(runKey(b), true);
    model.setSelected(runKey(a), true);
    expect(model.selectedRuns().map(r => r.id)).toEqual([a.id, b.id]);
    model.dispose();
  });

  it('a refresh reads the first page again: new runs are added, known ones replaced', async () => {
    const { model, ml } = setup(60);
    await loaded(model);
    const list = ml.runs.get(EXP.id)!;
    list.unshift(run('mlflow', EXP.id, 61, { status: 'Running' }));
    list[1] = { ...list[1], status: 'Failed' };
    await model.refresh();
    expect(model.runs).toHaveLength(62);
    expect(model.runs.find(r => r.id === 'r60')?.status).toBe('Failed');
    expect(model.runs.find(r => r.id === 'r61')?.status).toBe('Running');
    expect(ml.calls[ml.calls.length - 1]).toBe('runs:7:0:100');
    model.dispose();
  });

  it('an experiment whose pages fail keeps what was read and says why', async () => {
    const { model, ml } = setup(200);
    ml.failNextPages = new MLOpsError({
      code: 'UpstreamUnreachable',
      message: 'down',
      status: 502,
      operation: 'SearchRuns'
    });
    model.addView().setVisible(true);
    await settle(50);
    expect(model.error?.code).toBe('UpstreamUnreachable');
    expect(model.runs).toHaveLength(51);
    expect(model.complete).toBe(false);
    ml.failNextPages = null;
    await model.retry();
    for (let i = 0; i < 50 && !model.complete; i++) {
      await settle(5);
    }
    expect(model.runs).toHaveLength(201);
    expect(model.error).toBeNull();
    model.dispose();
  });
});

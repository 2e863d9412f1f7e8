import {
  CompareModel,
  historySeries,
  scatterSeries
} from '../../runs/compare/model';
import { experimentOfContext } from '../../runs/kernel';
import { describeError } from '../../shared/errors';
import { MLOpsError } from '../../core/errors';
import { nullTranslator } from '@jupyterlab/translation';
import { FakeProvider, run } from './fake';
import type { IExperiment } from '../../core/runs/types';

function setup() {
  const runs = [
    run('mlflow', '7', 1, { params: { eta: '0.1', depth: '4' } }),
    run('mlflow', '7', 2, { params: { eta: '0.3', depth: '4' } }),
    run('sagemaker-experiments', 'exp', 3, {
      params: { eta: '0.2', depth: '4', objective: 'binary' },
      metrics: { 'validation:auc': { last: 0.7, min: 0.6, max: 0.75 } }
    })
  ];
  const ml = new FakeProvider('mlflow', [], new Map());
  const sm = new FakeProvider('sagemaker-experiments', [], new Map());
  ml.histories.set('r1:validation:auc', {
    name: 'validation:auc',
    points: [
      { step: 0, value: 0.5 },
      { step: 1, value: 0.4 },
      { step: 2, value: 0.01 }
    ]
  });
  ml.histories.set('r2:validation:auc', {
    name: 'validation:auc',
    points: [
      { step: 0, value: 0.6 },
      { step: 2, value: 0.02 }
    ]
  });
  const model = new CompareModel({
    runs,
    provider: async source => (source === 'mlflow' ? ml : sm)
  });
  return { model, ml, sm, runs };
}

describe('CompareModel', () => {
  it('shows the params side by side with their differences (a missing value differs)', () => {
    const { model } = setup();
    expect(model.params(false).map(r => [r.name, r.differs])).toEqual([
      ['depth', false],
      ['eta', true],
      ['objective', true]
    ]);
    expect(model.params(true).map(r => r.name)).toEqual(['eta', 'objective']);
  });

  it('completes min and max from the histories (each read once); keeps the SageMaker summary', async () => {
    const { model, ml, sm } = setup();
    const before = model.metrics(false)[0].values;
    expect(before[0]?.min).toBeUndefined();
    expect(before[2]).toEqual({ last: 0.7, min: 0.6, max: 0.75 });
    await model.loadMetric('validation:auc');
    await model.loadMetric('validation:auc');
    expect(ml.count('history:')).toBe(2);
    expect(sm.count('history:')).toBe(1);
    const after = model.metrics(false)[0].values;
    expect(after[0]).toMatchObject({ min: 0.01, max: 0.5 });
    expect(after[1]).toMatchObject({ min: 0.02, max: 0.6 });
    expect(after[2]).toEqual({ last: 0.7, min: 0.6, max: 0.75 });
    expect(
      model.history(model.runs[2], 'validation:auc')?.history?.limitation
    ).toBe('summaryOnly');
  });

  it('a line series per run with a history; a scatter point per run with the metric and the param', async () => {
    const { model, runs } = setup();
    await model.loadMetric('validation:auc');
    const series = historySeries(model, 'validation:auc');
    expect(series.map(s => [s.index, s.x, s.y])).toEqual([
      [0, [0, 1, 2], [0.5, 0.4, 0.01]],
      [1, [0, 2], [0.6, 0.02]]
    ]);
    const numeric = scatterSeries(runs, 'validation:auc', 'eta');
    expect(numeric.categories).toBeUndefined();
    expect(numeric.series.map(s => [s.x[0], s.y[0]])).toEqual([
      [0.1, 0.01],
      [0.3, 0.02],
      [0.2, 0.7]
    ]);
    const text = scatterSeries(runs, 'validation:auc', 'objective');
    expect(text.categories).toEqual(['binary']);
    expect(text.series).toHaveLength(1);
  });
});

describe('notebook run context', () => {
  const experiments: IExperiment[] = [
    { id: '7', name: 'customer-churn', source: 'mlflow', tags: {} },
    {
      id: 'customer-churn-experiments',
      name: 'customer-churn experiments',
      source: 'sagemaker-experiments',
      tags: {}
    }
  ];
  const model = { allExperiments: async () => experiments };

  it("finds the experiment of the kernel's active MLflow run, or SageMaker run", async () => {
    expect(
      await experimentOfContext(model, {
        mlflow: { runId: 'abc', experimentId: '7' }
      })
    ).toEqual({ experiment: experiments[0], runKey: 'mlflow:abc' });
    expect(
      await experimentOfContext(model, {
        sagemaker: {
          experimentName: 'customer-churn-experiments',
          trialComponentName: 'tc-1'
        }
      })
    ).toEqual({
      experiment: experiments[1],
      runKey: 'sagemaker-experiments:tc-1'
    });
    // An experiment the project does not list is still opened as the kernel names it.
    expect(
      (await experimentOfContext(model, { mlflow: { experimentId: '99' } }))
        .experiment
    ).toMatchObject({ id: '99', source: 'mlflow' });
    expect(await experimentOfContext(model, {})).toEqual({});
    expect(await experimentOfContext(model, null)).toEqual({});
  });
});

describe('MLflow errors', () => {
  const trans = nullTranslator.load('sagemaker_mlops');
  it('says that MLflow is not configured and how to configure it', () => {
    const text = describeError(
      new MLOpsError({
        code: 'NoEndpoint',
        message: 'No MLflow tracking server is configured',
        status: 503,
        operation: 'SearchExperiments'
      }),
      trans
    );
    expect(text).toMatch(/MLflow is not configured/);
    expect(text).toMatch(/mlflow_tracking_uri/);
  });
  it('says that the tracking server is down', () => {
    expect(
      describeError(
        new MLOpsError({
          code: 'UpstreamUnreachable',
          message: 'x',
          status: 502,
          operation: 'SearchRuns'
        }),
        trans
      )
    ).toMatch(/MLflow tracking server did not answer/);
  });
  it('names the sagemaker-mlflow IAM action when access is denied', () => {
    expect(
      describeError(
        new MLOpsError({
          code: 'AccessDeniedException',
          message: 'no',
          status: 403,
          operation: 'GetMetricHistory'
        }),
        trans
      )
    ).toMatch(/sagemaker-mlflow:GetMetricHistory/);
  });
});

import {
  compareMetrics,
  evaluationReportOf,
  metricDirection,
  parseReport,
  readVersionMetrics
} from '../../../core/registry/metrics';
import { IMetric } from '../../../core/registry/types';

const m = (name: string, value: number, section = 'x'): IMetric => ({
  section,
  name,
  value
});

describe('parseReport', () => {
  it('flattens the binary classification section', () => {
    const report = JSON.stringify({
      binary_classification_metrics: {
        accuracy: { value: 0.87, standard_deviation: 0.01 },
        auc: { value: 0.92 }
      }
    });
    expect(parseReport(report)).toEqual([
      {
        section: 'binary_classification_metrics',
        name: 'accuracy',
        value: 0.87,
        standardDeviation: 0.01
      },
      {
        section: 'binary_classification_metrics',
        name: 'auc',
        value: 0.92,
        standardDeviation: undefined
      }
    ]);
  });

  it('reads every known section and skips matrices, curves and non-numbers', () => {
    const report = JSON.stringify({
      multiclass_classification_metrics: {
        accuracy: { value: 0.8, standard_deviation: 'n/a' },
        confusion_matrix: { '0': { '0': 10, '1': 2 } },
        receiver_operating_characteristic_curve: {
          false_positive_rates: [0, 1],
          true_positive_rates: [0, 1]
        },
        weighted_f1: { value: 0.79 },
        broken: { value: 'NaN' }
      },
      regression_metrics: {
        mse: { value: 12.5, standard_deviation: 1.2 },
        r2: { value: 0.83 }
      },
      something_else: { accuracy: { value: 1 } }
    });
    expect(parseReport(report).map(x => `${x.section}/${x.name}`)).toEqual([
      'multiclass_classification_metrics/accuracy',
      'multiclass_classification_metrics/weighted_f1',
      'regression_metrics/mse',
      'regression_metrics/r2'
    ]);
    expect(parseReport(report)[0].standardDeviation).toBeUndefined();
  });

  it('gives nothing for a report without known sections', () => {
    expect(parseReport('{}')).toEqual([]);
  });

  it.each(['not json', '[1, 2]', 'null', '42'])(
    'refuses %j as an InvalidReport validation error',
    text => {
      expect(() => parseReport(text)).toThrow(
        expect.objectContaining({ code: 'InvalidReport', kind: 'validation' })
      );
    }
  );
});

describe('metricDirection', () => {
  it.each([
    'accuracy',
    'auc',
    'AUC',
    'f1',
    'weighted_f1',
    'macro-precision',
    'recall',
    'r2',
    'validation:accuracy',
    'balanced_accuracy'
  ])('%s: higher is better', name => {
    expect(metricDirection(name)).toBe('higher');
  });

  it.each([
    'mse',
    'rmse',
    'mae',
    'log_loss',
    'logloss',
    'RMSE',
    'false_positive_rate'
  ])('%s: lower is better', name => {
    expect(metricDirection(name)).toBe('lower');
  });

  it.each(['latency_ms', 'threshold', 'count', ''])('%j: unknown', name => {
    expect(metricDirection(name)).toBeUndefined();
  });
});

describe('compareMetrics', () => {
  const base = [
    m('accuracy', 0.8),
    m('mse', 10),
    m('threshold', 0.5),
    m('auc', 0.9)
  ];
  const candidate = [
    m('accuracy', 0.85),
    m('mse', 12),
    m('threshold', 0.6),
    m('auc', 0.9),
    m('rmse', 3)
  ];

  it('judges the candidate against the base by each metric direction', () => {
    const rows = compareMetrics(base, candidate);
    expect(rows.map(r => [r.name, r.verdict, r.differs])).toEqual([
      ['accuracy', 'better', true],
      ['mse', 'worse', true],
      ['threshold', undefined, true],
      ['auc', 'same', false],
      ['rmse', undefined, true]
    ]);
    expect(rows[0].difference).toBeCloseTo(0.05);
    expect(rows[1]).toMatchObject({ base: 10, candidate: 12, difference: 2 });
    expect(rows[4]).toMatchObject({ base: undefined, candidate: 3 });
    expect(rows[4].difference).toBeUndefined();
  });

  it('lower is better: a smaller error is better', () => {
    expect(compareMetrics([m('rmse', 5)], [m('rmse', 4)])[0].verdict).toBe(
      'better'
    );
  });

  it('treats floating point noise as the same', () => {
    const [row] = compareMetrics([m('f1', 0.1 + 0.2)], [m('f1', 0.3)]);
    expect(row).toMatchObject({
      verdict: 'same',
      difference: 0,
      differs: false
    });
  });

  it('keeps only differences when asked', () => {
    const names = compareMetrics(base, candidate, {
      differencesOnly: true
    }).map(r => r.name);
    expect(names).toEqual(['accuracy', 'mse', 'threshold', 'rmse']);
  });

  it('a metric only the base has differs without a judgement', () => {
    expect(compareMetrics([m('auc', 0.9)], [])).toEqual([
      {
        name: 'auc',
        section: 'x',
        base: 0.9,
        candidate: undefined,
        direction: 'higher',
        differs: true
      }
    ]);
  });
});

describe('reading a version metrics', () => {
  const version = {
    arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/3',
    metricsReports: [
      {
        kind: 'Bias.Report',
        s3Uri: 's3://b/bias.json',
        contentType: 'application/json'
      },
      {
        kind: 'ModelQuality.Statistics',
        s3Uri: 's3://b/evaluation.json',
        contentType: 'application/json'
      }
    ]
  };

  it('prefers the model quality statistics', () => {
    expect(evaluationReportOf(version)).toBe('s3://b/evaluation.json');
    expect(
      evaluationReportOf({ metricsReports: [version.metricsReports[0]] })
    ).toBe('s3://b/bias.json');
    expect(evaluationReportOf({ metricsReports: [] })).toBeUndefined();
  });

  it('reads the report through the injected reader', async () => {
    const read = jest.fn(async () =>
      JSON.stringify({ regression_metrics: { mae: { value: 2 } } })
    );
    expect(await readVersionMetrics(version, { read })).toEqual([
      {
        section: 'regression_metrics',
        name: 'mae',
        value: 2,
        standardDeviation: undefined
      }
    ]);
    expect(read).toHaveBeenCalledWith('s3://b/evaluation.json', version.arn);
    expect(
      await readVersionMetrics(
        { arn: version.arn, metricsReports: [] },
        { read }
      )
    ).toEqual([]);
    expect(read).toHaveBeenCalledTimes(1);
  });
});

import type { IRun } from '../../core/runs/types';
import {
  columnsOf,
  consoleUrl,
  enabledSources,
  formatMetric,
  keyMetrics
} from '../../runs/rules';
import { parseProbe, probeExpression } from '../../runs/kernel';

describe('runs view rules', () => {
  it('enables the sources a setting names, in order; all of them when it names none', () => {
    expect(enabledSources(['mlflow', 'sagemaker-experiments'])).toEqual([
      'sagemaker-experiments',
      'mlflow'
    ]);
    expect(enabledSources(['mlflow', 'wandb'])).toEqual(['mlflow']);
    expect(enabledSources([])).toEqual(['sagemaker-experiments', 'mlflow']);
    expect(enabledSources(undefined)).toEqual([
      'sagemaker-experiments',
      'mlflow'
    ]);
  });

  it('chooses key metrics: the configured ones the runs have, else validation and test first, common first', () => {
    const runs: Pick<IRun, 'metrics'>[] = [
      {
        metrics: {
          'train:loss': { last: 1 },
          val_auc: { last: 1 },
          f1: { last: 1 }
        }
      },
      { metrics: { 'train:loss': { last: 1 }, 'test:accuracy': { last: 1 } } },
      { metrics: { f1: { last: 1 } } }
    ];
    expect(keyMetrics(runs)).toEqual(['val_auc', 'test:accuracy', 'f1']);
    expect(keyMetrics(runs, ['f1', 'nope', 'train:loss'])).toEqual([
      'f1',
      'train:loss'
    ]);
    expect(keyMetrics([], ['f1'])).toEqual([]);
  });

  it('formats metric values compactly', () => {
    expect(formatMetric(0.912345678)).toBe('0.9123');
    expect(formatMetric(12.3456789)).toBe('12.3457');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(123456789)).toBe('1.235e+8');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(NaN)).toBe('NaN');
    expect(formatMetric(undefined)).toBe('');
  });

  it('links SageMaker jobs and model versions to the console; nothing else', () => {
    expect(
      consoleUrl(
        'eu-west-1',
        'arn:aws:sagemaker:eu-west-1:1:training-job/churn-xgb-1'
      )
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/churn-xgb-1'
    );
    expect(
      consoleUrl('us-east-1', 'arn:aws:sagemaker:us-east-1:1:model-package/g/3')
    ).toBe(
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-packages/g/3'
    );
    expect(consoleUrl('us-east-1', 'arn:aws:s3:::bucket/key')).toBeUndefined();
    expect(consoleUrl('us-east-1', 'javascript:alert(1)')).toBeUndefined();
  });

  it('has a column per metric and per param between the fixed ones', () => {
    expect(
      columnsOf({ metrics: ['auc'], params: ['eta'] }).map(c => c.kind)
    ).toEqual([
      'name',
      'source',
      'status',
      'experiment',
      'started',
      'duration',
      'metric',
      'param',
      'links'
    ]);
  });
});

describe('kernel run context', () => {
  it('reads the repr of the probe result', () => {
    expect(
      parseProbe(
        `'{"mlflow": {"runId": "abc", "experimentId": "7"}, "sagemaker": {"experimentName": "e", "runName": "r", "trialComponentName": "e-r"}}'`
      )
    ).toEqual({
      mlflow: { runId: 'abc', experimentId: '7' },
      sagemaker: {
        experimentName: 'e',
        runName: 'r',
        trialComponentName: 'e-r'
      }
    });
    // A quote in a name comes escaped, a backslash doubled by repr.
    expect(
      parseProbe(`'{"mlflow": {"experimentName": "it\\\\u0027s \\\\"x\\\\""}}'`)
    ).toEqual({ mlflow: { experimentName: 'it\'s "x"' } });
    expect(parseProbe(`'{}'`)).toEqual({});
    expect(parseProbe(undefined)).toBeNull();
    expect(parseProbe('None')).toBeNull();
    expect(parseProbe(`'not json'`)).toBeNull();
    // Values that are not strings are dropped.
    expect(parseProbe(`'{"mlflow": {"runId": 3}}'`)).toEqual({ mlflow: {} });
  });

  it('runs the probe in a namespace of its own (one expression, nothing left in the kernel)', () => {
    const expression = probeExpression('result = 1');
    expect(expression).toBe(
      `(lambda ns: (exec("result = 1", ns), ns.get('result'))[1])({})`
    );
  });
});

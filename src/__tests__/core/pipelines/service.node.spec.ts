import { pipelineOfArn } from '../../../core/arn';
import { mapLimit, requestToken } from '../../../core/aws';
import { belongsToProject, stepJob } from '../../../core/pipelines/rules';
import { EXECUTION_STATUSES, canRetry, canStop } from '../../../core/status';

const ARN = 'arn:aws:sagemaker:us-east-1:111122223333';

describe('stepJob', () => {
  it.each([
    [
      { TrainingJob: { Arn: `${ARN}:training-job/pipelines-ab12cd-Train-x9` } },
      'TrainingJob',
      'pipelines-ab12cd-Train-x9'
    ],
    [
      { ProcessingJob: { Arn: `${ARN}:processing-job/pipelines-ab12cd-pre` } },
      'ProcessingJob',
      'pipelines-ab12cd-pre'
    ],
    [
      { TransformJob: { Arn: `${ARN}:transform-job/pipelines-batch` } },
      'TransformJob',
      'pipelines-batch'
    ],
    [
      {
        TuningJob: { Arn: `${ARN}:hyper-parameter-tuning-job/pipelines-tune` }
      },
      'TuningJob',
      'pipelines-tune'
    ],
    [
      { Model: { Arn: `${ARN}:model/pipelines-model` } },
      'Model',
      'pipelines-model'
    ],
    [
      {
        RegisterModel: {
          Arn: `${ARN}:model-package/customer-churn-p-abcdef123456/7`
        }
      },
      'RegisterModel',
      'customer-churn-p-abcdef123456/7'
    ],
    [
      {
        Lambda: {
          Arn: 'arn:aws:lambda:us-east-1:111122223333:function:notify-team:3'
        }
      },
      'Lambda',
      'notify-team'
    ],
    [
      { EndpointConfig: { Arn: `${ARN}:endpoint-config/churn-staging` } },
      'Other',
      'churn-staging'
    ]
  ])('maps %j to a %s named %j', (metadata, kind, name) => {
    const job = stepJob(metadata as any);
    expect(job).toEqual({ kind, name, arn: expect.stringMatching(/^arn:/) });
  });

  it('has no job for condition, fail or empty metadata', () => {
    expect(stepJob({ Condition: { Outcome: 'True' } })).toBeUndefined();
    expect(stepJob({ Fail: { ErrorMessage: 'too low' } })).toBeUndefined();
    expect(stepJob({})).toBeUndefined();
    expect(stepJob(undefined)).toBeUndefined();
  });

  it('keeps the ARN but no name when the ARN has no resource name', () => {
    expect(stepJob({ TrainingJob: { Arn: `${ARN}:training-job` } })).toEqual({
      kind: 'TrainingJob',
      arn: `${ARN}:training-job`,
      name: undefined
    });
  });
});

describe('belongsToProject', () => {
  const project = { name: 'customer-churn', id: 'p-abcdef123456' };

  it('trusts project tags, of SageMaker or CloudFormation, over names', () => {
    const mine = { 'sagemaker:project-id': 'p-abcdef123456' };
    const theirs = {
      'sagemaker:project-name': 'customer-churn-v2',
      'sagemaker:project-id': 'p-000000000000'
    };
    expect(belongsToProject('anything', mine, project)).toBe(true);
    expect(
      belongsToProject('customer-churn-p-abcdef123456', theirs, project)
    ).toBe(false);
    expect(
      belongsToProject('x', { SageMakerProjectName: 'customer-churn' }, project)
    ).toBe(true);
    expect(
      belongsToProject(
        'x',
        { SageMakerProjectName: 'fraud-detection' },
        project
      )
    ).toBe(false);
  });

  it.each([
    ['customer-churn-p-abcdef123456', true],
    ['customer-churn-p-abcdef123456-deploy', true],
    ['customer-churn-alice-user-pipeline', true],
    ['customer-churn-Bob-Smith-user-pipeline', true],
    ['customer-churn', false],
    ['customer-churn-p-000000000000', false],
    ['customer-churn-v2-p-abcdef123456', false],
    ['customer-churn-scratch', false],
    ['customer-churn-user-pipeline', false]
  ])('without tags, takes %s by its name: %s', (name, expected) => {
    expect(belongsToProject(name, {}, project)).toBe(expected);
  });
});

describe('statuses and small helpers', () => {
  it('allows stop only while executing, and retry only after a failure', () => {
    expect(EXECUTION_STATUSES.filter(canStop)).toEqual(['Executing']);
    expect(EXECUTION_STATUSES.filter(canRetry)).toEqual(['Failed']);
  });

  it('reads the pipeline of an execution ARN', () => {
    expect(
      pipelineOfArn(`${ARN}:pipeline/customer-churn-p-1/execution/abc`)
    ).toBe('customer-churn-p-1');
    expect(pipelineOfArn('not-an-arn')).toBe('');
  });

  it('makes unique idempotency tokens within SageMaker length limits (32-128)', () => {
    const tokens = new Set(Array.from({ length: 50 }, requestToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(token.length).toBeLessThanOrEqual(128);
    }
  });

  it('runs at most `limit` tasks at a time and finishes them all', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async delay => {
      running++;
      peak = Math.max(peak, running);
      await new Promise(r => setTimeout(r, delay * 3));
      done.push(delay);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(
      mapLimit([], 4, async () => undefined)
    ).resolves.toBeUndefined();
  });
});

import { logLocation } from '../../../core/pipelines/logs';
import { projectFromTags } from '../../../core/project/tags';

describe('projectFromTags', () => {
  it('reads the tags SageMaker projects put on their resources', () => {
    expect(
      projectFromTags({
        'sagemaker:project-name': 'customer-churn',
        'sagemaker:project-id': 'p-abcdef123456',
        EnvironmentName: 'dev'
      })
    ).toEqual({ name: 'customer-churn', id: 'p-abcdef123456' });
  });

  it('reads the CloudFormation tags, and prefers the SageMaker ones when both exist', () => {
    expect(
      projectFromTags({
        SageMakerProjectName: 'fraud-detection',
        SageMakerProjectId: 'p-000000000001'
      })
    ).toEqual({ name: 'fraud-detection', id: 'p-000000000001' });
    expect(
      projectFromTags({
        'sagemaker:project-name': 'a',
        SageMakerProjectName: 'b',
        SageMakerProjectId: 'p-2'
      })
    ).toEqual({ name: 'a', id: 'p-2' });
  });

  it('has neither without project tags', () => {
    expect(projectFromTags({ CostCenter: '42' })).toEqual({
      name: undefined,
      id: undefined
    });
  });
});

describe('logLocation', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j';
  it.each([
    ['TrainingJob', '/aws/sagemaker/TrainingJobs'],
    ['ProcessingJob', '/aws/sagemaker/ProcessingJobs'],
    ['TransformJob', '/aws/sagemaker/TransformJobs']
  ] as const)('puts a %s in %s under <job>/', (kind, logGroup) => {
    expect(logLocation({ kind, name: 'pipelines-x1-Train', arn })).toEqual({
      logGroup,
      streamPrefix: 'pipelines-x1-Train/'
    });
  });

  it('has none for jobs without a CloudWatch log of their own or without a name', () => {
    expect(logLocation({ kind: 'RegisterModel', name: 'g/1', arn })).toBe(
      undefined
    );
    expect(logLocation({ kind: 'Lambda', name: 'fn', arn })).toBeUndefined();
    expect(logLocation({ kind: 'TrainingJob', arn })).toBeUndefined();
  });
});

import {
  executionId,
  lastSegment,
  parseArn,
  pipelineOfArn
} from '../../core/arn';
import { call, collect } from '../../core/aws';
import { MLOpsError } from '../../core/errors';

const EXECUTION =
  'arn:aws:sagemaker:us-east-1:111122223333:pipeline/customer-churn-p-1/execution/abc123';

describe('ARN helpers', () => {
  it('parses an ARN, keeping colons inside the resource', () => {
    expect(
      parseArn('arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/x:*')
    ).toEqual({
      partition: 'aws',
      service: 'logs',
      region: 'us-east-1',
      account: '1',
      resource: 'log-group:/aws/sagemaker/x:*'
    });
    expect(parseArn('not-an-arn')).toBeUndefined();
  });

  it('reads execution ids, pipeline names and last segments', () => {
    expect(executionId(EXECUTION)).toBe('abc123');
    expect(pipelineOfArn(EXECUTION)).toBe('customer-churn-p-1');
    expect(lastSegment(EXECUTION)).toBe('abc123');
    expect(lastSegment('arn:aws:iam::1:role/service-role/data-scientist')).toBe(
      'data-scientist'
    );
    expect(lastSegment('arn:aws:sts::1:assumed-role/ds/session-1')).toBe(
      'session-1'
    );
    expect(pipelineOfArn('arn:aws:sagemaker:us-east-1:1:model/x')).toBe('');
  });
});

describe('call and collect', () => {
  const denied = () =>
    Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400, requestId: 'r-1' }
    });

  it('turns what the SDK throws into an MLOpsError naming the operation', async () => {
    await expect(
      call('UpdateModelPackage', () => Promise.reject(denied()))
    ).rejects.toMatchObject({
      code: 'AccessDeniedException',
      kind: 'accessDenied',
      operation: 'UpdateModelPackage',
      requestId: 'r-1'
    });
  });

  it('collects every page of a paginator, and fails as one operation', async () => {
    async function* pages() {
      yield { Items: [1, 2] };
      yield { Items: undefined };
      yield { Items: [3] };
    }
    expect(await collect('List', pages(), p => p.Items)).toEqual([1, 2, 3]);
    async function* failing() {
      yield { Items: [1] };
      throw denied();
    }
    const error = await collect('ListTags', failing(), p => p.Items).catch(
      e => e
    );
    expect(error).toBeInstanceOf(MLOpsError);
    expect(error.operation).toBe('ListTags');
  });
});

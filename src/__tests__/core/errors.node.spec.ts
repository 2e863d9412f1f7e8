import { MLOpsError, classify, toMLOpsError } from '../../core/errors';

describe('classify', () => {
  it.each([
    ['ThrottlingException', 400, 'throttling'],
    ['SomethingElse', 429, 'throttling'],
    ['AccessDeniedException', 400, 'accessDenied'],
    ['ExpiredTokenException', 400, 'expiredCredentials'],
    ['UnrecognizedClientException', 400, 'expiredCredentials'],
    ['NoCredentials', 503, 'noCredentials'],
    ['OperationNotAllowed', 403, 'refused'],
    ['UpstreamUnreachable', 502, 'network'],
    ['UpstreamTimeout', 504, 'network'],
    ['ResourceNotFound', 400, 'notFound'],
    ['ParentCommitIdOutdatedException', 400, 'conflict'],
    ['ValidationException', 400, 'validation'],
    ['InternalFailure', 500, 'server'],
    ['Weird', 403, 'accessDenied'],
    ['Weird', undefined, 'unknown']
  ])('%s with status %s is %s', (code, status, kind) => {
    expect(classify(code as string, status as number | undefined)).toBe(kind);
  });
});

describe('toMLOpsError', () => {
  it('keeps the AWS code, message, status and request id of an SDK ServiceException', () => {
    const sdkError = Object.assign(
      new Error('User: arn:aws:iam::1:user/x is not authorized'),
      {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400, requestId: 'req-1' }
      }
    );
    const error = toMLOpsError(sdkError, 'StartPipelineExecution');
    expect(error).toBeInstanceOf(MLOpsError);
    expect(error.code).toBe('AccessDeniedException');
    expect(error.kind).toBe('accessDenied');
    expect(error.status).toBe(400);
    expect(error.requestId).toBe('req-1');
    expect(error.operation).toBe('StartPipelineExecution');
    expect(error.message).toContain('is not authorized');
    expect(error.retryable).toBe(false);
  });

  it('reports a fetch failure as a retryable network error', () => {
    const error = toMLOpsError(new TypeError('Failed to fetch'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  it('returns an MLOpsError unchanged', () => {
    const original = new MLOpsError({ code: 'X', message: 'y' });
    expect(toMLOpsError(original)).toBe(original);
  });

  it('falls back to the code when the SDK gives no message', () => {
    const error = toMLOpsError({
      name: 'InternalFailure',
      message: 'UnknownError',
      $metadata: { httpStatusCode: 500 }
    });
    expect(error.message).toBe('InternalFailure');
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
  });
});

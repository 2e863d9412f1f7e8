/**
 * Typed errors for everything the extension asks of AWS or of its own server.
 *
 * Host-agnostic: no JupyterLab imports. Widgets turn a `MLOpsError` into a
 * translated sentence that says what happened and what to do.
 */

/** What kind of failure this is, which decides how the UI reacts. */
export type ErrorKind =
  | 'throttling'
  | 'accessDenied'
  | 'expiredCredentials'
  | 'noCredentials'
  | 'network'
  | 'notFound'
  | 'conflict'
  | 'validation'
  | 'refused'
  | 'server'
  | 'unknown';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException'
]);
const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'NotAuthorized',
  'AuthorizationError'
]);
const EXPIRED = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException'
]);
const NOT_FOUND = new Set([
  'ResourceNotFound',
  'ResourceNotFoundException',
  'ValidationException:NotFound',
  'RepositoryDoesNotExistException',
  'FileDoesNotExistException',
  'BranchDoesNotExistException',
  'ResourceNotFoundFault'
]);
const CONFLICT = new Set([
  'ConflictException',
  'ParentCommitIdOutdatedException',
  'ResourceInUse',
  'ResourceLimitExceeded'
]);
const VALIDATION = new Set([
  'InvalidConfig',
  'ValidationException',
  'InvalidParameterException',
  'InvalidParameterValueException'
]);
const REFUSED = new Set([
  'RepositoryNotAllowed',
  'OperationNotAllowed',
  'ServiceNotAllowed',
  'XSRFError',
  'Forbidden'
]);
const NETWORK = new Set([
  'UpstreamUnreachable',
  'UpstreamTimeout',
  'NetworkError',
  'TimeoutError'
]);

/** An error from AWS, from the server proxy, or from the network, with its AWS code kept. */
export class MLOpsError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly requestId?: string;
  /** The operation that failed, e.g. `StartPipelineExecution`, when known. */
  readonly operation?: string;
  /**
   * Values of the extension's own errors (`code` names the problem), so a host can say it in the user's
   * language; `message` is the English fallback.
   */
  readonly params: Readonly<Record<string, string>>;

  constructor(options: {
    code: string;
    message: string;
    status?: number;
    requestId?: string;
    operation?: string;
    kind?: ErrorKind;
    params?: Record<string, string>;
  }) {
    super(options.message);
    this.name = 'MLOpsError';
    this.code = options.code;
    this.status = options.status;
    this.requestId = options.requestId;
    this.operation = options.operation;
    this.params = options.params ?? {};
    this.kind = options.kind ?? classify(options.code, options.status);
  }

  /** Whether trying again later may succeed without the user changing anything. */
  get retryable(): boolean {
    return (
      this.kind === 'throttling' ||
      this.kind === 'network' ||
      this.kind === 'server'
    );
  }
}

/** Map an AWS error code and HTTP status to the kind of failure. */
export function classify(code: string, status?: number): ErrorKind {
  if (THROTTLING.has(code) || status === 429) {
    return 'throttling';
  }
  if (EXPIRED.has(code)) {
    return 'expiredCredentials';
  }
  if (code === 'NoCredentials') {
    return 'noCredentials';
  }
  if (ACCESS_DENIED.has(code)) {
    return 'accessDenied';
  }
  if (REFUSED.has(code)) {
    return 'refused';
  }
  if (NETWORK.has(code) || status === 502 || status === 504) {
    return 'network';
  }
  if (NOT_FOUND.has(code) || status === 404) {
    return 'notFound';
  }
  if (CONFLICT.has(code) || status === 409) {
    return 'conflict';
  }
  if (VALIDATION.has(code) || status === 400) {
    return 'validation';
  }
  if (status !== undefined && status >= 500) {
    return 'server';
  }
  if (status === 403) {
    return 'accessDenied';
  }
  return 'unknown';
}

/**
 * Turn anything thrown by an AWS SDK v3 client (a `ServiceException`, a fetch
 * `TypeError` when the network is down, an abort) into an `MLOpsError`.
 */
export function toMLOpsError(error: unknown, operation?: string): MLOpsError {
  if (error instanceof MLOpsError) {
    return error;
  }
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    $response?: { statusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (
    status === undefined &&
    (error instanceof TypeError || e.name === 'TypeError')
  ) {
    // fetch() rejects with a TypeError when the server cannot be reached at all.
    return new MLOpsError({
      code: 'NetworkError',
      message: e.message || 'Network error',
      operation,
      kind: 'network'
    });
  }
  if (e.name === 'AbortError') {
    return new MLOpsError({
      code: 'AbortError',
      message: 'The request was cancelled.',
      operation,
      kind: 'unknown'
    });
  }
  const code =
    e.Code ||
    e.code ||
    (e.name && e.name !== 'Error' ? e.name : undefined) ||
    'UnknownError';
  const message =
    (e.message && e.message !== 'UnknownError' ? e.message : '') || code;
  return new MLOpsError({
    code,
    message,
    status,
    requestId: e.$metadata?.requestId,
    operation
  });
}

import { TranslationBundle } from '@jupyterlab/translation';

import { MLOpsError } from '../core/errors';

/**
 * One sentence that says what happened and what to do, for any error the
 * extension shows. AWS's own message is kept as text, never as markup.
 */
export function describeError(
  error: MLOpsError,
  trans: TranslationBundle
): string {
  const own = describeOwnError(error, trans);
  if (own) {
    return own;
  }
  const action = error.operation ?? trans.__('this action');
  switch (error.kind) {
    case 'throttling':
      return trans.__(
        'AWS is throttling requests (%1). The extension retried with backoff; it will try again shortly.',
        error.code
      );
    case 'accessDenied':
      return trans.__(
        'Access denied: your role lacks permission for %1. Ask your platform administrator to grant it. AWS said: %2',
        error.operation ? iamAction(error.operation) : action,
        error.message
      );
    case 'expiredCredentials':
      return trans.__(
        'The AWS credentials of the Jupyter server have expired or are invalid (%1). Restart the Studio app (or refresh the credentials of the server), then retry.',
        error.code
      );
    case 'noCredentials':
      return trans.__(
        'The Jupyter server has no AWS credentials. Run it with an execution role, a profile or environment credentials, then retry. (%1)',
        error.message
      );
    case 'network':
      return trans.__(
        'AWS could not be reached (%1). Check the network or VPC endpoints; what is already shown is kept. Retry when the connection is back.',
        error.message
      );
    case 'refused':
      return trans.__(
        'The SageMaker MLOps server refused the request: %1',
        error.message
      );
    case 'notFound':
      return trans.__('Not found: %1', error.message);
    case 'conflict':
      return trans.__('Conflict: %1', error.message);
    case 'validation':
      return trans.__('Invalid request: %1', error.message);
    case 'server':
      return trans.__(
        'AWS reported a server error (%1): %2. Retry in a moment.',
        error.code,
        error.message
      );
    default:
      return trans.__('%1 failed: %2 (%3)', action, error.message, error.code);
  }
}

/** The extension's own errors (by code and params), in the user's language. */
function describeOwnError(
  error: MLOpsError,
  trans: TranslationBundle
): string | undefined {
  const p = error.params;
  const mlflow = MLFLOW_OPERATIONS.includes(error.operation ?? '');
  switch (error.code) {
    case 'NoEndpoint':
      if (mlflow) {
        return trans.__(
          'MLflow is not configured: the Jupyter server has no tracking server. Set SageMakerMLOps.mlflow_tracking_uri (or the MLFLOW_TRACKING_URI environment variable) of the Jupyter server to the URL of your MLflow tracking server or the ARN of your SageMaker managed MLflow tracking server, then restart it.'
        );
      }
      return undefined;
    case 'UpstreamUnreachable':
    case 'UpstreamTimeout':
      if (mlflow) {
        return trans.__(
          'The MLflow tracking server did not answer (%1). Check that it is running and reachable from the Jupyter server (SageMakerMLOps.mlflow_tracking_uri or MLFLOW_TRACKING_URI says which one it uses), then retry.',
          error.code
        );
      }
      return undefined;
    case 'NoRole':
      return trans.__(
        'No pipeline of %1 has an execution role to reuse for your pipeline.',
        p.project ?? ''
      );
    case 'InvalidName':
      return trans.__('"%1" is not a valid pipeline name.', p.name ?? '');
    case 'NotInIndex':
    case 'ConfirmationRequired':
    case 'KernelNotFound':
    case 'InvalidRequirement':
      // The server's own sentences, which name the package or the kernel.
      return error.message;
    case 'ChangedSinceOpened':
      return trans.__(
        'This model version changed since you opened it: it is now %1 (comment: "%2"). Nothing was written; review it again before deciding.',
        p.status ?? '',
        p.comment ?? ''
      );
    case 'GateChanged':
      return trans.__(
        'The approval %1 of %2 no longer waits for a decision (it was decided, superseded or expired). The deployment state was refreshed.',
        p.action ?? '',
        p.pipeline ?? ''
      );
    case 'InvalidComment':
      return trans.__(
        'The comment must have %1 to %2 characters and not be blank (it has %3).',
        p.min ?? '1',
        p.max ?? '1024',
        p.length ?? '0'
      );
    case 'InvalidSummary':
      return trans.__(
        'The comment must have at most %1 characters (it has %2).',
        p.max ?? '512',
        p.length ?? '0'
      );
    case 'ConfigRepositoryNotFound':
      return trans.__(
        'No CodeCommit repository of the project %1 was found (tried %2). Set the repository in Settings → SageMaker MLOps: shared configuration.',
        p.project ?? '',
        p.tried ?? ''
      );
    case 'ConfigConflict':
      return trans.__(
        '%1 moved since %2 was opened (now at %3): nothing was committed and your edit is kept. Review their change and re-apply yours.',
        p.branch ?? '',
        p.path ?? '',
        p.head ?? ''
      );
    case 'InvalidConfig':
      // The server's own sentence: file, JSON pointer, line and rule.
      return trans.__('The server refused the commit: %1', error.message);
    case 'RepositoryNotAllowed':
      return trans.__(
        "The server only commits to the project's own repositories: %1",
        error.message
      );
    case 'NotUtf8':
      return trans.__(
        '%1 is not UTF-8 text: it cannot be edited here.',
        p.path ?? ''
      );
    case 'NoRegion':
      return trans.__(
        'The Jupyter server reported no AWS region: set AWS_REGION for the server (or a region in its AWS profile) and restart it.'
      );
    case 'InvalidPipelineDefinition':
      switch (p.problem) {
        case 'notJson':
          return trans.__(
            'The pipeline definition is not valid JSON: %1',
            p.detail ?? ''
          );
        case 'notObject':
          return trans.__('The pipeline definition must be a JSON object.');
        case 'noSteps':
          return trans.__('The pipeline definition has no "Steps" list.');
        case 'parameterName':
          return trans.__('Every entry of "Parameters" needs a "Name".');
        case 'stepName':
          return trans.__(
            'Every step of the pipeline definition needs a "Name".'
          );
        case 'duplicateStep':
          return trans.__('The step name "%1" is used twice.', p.step ?? '');
        case 'dependsOnNotList':
          return trans.__(
            '"DependsOn" of the step "%1" must be a list.',
            p.step ?? ''
          );
      }
      return undefined;
  }
  return undefined;
}

/** The MLflow REST operations (service `sagemaker-mlflow`). */
const MLFLOW_OPERATIONS = [
  'SearchExperiments',
  'SearchRuns',
  'GetMetricHistory'
];

/** Operations of services other than SageMaker, by the IAM prefix of their actions. */
const SERVICE_OF: Record<string, string> = {
  GetPipeline: 'codepipeline',
  GetPipelineState: 'codepipeline',
  GetPipelineExecution: 'codepipeline',
  ListPipelines: 'codepipeline',
  ListPipelineExecutions: 'codepipeline',
  ListActionExecutions: 'codepipeline',
  ListTagsForResource: 'codepipeline',
  PutApprovalResult: 'codepipeline',
  GetLogEvents: 'logs',
  DescribeLogStreams: 'logs',
  GetObject: 's3',
  GetRepository: 'codecommit',
  ListBranches: 'codecommit',
  GetBranch: 'codecommit',
  GetFile: 'codecommit',
  CreateCommit: 'codecommit',
  ListPullRequests: 'codecommit',
  GetPullRequest: 'codecommit',
  CreatePullRequest: 'codecommit',
  SearchExperiments: 'sagemaker-mlflow',
  SearchRuns: 'sagemaker-mlflow',
  GetMetricHistory: 'sagemaker-mlflow'
};

/** The IAM action of an operation (`sagemaker:UpdateModelPackage`), which an administrator grants. */
export function iamAction(operation: string): string {
  if (operation.includes(':')) {
    return operation;
  }
  return `${SERVICE_OF[operation] ?? 'sagemaker'}:${operation}`;
}

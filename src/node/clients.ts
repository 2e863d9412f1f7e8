/**
 * Clients for a Node host (VS Code / SageMaker Code Editor, scripts, tests):
 * real credentials from the default provider chain, the endpoint from the
 * environment (`AWS_ENDPOINT_URL`) as the AWS SDK resolves it.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider
} from '@aws-sdk/types';

import type { IAwsClients } from '../core/aws';

export interface INodeClientOptions {
  region: string;
  /** Explicit credentials or a provider; default: the Node provider chain (env, profile, container, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Explicit endpoint; default: what the SDK resolves (honours AWS_ENDPOINT_URL). */
  endpoint?: string;
  maxAttempts?: number;
}

export function createNodeClients(options: INodeClientOptions): IAwsClients {
  const common = {
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.endpoint ? { endpoint: options.endpoint } : {})
  };
  return {
    sagemaker: new SageMakerClient(common),
    codecommit: new CodeCommitClient(common),
    codepipeline: new CodePipelineClient(common),
    logs: new CloudWatchLogsClient(common)
  };
}

import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeCommitClient } from '@aws-sdk/client-codecommit';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';

/**
 * The AWS clients the core services work with. The JupyterLab host builds them
 * against the server proxy (`aws/clients.ts`); a Node host builds them with
 * real credentials (`core/node.ts`).
 */
export interface IAwsClients {
  sagemaker: SageMakerClient;
  codecommit: CodeCommitClient;
  logs: CloudWatchLogsClient;
}

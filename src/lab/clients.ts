/**
 * AWS SDK clients for the JupyterLab host, all built here and pointed at the
 * server proxy. This module is the lazily loaded chunk: importing it pulls in
 * the AWS SDK, so it is only ever reached through `loadClients()`.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ServerConnection } from '@jupyterlab/services';

import type { IAwsClients } from '../core/aws';
import {
  JUPYTER_AUTH_MIDDLEWARE_OPTIONS,
  placeholderCredentials,
  jupyterAuthMiddleware,
  proxyEndpoint
} from './transport';

/** Build every client the extension uses, for one region, through the proxy. */
export function createProxiedClients(
  region: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IAwsClients {
  const common = {
    region,
    credentials: placeholderCredentials,
    maxAttempts: 4
  };
  const clients: IAwsClients = {
    sagemaker: new SageMakerClient({
      ...common,
      endpoint: proxyEndpoint('sagemaker', settings)
    }),
    codecommit: new CodeCommitClient({
      ...common,
      endpoint: proxyEndpoint('codecommit', settings)
    }),
    codepipeline: new CodePipelineClient({
      ...common,
      endpoint: proxyEndpoint('codepipeline', settings)
    }),
    logs: new CloudWatchLogsClient({
      ...common,
      endpoint: proxyEndpoint('logs', settings)
    })
  };
  for (const client of Object.values(clients)) {
    client.middlewareStack.addRelativeTo(
      jupyterAuthMiddleware(settings),
      JUPYTER_AUTH_MIDDLEWARE_OPTIONS
    );
  }
  return clients;
}

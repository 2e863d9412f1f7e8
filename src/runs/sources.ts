/**
 * The run sources of the JupyterLab host: SageMaker Experiments over the proxied SDK clients, MLflow over the
 * proxy's `sagemaker-mlflow` service (the server decides the tracking server and signs for a managed one).
 * Loaded with the runs model, never at start-up.
 */
import { ServerConnection } from '@jupyterlab/services';

import type { IAwsClients } from '../core/aws';
import { MLOpsError } from '../core/errors';
import { FetchLike, MlflowSource } from '../core/runs/mlflow';
import { SageMakerExperimentsSource } from '../core/runs/sagemaker';
import type { IRunProvider, IRunSource } from '../core/runs/types';
import { proxyEndpoint } from '../lab/transport';
import { once } from '../shared/lazy';

/** A fetch through Jupyter's connection (its token and XSRF headers). */
export function jupyterFetch(settings: ServerConnection.ISettings): FetchLike {
  return async (url, init) => {
    try {
      // 'no-cache' (revalidate, never a stale answer): with 'no-store', the connection's default, it appends
      // a cache-busting query, which the proxy's allowlist of MLflow query parameters refuses.
      return await ServerConnection.makeRequest(
        url,
        { ...init, cache: 'no-cache' },
        settings
      );
    } catch (error) {
      throw new MLOpsError({
        code: 'NetworkError',
        message:
          (error as Error).message ||
          'The Jupyter server could not be reached.',
        kind: 'network'
      });
    }
  };
}

/** The provider of a source, for the JupyterLab host. */
export function labProvider(
  source: IRunSource,
  clients: () => Promise<IAwsClients>,
  settings: ServerConnection.ISettings
): () => Promise<IRunProvider> {
  return once<IRunProvider>(async () =>
    source === 'mlflow'
      ? new MlflowSource(
          jupyterFetch(settings),
          proxyEndpoint('sagemaker-mlflow', settings)
        )
      : new SageMakerExperimentsSource(await clients())
  );
}

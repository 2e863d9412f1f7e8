import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { MLOpsError } from '../core/errors';
import { ROUTE_PREFIX } from '../tokens';

/**
 * Call a route of the extension's own server (`<baseUrl>sagemaker-mlops/<path>`).
 *
 * Jupyter's token and XSRF headers are added by `ServerConnection`. Errors come
 * back from the server as JSON `{code, message}` and are thrown as `MLOpsError`.
 */
export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, ROUTE_PREFIX, path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new MLOpsError({
      code: 'NetworkError',
      message:
        (error as Error).message || 'The Jupyter server could not be reached.',
      kind: 'network'
    });
  }
  const text = await response.text();
  let data: any = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new MLOpsError({
      code: data?.code ?? `HTTP${response.status}`,
      message:
        data?.message ?? response.statusText ?? `HTTP ${response.status}`,
      status: response.status
    });
  }
  return data as T;
}

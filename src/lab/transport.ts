import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ROUTE_PREFIX } from '../tokens';

/** The services the server proxy forwards, by the path segment it routes on. */
export type ProxiedService =
  | 'sagemaker'
  | 'codecommit'
  | 'logs'
  | 'codepipeline'
  | 'codeartifact'
  | 'sagemaker-mlflow';

/** Absolute URL of the server proxy for one service: `<origin><baseUrl>sagemaker-mlops/aws/<service>`. */
export function proxyEndpoint(
  service: ProxiedService,
  settings: ServerConnection.ISettings
): string {
  const base = URLExt.join(settings.baseUrl, ROUTE_PREFIX, 'aws', service);
  return new URL(base, globalThis.location?.href ?? 'http://localhost/').href;
}

/**
 * The browser never holds AWS credentials: clients are built with these
 * placeholders, and the signature they produce is removed before the request
 * leaves the browser. The server re-signs with its own credential chain.
 */
export const placeholderCredentials = async (): Promise<{
  accessKeyId: string;
  secretAccessKey: string;
}> => ({
  // A fresh object each time: the SDK annotates the credentials it is given.
  accessKeyId: 'signed-by-jupyter-server',
  secretAccessKey: 'signed-by-jupyter-server'
});

/** Headers the SDK's signer adds that must not travel to the proxy. */
const SIGNING_HEADERS = [
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256'
];

function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') {
    return undefined;
  }
  let value: string | undefined;
  for (const part of document.cookie.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(`${name}=`)) {
      // Last one wins, as on the server (see ServerConnection).
      value = decodeURIComponent(trimmed.slice(name.length + 1));
    }
  }
  return value;
}

/**
 * Replace the SDK's SigV4 headers by Jupyter's own authentication: the
 * `Authorization: token` header when the page has a token, and the XSRF
 * header from the `_xsrf` cookie. Runs after signing, on every attempt.
 */
export function jupyterAuthHeaders(
  headers: Record<string, string>,
  settings: Pick<ServerConnection.ISettings, 'token'>
): Record<string, string> {
  for (const name of Object.keys(headers)) {
    if (SIGNING_HEADERS.includes(name.toLowerCase())) {
      delete headers[name];
    }
  }
  if (settings.token) {
    headers['authorization'] = `token ${settings.token}`;
  }
  const xsrf = readCookie('_xsrf');
  if (xsrf !== undefined) {
    headers['x-xsrftoken'] = xsrf;
  }
  return headers;
}

/** Options of the middleware as the AWS SDK's middleware stack expects them. */
export const JUPYTER_AUTH_MIDDLEWARE_OPTIONS = {
  name: 'jupyterAuthMiddleware',
  relation: 'after' as const,
  toMiddleware: 'httpSigningMiddleware',
  override: true
};

/** The middleware itself, typed loosely so it fits every client of the SDK. */
export function jupyterAuthMiddleware(
  settings: Pick<ServerConnection.ISettings, 'token'>
) {
  return (next: (args: any) => Promise<any>) =>
    async (args: any): Promise<any> => {
      const request = args.request as
        { headers?: Record<string, string> } | undefined;
      if (request && request.headers) {
        jupyterAuthHeaders(request.headers, settings);
      }
      return next(args);
    };
}

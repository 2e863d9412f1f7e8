import { IAwsClients } from '../../core/clients';
import { createNodeClients } from '../../core/node';

/** The devstack's environment (its env file, sourced): fail loudly when it is missing. */
export function devstackEnv(): Record<string, string> {
  const names = [
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'DEVSTACK_CONTROL_URL'
  ];
  const missing = names.filter(n => !process.env[n]);
  if (missing.length) {
    throw new Error(
      `Start the devstack and source its env file first (missing ${missing.join(', ')}).`
    );
  }
  return Object.fromEntries(names.map(n => [n, process.env[n] as string]));
}

export function clients(
  identity: 'data-scientist' | 'approver' = 'data-scientist'
): IAwsClients {
  const env = devstackEnv();
  const credentials =
    identity === 'approver'
      ? {
          accessKeyId: process.env.DEVSTACK_APPROVER_ACCESS_KEY_ID as string,
          secretAccessKey: process.env
            .DEVSTACK_APPROVER_SECRET_ACCESS_KEY as string
        }
      : {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY
        };
  return createNodeClients({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials,
    maxAttempts: 1
  });
}

export async function control(path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${devstackEnv().DEVSTACK_CONTROL_URL}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) {
    throw new Error(
      `control ${path}: ${response.status} ${await response.text()}`
    );
  }
  return response.json();
}

export async function until<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 40000
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await fn();
  while (!ok(value) && Date.now() < end) {
    await new Promise(r => setTimeout(r, 300));
    value = await fn();
  }
  return value;
}

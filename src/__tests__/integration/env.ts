import { fromHttp } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider
} from '@aws-sdk/types';
import { IAwsClients } from '../../core/aws';
import { createNodeClients } from '../../node/clients';

/** The devstack's environment (its env file, sourced): fail loudly when it is missing. */
export function devstackEnv(): Record<string, string> {
  const names = [
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN',
    'DEVSTACK_APPROVER_CREDENTIALS_URI',
    'DEVSTACK_APPROVER_AUTHORIZATION_TOKEN',
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

export type DevstackIdentity = 'data-scientist' | 'approver';

/**
 * The temporary credentials of an identity (an IAM role, as in Studio), from its
 * container-credentials endpoint; refreshed by the SDK before they expire. The
 * data scientist's are the ones `fromNodeProviderChain()` also finds (the
 * AWS_CONTAINER_* variables); they are named explicitly so that a developer's
 * own AWS profile never leaks into the tests.
 */
export function credentialsFor(
  identity: DevstackIdentity = 'data-scientist'
): AwsCredentialIdentityProvider {
  const env = devstackEnv();
  return identity === 'approver'
    ? fromHttp({
        awsContainerCredentialsFullUri: env.DEVSTACK_APPROVER_CREDENTIALS_URI,
        awsContainerAuthorizationToken:
          env.DEVSTACK_APPROVER_AUTHORIZATION_TOKEN
      })
    : fromHttp({
        awsContainerCredentialsFullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
        awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN
      });
}

/** One set of an identity's credentials (key, secret, session token), e.g. to sign a request badly on purpose. */
export async function devstackCredentials(
  identity: DevstackIdentity = 'data-scientist'
): Promise<AwsCredentialIdentity> {
  return credentialsFor(identity)();
}

export function clients(
  identity: DevstackIdentity = 'data-scientist'
): IAwsClients {
  const env = devstackEnv();
  return createNodeClients({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: credentialsFor(identity),
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

/**
 * The AWS clients the core services work with, and the two ways core talks to
 * them: `call()` for one request and `collect()` over the SDK's own
 * paginators. Both turn whatever the SDK throws into an `MLOpsError` naming
 * the operation. Host-agnostic: the JupyterLab host builds the clients against
 * the server proxy (`lab/clients.ts`), a Node host with real credentials
 * (`node/clients.ts`).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeCommitClient } from '@aws-sdk/client-codecommit';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';

import { toMLOpsError } from './errors';

export interface IAwsClients {
  sagemaker: SageMakerClient;
  codecommit: CodeCommitClient;
  codepipeline: CodePipelineClient;
  logs: CloudWatchLogsClient;
}

/**
 * One AWS request: `call('Search', () => sagemaker.send(new SearchCommand(...)))`.
 * The output keeps the SDK's type; errors become `MLOpsError`s of `operation`.
 */
export async function call<O>(
  operation: string,
  request: () => Promise<O>
): Promise<O> {
  try {
    return await request();
  } catch (error) {
    throw toMLOpsError(error, operation);
  }
}

/**
 * Every item of every page of one of the SDK's paginators (`paginateListTags`,
 * `paginateSearch` ...), in order; `pick` reads a page's items.
 */
export async function collect<P, T>(
  operation: string,
  pages: AsyncIterable<P>,
  pick: (page: P) => readonly T[] | undefined
): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const page of pages) {
      items.push(...(pick(page) ?? []));
    }
  } catch (error) {
    throw toMLOpsError(error, operation);
  }
  return items;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const workers = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    }
  );
  await Promise.all(workers);
}

/** A unique token for idempotent operations (ClientRequestToken, 32+ characters). */
export function requestToken(): string {
  const random =
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `sagemaker-mlops-${random}`.slice(0, 128);
}

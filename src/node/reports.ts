/**
 * Evaluation reports read from S3 in a Node host (GetObject only; buckets are
 * never listed). The JupyterLab host reads them through a server route.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { call } from '../core/aws';
import { MLOpsError } from '../core/errors';
import type { IReportReader } from '../core/registry/types';
import type { INodeClientOptions } from './clients';

/** `s3://bucket/key` -> its bucket and key; undefined when it is not one. */
export function parseS3Uri(
  uri: string
): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

export class S3ReportReader implements IReportReader {
  /** An S3 client, or the options of the other Node clients (path-style addressing with an explicit endpoint). */
  constructor(client: S3Client | INodeClientOptions) {
    this._s3 =
      client instanceof S3Client
        ? client
        : new S3Client({
            region: client.region,
            ...(client.credentials ? { credentials: client.credentials } : {}),
            maxAttempts: client.maxAttempts ?? 4,
            ...(client.endpoint
              ? { endpoint: client.endpoint, forcePathStyle: true }
              : {})
          });
  }

  async read(s3Uri: string): Promise<string> {
    const location = parseS3Uri(s3Uri);
    if (!location) {
      throw new MLOpsError({
        code: 'InvalidS3Uri',
        message: `Not an S3 URI: ${s3Uri}`,
        kind: 'validation',
        params: { uri: s3Uri }
      });
    }
    const out = await call('GetObject', () =>
      this._s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key })
      )
    );
    return (await out.Body?.transformToString('utf-8')) ?? '';
  }

  private _s3: S3Client;
}

/**
 * Evaluation reports in the JupyterLab host: read by the server
 * (`GET <prefix>/registry/report`), which reads only an object the version's
 * `ModelMetrics` names, with the server's credentials. The browser never
 * reaches S3 and cannot list a bucket.
 */
import { ServerConnection } from '@jupyterlab/services';

import type { IReportReader } from '../core/registry/types';
import { requestAPI } from './server';

interface IReportReply {
  uri: string;
  contentType?: string;
  text: string;
}

export class ServerReportReader implements IReportReader {
  constructor(settings?: ServerConnection.ISettings) {
    this._settings = settings;
  }

  async read(s3Uri: string, versionArn: string): Promise<string> {
    const query = new URLSearchParams({ version: versionArn, uri: s3Uri });
    const reply = await requestAPI<IReportReply>(
      `registry/report?${query.toString()}`,
      { method: 'GET' },
      this._settings
    );
    return reply.text;
  }

  private _settings?: ServerConnection.ISettings;
}

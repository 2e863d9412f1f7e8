import {
  DescribeLogStreamsCommand,
  GetLogEventsCommand
} from '@aws-sdk/client-cloudwatch-logs';

import { IAwsClients } from './clients';
import { toMLOpsError } from './errors';
import { ILogChunk, IStepJob } from './types';

const GROUPS: Partial<Record<IStepJob['kind'], string>> = {
  TrainingJob: '/aws/sagemaker/TrainingJobs',
  ProcessingJob: '/aws/sagemaker/ProcessingJobs',
  TransformJob: '/aws/sagemaker/TransformJobs'
};

/** Where SageMaker writes the log of the job behind a step. */
export function logLocation(
  job: IStepJob
): { logGroup: string; streamPrefix: string } | undefined {
  const logGroup = GROUPS[job.kind];
  return logGroup && job.name
    ? { logGroup, streamPrefix: `${job.name}/` }
    : undefined;
}

/** Reads a step's log incrementally: each `next()` returns only the events after the previous call. */
export class LogTail {
  constructor(clients: IAwsClients, job: IStepJob) {
    this._clients = clients;
    this._location = logLocation(job);
  }

  async next(): Promise<ILogChunk> {
    const location = this._location;
    if (!location) {
      return { events: [], logGroup: '' };
    }
    try {
      if (!this._stream) {
        const streams = await this._clients.logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: location.logGroup,
            logStreamNamePrefix: location.streamPrefix
          })
        );
        this._stream = streams.logStreams?.[0]?.logStreamName;
        if (!this._stream) {
          return { events: [], logGroup: location.logGroup };
        }
      }
      const events: ILogChunk['events'] = [];
      for (let page = 0; page < 10; page++) {
        const out = await this._clients.logs.send(
          new GetLogEventsCommand({
            logGroupName: location.logGroup,
            logStreamName: this._stream,
            startFromHead: true,
            nextToken: this._token
          })
        );
        for (const e of out.events ?? []) {
          events.push({
            timestamp: e.timestamp ?? 0,
            message: e.message ?? ''
          });
        }
        const done =
          !out.nextForwardToken || out.nextForwardToken === this._token;
        this._token = out.nextForwardToken ?? this._token;
        if (done || !(out.events ?? []).length) {
          break;
        }
      }
      return {
        events,
        nextToken: this._token,
        logGroup: location.logGroup,
        logStream: this._stream
      };
    } catch (error) {
      const e = toMLOpsError(error, 'GetLogEvents');
      if (e.kind === 'notFound') {
        return { events: [], logGroup: location.logGroup };
      }
      throw e;
    }
  }

  private _clients: IAwsClients;
  private _location: { logGroup: string; streamPrefix: string } | undefined;
  private _stream?: string;
  private _token?: string;
}

import {
  GetLogEventsCommand,
  paginateDescribeLogStreams
} from '@aws-sdk/client-cloudwatch-logs';

import { IAwsClients, call, collect } from '../aws';
import { MLOpsError } from '../errors';
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

/**
 * Reads a step's log incrementally: each `next()` returns only the events written since the previous call.
 *
 * A job writes one stream per instance (`<job>/algo-1-<time>`, `<job>/algo-2-<time>` ...), created when the
 * instance starts, so each call looks for streams under the job's prefix (DescribeLogStreams) and reads
 * each one forward (GetLogEvents, startFromHead, then its nextForwardToken). Before the job has written
 * anything (no group or no stream yet) a call returns no events.
 */
export class LogTail {
  constructor(clients: IAwsClients, job: IStepJob) {
    this._clients = clients;
    this._location = logLocation(job);
  }

  /** How many pages of one stream a call reads at most (10,000 events a page). */
  static maxPagesPerCall = 10;

  async next(): Promise<ILogChunk> {
    const location = this._location;
    if (!location) {
      return { events: [], logGroup: '' };
    }
    const streams = await this._streams(location);
    if (!streams.length) {
      return { events: [], logGroup: location.logGroup };
    }
    const events: (ILogChunk['events'][number] & { order: number })[] = [];
    for (const [index, stream] of streams.entries()) {
      for (const e of await this._read(location.logGroup, stream)) {
        events.push({ ...e, order: index });
      }
    }
    // Interleave the instances by time, keeping each stream's own order.
    events.sort((a, b) => a.timestamp - b.timestamp || a.order - b.order);
    return {
      events: events.map(({ timestamp, message }) => ({ timestamp, message })),
      nextToken: this._tokens.get(streams[0]),
      logGroup: location.logGroup,
      logStream: streams[0],
      logStreams: streams
    };
  }

  private async _streams(location: {
    logGroup: string;
    streamPrefix: string;
  }): Promise<string[]> {
    try {
      const streams = await collect(
        'DescribeLogStreams',
        paginateDescribeLogStreams(
          { client: this._clients.logs },
          {
            logGroupName: location.logGroup,
            logStreamNamePrefix: location.streamPrefix
          }
        ),
        page => page.logStreams
      );
      return streams
        .map(s => s.logStreamName)
        .filter((name): name is string => !!name)
        .sort();
    } catch (error) {
      if ((error as MLOpsError).kind === 'notFound') {
        return [];
      }
      throw error;
    }
  }

  private async _read(
    logGroup: string,
    stream: string
  ): Promise<ILogChunk['events']> {
    const events: ILogChunk['events'] = [];
    try {
      for (let page = 0; page < LogTail.maxPagesPerCall; page++) {
        const previous = this._tokens.get(stream);
        const out = await call('GetLogEvents', () =>
          this._clients.logs.send(
            new GetLogEventsCommand({
              logGroupName: logGroup,
              logStreamName: stream,
              startFromHead: true,
              nextToken: previous
            })
          )
        );
        for (const e of out.events ?? []) {
          events.push({
            timestamp: e.timestamp ?? 0,
            message: e.message ?? ''
          });
        }
        if (out.nextForwardToken) {
          this._tokens.set(stream, out.nextForwardToken);
        }
        // The end of the stream for now: the same token again, or an empty page.
        if (
          !out.nextForwardToken ||
          out.nextForwardToken === previous ||
          !(out.events ?? []).length
        ) {
          break;
        }
      }
    } catch (error) {
      if ((error as MLOpsError).kind !== 'notFound') {
        throw error;
      }
    }
    return events;
  }

  private _clients: IAwsClients;
  private _location: { logGroup: string; streamPrefix: string } | undefined;
  /** Forward token per stream: where the next read of that stream starts. */
  private _tokens = new Map<string, string>();
}

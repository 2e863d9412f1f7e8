import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  ListTagsCommand,
  PipelineExecutionStep,
  PipelineExecutionSummary,
  RetryPipelineExecutionCommand,
  SearchCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand
} from '@aws-sdk/client-sagemaker';

import { IAwsClients } from './clients';
import { IPipelineDefinition, parseDefinition } from './definition';
import { MLOpsError, toMLOpsError } from './errors';
import { projectFromTags } from './projects';
import {
  IExecution,
  IExecutionSummary,
  IPage,
  IPipeline,
  IProject,
  IStep,
  IStepJob,
  PipelineExecutionStatus,
  StepStatus
} from './types';

const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

// The status rules live in a module without the AWS SDK, so views can use them eagerly.
export { canRetry, canStop } from './status';

/** A unique token for SageMaker's idempotent operations (ClientRequestToken, 32+ characters). */
export function requestToken(): string {
  const random =
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `sagemaker-mlops-${random}`.slice(0, 128);
}

/** The name in a job ARN: `...:training-job/<name>`, `...:function:<name>` (Lambda), `<group>/<version>` (model package). */
export function jobNameOfArn(
  kind: IStepJob['kind'],
  arn: string
): string | undefined {
  if (kind === 'Lambda') {
    const name = arn.split(':function:')[1]?.split(':')[0];
    return name || undefined;
  }
  const resource = arn.split(':').slice(5).join(':');
  const parts = resource.split('/').filter(Boolean);
  if (parts.length < 2) {
    return undefined;
  }
  return kind === 'RegisterModel'
    ? parts.slice(1).join('/')
    : parts[parts.length - 1];
}

/** Job behind a step, from its Metadata. */
export function stepJob(
  metadata: PipelineExecutionStep['Metadata']
): IStepJob | undefined {
  if (!metadata) {
    return undefined;
  }
  const pairs: [IStepJob['kind'], string | undefined][] = [
    ['TrainingJob', metadata.TrainingJob?.Arn],
    ['ProcessingJob', metadata.ProcessingJob?.Arn],
    ['TransformJob', metadata.TransformJob?.Arn],
    ['TuningJob', metadata.TuningJob?.Arn],
    ['Model', metadata.Model?.Arn],
    ['RegisterModel', metadata.RegisterModel?.Arn],
    ['Lambda', metadata.Lambda?.Arn],
    ['Other', metadata.AutoMLJob?.Arn],
    ['Other', metadata.Endpoint?.Arn],
    ['Other', metadata.EndpointConfig?.Arn]
  ];
  for (const [kind, arn] of pairs) {
    if (arn) {
      return { kind, arn, name: jobNameOfArn(kind, arn) };
    }
  }
  return undefined;
}

function summary(
  s: PipelineExecutionSummary,
  pipelineName: string
): IExecutionSummary {
  return {
    arn: s.PipelineExecutionArn ?? '',
    pipelineName,
    displayName: s.PipelineExecutionDisplayName,
    status: (s.PipelineExecutionStatus ??
      'Executing') as PipelineExecutionStatus,
    startedAt: s.StartTime,
    failureReason: s.PipelineExecutionFailureReason
  };
}

/** Pipeline name from an execution ARN (`...:pipeline/<name>/execution/<id>`). */
export function pipelineOfExecution(arn: string): string {
  return arn.split(':pipeline/')[1]?.split('/')[0] ?? '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a pipeline found by name belongs to the project: its project tags decide when it has some
 * (SageMaker's or CloudFormation's); an untagged one must follow the platform's naming: the build pipeline
 * `<project>-<id>` (and `<project>-<id>-<suffix>`), or a user pipeline `<project>_<user>_user_pipeline`
 * (hyphenated, as pipeline names allow no underscores: `<project>-<user>-user-pipeline`).
 */
export function belongsToProject(
  pipelineName: string,
  tags: Record<string, string>,
  project: IProject
): boolean {
  const owner = projectFromTags(tags);
  if (owner.id || owner.name) {
    return (
      (!!owner.id && owner.id === project.id) ||
      (!owner.id && owner.name === project.name)
    );
  }
  const name = escapeRegExp(project.name);
  const patterns = [new RegExp(`^${name}[-_].+[-_]user[-_]pipeline$`, 'i')];
  if (project.id) {
    patterns.push(new RegExp(`^${name}-${escapeRegExp(project.id)}(-.+)?$`));
  }
  return patterns.some(p => p.test(pipelineName));
}

/**
 * The Pipelines capability over the SageMaker API: the project's pipelines
 * (found by tags), executions, steps, definitions, and run/stop/retry.
 */
export class PipelineService {
  constructor(clients: IAwsClients) {
    this._clients = clients;
  }

  /** AWS requests issued so far (a benchmark reads it around a refresh). */
  requestCount = 0;

  private async _send<T>(command: any, operation: string): Promise<T> {
    this.requestCount++;
    try {
      return (await this._clients.sagemaker.send(command)) as T;
    } catch (error) {
      throw toMLOpsError(error, operation);
    }
  }

  /**
   * The project's pipelines, newest activity first, each with its last execution.
   *
   * Found by their project tags with `Search` (by `sagemaker:project-name`, and by `sagemaker:project-id`,
   * deduplicated). Only when Search finds nothing or is not available, by the platform's naming patterns:
   * `ListPipelines` with the project name as prefix (never the whole account), each candidate confirmed by
   * its tags (see `belongsToProject`).
   */
  async listProjectPipelines(
    project: IProject,
    options: {
      /** Called once the pipelines are known, before their last executions are read. */
      onFound?: (pipelines: IPipeline[]) => void;
      /** Called as last executions arrive: how many of how many are done. */
      onProgress?: (done: number, total: number) => void;
    } = {}
  ): Promise<IPipeline[]> {
    const found = new Map<string, IPipeline>();
    const filters: [string, string][] = [
      ['Tags.sagemaker:project-name', project.name]
    ];
    if (project.id) {
      filters.push(['Tags.sagemaker:project-id', project.id]);
    }
    for (const [name, value] of filters) {
      let token: string | undefined;
      try {
        do {
          const out: any = await this._send(
            new SearchCommand({
              Resource: 'Pipeline',
              SearchExpression: {
                Filters: [{ Name: name, Operator: 'Equals', Value: value }]
              },
              NextToken: token,
              MaxResults: 100
            }),
            'Search'
          );
          for (const result of out.Results ?? []) {
            const p = result.Pipeline;
            if (p?.PipelineName && !found.has(p.PipelineName)) {
              found.set(p.PipelineName, {
                name: p.PipelineName,
                arn: p.PipelineArn ?? '',
                displayName: p.PipelineDisplayName,
                description: p.PipelineDescription,
                createdAt: p.CreationTime,
                lastModifiedAt: p.LastModifiedTime,
                tags: Object.fromEntries(
                  (p.Tags ?? []).map((t: any) => [t.Key, t.Value])
                )
              });
            }
          }
          token = out.NextToken;
        } while (token);
      } catch (error) {
        // Search on pipelines is not available here: fall back to the naming patterns below.
        if ((error as MLOpsError).kind !== 'validation') {
          throw error;
        }
        break;
      }
    }
    if (found.size === 0 && project.name) {
      for (const pipeline of await this._byNamingPattern(project)) {
        found.set(pipeline.name, pipeline);
      }
    }
    const pipelines = [...found.values()];
    // The rows can be shown now; last executions fill in as they arrive (many pipelines take a while).
    options.onFound?.(pipelines);
    let done = 0;
    await mapLimit(pipelines, 6, async pipeline => {
      pipeline.lastExecution = await this.lastExecution(pipeline.name);
      done++;
      if (
        options.onProgress &&
        (done % 20 === 0 || done === pipelines.length)
      ) {
        options.onProgress(done, pipelines.length);
      }
    });
    return sortByActivity(pipelines);
  }

  /** A pipeline's most recent execution; a finished one with its end time (from its description). */
  async lastExecution(
    pipelineName: string
  ): Promise<IExecutionSummary | undefined> {
    const page = await this.listExecutions(pipelineName, { pageSize: 1 });
    const last = page.items[0];
    if (last && last.status !== 'Executing' && last.status !== 'Stopping') {
      // Summaries carry no end time: a finished execution's duration needs its description.
      const d: any = await this._send(
        new DescribePipelineExecutionCommand({
          PipelineExecutionArn: last.arn
        }),
        'DescribePipelineExecution'
      );
      last.endedAt = d.LastModifiedTime;
    }
    return last;
  }

  /** The fallback discovery: pipelines named after the project, confirmed by their tags where they have some. */
  private async _byNamingPattern(project: IProject): Promise<IPipeline[]> {
    const candidates: IPipeline[] = [];
    let token: string | undefined;
    do {
      const out: any = await this._send(
        new ListPipelinesCommand({
          PipelineNamePrefix: project.name,
          NextToken: token,
          MaxResults: 100
        }),
        'ListPipelines'
      );
      for (const p of out.PipelineSummaries ?? []) {
        if (p.PipelineName) {
          candidates.push({
            name: p.PipelineName,
            arn: p.PipelineArn ?? '',
            displayName: p.PipelineDisplayName,
            description: p.PipelineDescription,
            createdAt: p.CreationTime,
            lastModifiedAt: p.LastModifiedTime,
            tags: {}
          });
        }
      }
      token = out.NextToken;
    } while (token);
    const kept: IPipeline[] = [];
    await mapLimit(candidates, 4, async pipeline => {
      if (pipeline.arn) {
        pipeline.tags = await this._tags(pipeline.arn);
      }
      if (belongsToProject(pipeline.name, pipeline.tags, project)) {
        kept.push(pipeline);
      }
    });
    return kept;
  }

  private async _tags(resourceArn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let token: string | undefined;
    do {
      const out: any = await this._send(
        new ListTagsCommand({
          ResourceArn: resourceArn,
          NextToken: token,
          MaxResults: 100
        }),
        'ListTags'
      );
      for (const t of out.Tags ?? []) {
        if (t.Key) {
          tags[t.Key] = t.Value ?? '';
        }
      }
      token = out.NextToken;
    } while (token);
    return tags;
  }

  /**
   * One page of a pipeline's executions, newest first (wire pagination: pass back `nextToken`).
   *
   * With `status`, pages are read (100 a request; ListPipelineExecutions has no status filter) until
   * `pageSize` executions match or the list ends; all matches of the pages read are returned, so a page may
   * hold a few more than `pageSize` and none is skipped, and `nextToken` continues after them.
   */
  async listExecutions(
    pipelineName: string,
    options: {
      nextToken?: string;
      pageSize?: number;
      status?: PipelineExecutionStatus;
    } = {}
  ): Promise<IPage<IExecutionSummary>> {
    const pageSize = Math.max(1, Math.min(options.pageSize ?? 20, 100));
    const items: IExecutionSummary[] = [];
    let token = options.nextToken;
    do {
      const out: any = await this._send(
        new ListPipelineExecutionsCommand({
          PipelineName: pipelineName,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: options.status ? 100 : pageSize,
          NextToken: token
        }),
        'ListPipelineExecutions'
      );
      for (const s of out.PipelineExecutionSummaries ?? []) {
        if (!options.status || s.PipelineExecutionStatus === options.status) {
          items.push(summary(s, pipelineName));
        }
      }
      token = out.NextToken;
    } while (token && items.length < pageSize);
    return { items, nextToken: token };
  }

  async describeExecution(executionArn: string): Promise<IExecution> {
    const [d, parameters] = await Promise.all([
      this._send<any>(
        new DescribePipelineExecutionCommand({
          PipelineExecutionArn: executionArn
        }),
        'DescribePipelineExecution'
      ),
      this._parameters(executionArn)
    ]);
    const status = (d.PipelineExecutionStatus ??
      'Executing') as PipelineExecutionStatus;
    return {
      arn: executionArn,
      pipelineName:
        d.PipelineArn?.split('/').pop() ?? pipelineOfExecution(executionArn),
      displayName: d.PipelineExecutionDisplayName,
      description: d.PipelineExecutionDescription,
      status,
      startedAt: d.CreationTime,
      lastModifiedAt: d.LastModifiedTime,
      endedAt:
        status === 'Executing' || status === 'Stopping'
          ? undefined
          : d.LastModifiedTime,
      failureReason: d.FailureReason,
      startedBy: d.CreatedBy?.UserProfileName ?? d.CreatedBy?.IamIdentity?.Arn,
      parameters
    };
  }

  private async _parameters(
    executionArn: string
  ): Promise<{ name: string; value: string }[]> {
    const out: { name: string; value: string }[] = [];
    let token: string | undefined;
    do {
      const page: any = await this._send(
        new ListPipelineParametersForExecutionCommand({
          PipelineExecutionArn: executionArn,
          NextToken: token,
          MaxResults: 100
        }),
        'ListPipelineParametersForExecution'
      );
      for (const p of page.PipelineParameters ?? []) {
        out.push({ name: p.Name ?? '', value: p.Value ?? '' });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** All steps of an execution, in execution order (oldest first). */
  async listSteps(executionArn: string): Promise<IStep[]> {
    const steps: IStep[] = [];
    let token: string | undefined;
    do {
      const out: any = await this._send(
        new ListPipelineExecutionStepsCommand({
          PipelineExecutionArn: executionArn,
          SortOrder: 'Ascending',
          NextToken: token,
          MaxResults: 100
        }),
        'ListPipelineExecutionSteps'
      );
      for (const s of (out.PipelineExecutionSteps ??
        []) as PipelineExecutionStep[]) {
        steps.push({
          name: s.StepName ?? '',
          displayName: s.StepDisplayName,
          type: s.Metadata ? stepType(s.Metadata) : undefined,
          status: (s.StepStatus ?? 'Starting') as StepStatus,
          startedAt: s.StartTime,
          endedAt: s.EndTime,
          failureReason: s.FailureReason ?? s.Metadata?.Fail?.ErrorMessage,
          cacheHit: !!s.CacheHitResult?.SourcePipelineExecutionArn,
          attemptCount: s.AttemptCount,
          job: stepJob(s.Metadata),
          conditionOutcome: s.Metadata?.Condition?.Outcome
        });
      }
      token = out.NextToken;
    } while (token);
    // The API sorts by creation time; sort again (stably) in case a service does not, unstarted steps last.
    const start = (s: IStep) => s.startedAt?.getTime() ?? Infinity;
    return steps
      .map((step, index) => ({ step, index }))
      .sort((a, b) => start(a.step) - start(b.step) || a.index - b.index)
      .map(({ step }) => step);
  }

  /** The definition an execution ran with. */
  async getDefinition(executionArn: string): Promise<IPipelineDefinition> {
    const out: any = await this._send(
      new DescribePipelineDefinitionForExecutionCommand({
        PipelineExecutionArn: executionArn
      }),
      'DescribePipelineDefinitionForExecution'
    );
    return parseDefinition(out.PipelineDefinition ?? '{}');
  }

  /** The pipeline's current definition (for the run dialog). */
  async getPipelineDefinition(
    pipelineName: string
  ): Promise<IPipelineDefinition> {
    const out: any = await this._send(
      new DescribePipelineCommand({ PipelineName: pipelineName }),
      'DescribePipeline'
    );
    return parseDefinition(out.PipelineDefinition ?? '{}');
  }

  /** The execution role of the project's pipelines: the first pipeline of the project that has one. */
  async projectRoleArn(
    project: IProject,
    pipelines: IPipeline[]
  ): Promise<string> {
    for (const pipeline of pipelines) {
      const out: any = await this._send(
        new DescribePipelineCommand({ PipelineName: pipeline.name }),
        'DescribePipeline'
      );
      if (out.RoleArn) {
        return out.RoleArn;
      }
    }
    throw new MLOpsError({
      code: 'NoRole',
      message: `No pipeline of ${project.name} has an execution role to reuse.`,
      kind: 'validation'
    });
  }

  async startExecution(
    pipelineName: string,
    options: {
      parameters: { name: string; value: string }[];
      displayName?: string;
      description?: string;
    }
  ): Promise<string> {
    const out: any = await this._send(
      new StartPipelineExecutionCommand({
        PipelineName: pipelineName,
        PipelineParameters: options.parameters.map(p => ({
          Name: p.name,
          Value: p.value
        })),
        PipelineExecutionDisplayName: options.displayName,
        PipelineExecutionDescription: options.description,
        ClientRequestToken: requestToken()
      }),
      'StartPipelineExecution'
    );
    return out.PipelineExecutionArn;
  }

  async stopExecution(executionArn: string): Promise<void> {
    await this._send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: executionArn,
        ClientRequestToken: requestToken()
      }),
      'StopPipelineExecution'
    );
  }

  async retryExecution(executionArn: string): Promise<void> {
    await this._send(
      new RetryPipelineExecutionCommand({
        PipelineExecutionArn: executionArn,
        ClientRequestToken: requestToken()
      }),
      'RetryPipelineExecution'
    );
  }

  /**
   * Create or update the user's own pipeline from a definition file:
   * `<project>-<user>-user-pipeline` (SageMaker pipeline names allow no
   * underscores, so the platform's `_user_pipeline` pattern uses hyphens here),
   * tagged with the project.
   */
  async upsertUserPipeline(
    definitionJson: string,
    options: { project: IProject; user: string; roleArn: string }
  ): Promise<{ pipelineName: string; created: boolean }> {
    parseDefinition(definitionJson);
    const user =
      options.user
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'user';
    const pipelineName = `${options.project.name}-${user}-user-pipeline`
      .slice(0, 256)
      .replace(/-+$/, '');
    if (!PIPELINE_NAME.test(pipelineName)) {
      throw new MLOpsError({
        code: 'InvalidName',
        message: `"${pipelineName}" is not a valid pipeline name.`,
        kind: 'validation'
      });
    }
    try {
      await this._send(
        new UpdatePipelineCommand({
          PipelineName: pipelineName,
          PipelineDefinition: definitionJson,
          RoleArn: options.roleArn
        }),
        'UpdatePipeline'
      );
      return { pipelineName, created: false };
    } catch (error) {
      const e = error as MLOpsError;
      if (
        e.kind !== 'notFound' &&
        !/does not exist|not found|could not find/i.test(e.message)
      ) {
        throw error;
      }
    }
    await this._send(
      new CreatePipelineCommand({
        PipelineName: pipelineName,
        PipelineDisplayName: pipelineName,
        PipelineDefinition: definitionJson,
        PipelineDescription: `${options.user}'s pipeline of ${options.project.name}`,
        RoleArn: options.roleArn,
        ClientRequestToken: requestToken(),
        Tags: [
          { Key: 'sagemaker:project-name', Value: options.project.name },
          { Key: 'sagemaker:project-id', Value: options.project.id }
        ]
      }),
      'CreatePipeline'
    );
    return { pipelineName, created: true };
  }

  private _clients: IAwsClients;
}

function stepType(
  metadata: NonNullable<PipelineExecutionStep['Metadata']>
): string | undefined {
  if (metadata.TrainingJob) {
    return 'Training';
  }
  if (metadata.ProcessingJob) {
    return 'Processing';
  }
  if (metadata.TransformJob) {
    return 'Transform';
  }
  if (metadata.TuningJob) {
    return 'Tuning';
  }
  if (metadata.RegisterModel) {
    return 'RegisterModel';
  }
  if (metadata.Condition) {
    return 'Condition';
  }
  if (metadata.Model) {
    return 'Model';
  }
  if (metadata.Fail) {
    return 'Fail';
  }
  if (metadata.Lambda) {
    return 'Lambda';
  }
  if (metadata.Callback) {
    return 'Callback';
  }
  if (metadata.QualityCheck) {
    return 'QualityCheck';
  }
  if (metadata.ClarifyCheck) {
    return 'ClarifyCheck';
  }
  if (metadata.EMR) {
    return 'EMR';
  }
  if (metadata.AutoMLJob) {
    return 'AutoML';
  }
  if (metadata.EndpointConfig) {
    return 'EndpointConfig';
  }
  if (metadata.Endpoint) {
    return 'Endpoint';
  }
  return undefined;
}

/** Newest activity first: last execution start, else last modification, else creation; then by name. */
export function sortByActivity(pipelines: IPipeline[]): IPipeline[] {
  const activity = (p: IPipeline) =>
    (
      p.lastExecution?.startedAt ??
      p.lastModifiedAt ??
      p.createdAt ??
      new Date(0)
    ).getTime();
  return pipelines.sort(
    (a, b) => activity(b) - activity(a) || a.name.localeCompare(b.name)
  );
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(
  items: T[],
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

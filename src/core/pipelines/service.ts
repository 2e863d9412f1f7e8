/**
 * The pipelines capability over the SageMaker API: the project's pipelines
 * (found by tags), executions, steps, definitions, and run/stop/retry/upsert.
 */
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  PipelineExecutionStep,
  PipelineExecutionSummary,
  RetryPipelineExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand,
  paginateListPipelineExecutionSteps,
  paginateListPipelineParametersForExecution,
  paginateListPipelines
} from '@aws-sdk/client-sagemaker';

import { lastSegment, pipelineOfArn } from '../arn';
import { IAwsClients, call, collect, mapLimit, requestToken } from '../aws';
import { MLOpsError } from '../errors';
import { searchProjectResources, tagsOf } from '../project/projects';
import { isActive } from '../status';
import { IPage, IProject } from '../types';
import { IPipelineDefinition, parseDefinition } from './definition';
import {
  belongsToProject,
  sortByActivity,
  stepJob,
  userPipelineName
} from './rules';
import {
  IExecution,
  IExecutionSummary,
  IPipeline,
  IStep,
  PipelineExecutionStatus,
  StepStatus
} from './types';

const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

/** The step type shown for a step, from which Metadata member it has. */
const STEP_TYPES: [
  keyof NonNullable<PipelineExecutionStep['Metadata']>,
  string
][] = [
  ['TrainingJob', 'Training'],
  ['ProcessingJob', 'Processing'],
  ['TransformJob', 'Transform'],
  ['TuningJob', 'Tuning'],
  ['RegisterModel', 'RegisterModel'],
  ['Condition', 'Condition'],
  ['Model', 'Model'],
  ['Fail', 'Fail'],
  ['Lambda', 'Lambda'],
  ['Callback', 'Callback'],
  ['QualityCheck', 'QualityCheck'],
  ['ClarifyCheck', 'ClarifyCheck'],
  ['EMR', 'EMR'],
  ['AutoMLJob', 'AutoML'],
  ['EndpointConfig', 'EndpointConfig'],
  ['Endpoint', 'Endpoint']
];

function stepType(
  metadata: PipelineExecutionStep['Metadata']
): string | undefined {
  return metadata
    ? STEP_TYPES.find(([member]) => metadata[member] !== undefined)?.[1]
    : undefined;
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

/**
 * The SageMaker pipelines API as the extension uses it. Finished executions
 * never change, so their descriptions are kept by ARN and never asked again.
 */
export class PipelineService {
  constructor(clients: IAwsClients) {
    this._clients = clients;
  }

  /**
   * The project's pipelines, most recently run first, without their executions.
   *
   * Found by their project tags with one `Search` (`sagemaker:project-name` or `sagemaker:project-id`), which
   * also gives each pipeline's `LastRunTime`. Only when Search finds nothing or is not available, by the
   * platform's naming patterns: `ListPipelines` with the project name as prefix (never the whole account),
   * each candidate confirmed by its tags (see `belongsToProject`).
   */
  async listProjectPipelines(project: IProject): Promise<IPipeline[]> {
    let pipelines: IPipeline[] = [];
    try {
      const results = await searchProjectResources(
        this._clients,
        project,
        'Pipeline'
      );
      const seen = new Set<string>();
      for (const { Pipeline: p } of results) {
        if (p?.PipelineName && !seen.has(p.PipelineName)) {
          seen.add(p.PipelineName);
          pipelines.push({
            name: p.PipelineName,
            arn: p.PipelineArn ?? '',
            displayName: p.PipelineDisplayName,
            description: p.PipelineDescription,
            createdAt: p.CreationTime,
            lastModifiedAt: p.LastModifiedTime,
            lastRunAt: p.LastRunTime,
            tags: Object.fromEntries(
              (p.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? ''])
            )
          });
        }
      }
    } catch (error) {
      // Search on pipelines is not available here: fall back to the naming patterns below.
      if ((error as MLOpsError).kind !== 'validation') {
        throw error;
      }
    }
    if (pipelines.length === 0 && project.name) {
      pipelines = await this._byNamingPattern(project);
    }
    return sortByActivity(pipelines);
  }

  /** The fallback discovery: pipelines named after the project, confirmed by their tags where they have some. */
  private async _byNamingPattern(project: IProject): Promise<IPipeline[]> {
    const summaries = await collect(
      'ListPipelines',
      paginateListPipelines(
        { client: this._clients.sagemaker, pageSize: 100 },
        { PipelineNamePrefix: project.name }
      ),
      page => page.PipelineSummaries
    );
    const kept: IPipeline[] = [];
    await mapLimit(summaries, 4, async p => {
      if (!p.PipelineName) {
        return;
      }
      const tags = p.PipelineArn
        ? await tagsOf(this._clients, p.PipelineArn)
        : {};
      if (belongsToProject(p.PipelineName, tags, project)) {
        kept.push({
          name: p.PipelineName,
          arn: p.PipelineArn ?? '',
          displayName: p.PipelineDisplayName,
          description: p.PipelineDescription,
          createdAt: p.CreationTime,
          lastModifiedAt: p.LastModifiedTime,
          lastRunAt: p.LastExecutionTime,
          tags
        });
      }
    });
    return kept;
  }

  /** A pipeline's most recent execution; a finished one with its end time (described once, then cached). */
  async lastExecution(
    pipelineName: string
  ): Promise<IExecutionSummary | undefined> {
    const last = (await this.listExecutions(pipelineName, { pageSize: 1 }))
      .items[0];
    if (last && !isActive(last.status)) {
      // Summaries carry no end time: a finished execution's duration needs its description (read once).
      last.endedAt = (await this._describe(last.arn)).endedAt;
    }
    return last;
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
      const out = await call('ListPipelineExecutions', () =>
        this._clients.sagemaker.send(
          new ListPipelineExecutionsCommand({
            PipelineName: pipelineName,
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: options.status ? 100 : pageSize,
            NextToken: token
          })
        )
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

  /** An execution with its parameters; a finished one is read once and then served from the cache. */
  async describeExecution(executionArn: string): Promise<IExecution> {
    const cached = this._finished.get(executionArn);
    if (cached) {
      return cached;
    }
    const [described, parameters] = await Promise.all([
      this._describe(executionArn),
      collect(
        'ListPipelineParametersForExecution',
        paginateListPipelineParametersForExecution(
          { client: this._clients.sagemaker, pageSize: 100 },
          { PipelineExecutionArn: executionArn }
        ),
        page => page.PipelineParameters
      )
    ]);
    const execution: IExecution = {
      ...described,
      parameters: parameters.map(p => ({
        name: p.Name ?? '',
        value: p.Value ?? ''
      }))
    };
    if (!isActive(execution.status)) {
      this._finished.set(executionArn, execution);
    }
    return execution;
  }

  /** DescribePipelineExecution, normalised; a finished execution's is kept and never asked again. */
  private async _describe(
    executionArn: string
  ): Promise<Omit<IExecution, 'parameters'>> {
    const cached =
      this._finished.get(executionArn) ?? this._described.get(executionArn);
    if (cached) {
      return cached;
    }
    const d = await call('DescribePipelineExecution', () =>
      this._clients.sagemaker.send(
        new DescribePipelineExecutionCommand({
          PipelineExecutionArn: executionArn
        })
      )
    );
    const status = (d.PipelineExecutionStatus ??
      'Executing') as PipelineExecutionStatus;
    const execution = {
      arn: executionArn,
      pipelineName: d.PipelineArn
        ? lastSegment(d.PipelineArn)
        : pipelineOfArn(executionArn),
      displayName: d.PipelineExecutionDisplayName,
      description: d.PipelineExecutionDescription,
      status,
      startedAt: d.CreationTime,
      lastModifiedAt: d.LastModifiedTime,
      endedAt: isActive(status) ? undefined : d.LastModifiedTime,
      failureReason: d.FailureReason,
      startedBy: d.CreatedBy?.UserProfileName ?? d.CreatedBy?.IamIdentity?.Arn
    };
    if (!isActive(status)) {
      this._described.set(executionArn, execution);
    }
    return execution;
  }

  /** All steps of an execution, in execution order (oldest first, unstarted last). */
  async listSteps(executionArn: string): Promise<IStep[]> {
    const raw = await collect(
      'ListPipelineExecutionSteps',
      paginateListPipelineExecutionSteps(
        { client: this._clients.sagemaker, pageSize: 100 },
        { PipelineExecutionArn: executionArn, SortOrder: 'Ascending' }
      ),
      page => page.PipelineExecutionSteps
    );
    const steps: IStep[] = raw.map(s => ({
      name: s.StepName ?? '',
      displayName: s.StepDisplayName,
      type: stepType(s.Metadata),
      status: (s.StepStatus ?? 'Starting') as StepStatus,
      startedAt: s.StartTime,
      endedAt: s.EndTime,
      failureReason: s.FailureReason ?? s.Metadata?.Fail?.ErrorMessage,
      cacheHit: !!s.CacheHitResult?.SourcePipelineExecutionArn,
      attemptCount: s.AttemptCount,
      job: stepJob(s.Metadata),
      conditionOutcome: s.Metadata?.Condition?.Outcome
    }));
    // The API sorts by creation time; sort again (stably) in case a service does not.
    const start = (s: IStep) => s.startedAt?.getTime() ?? Infinity;
    return steps
      .map((step, index) => ({ step, index }))
      .sort((a, b) => start(a.step) - start(b.step) || a.index - b.index)
      .map(({ step }) => step);
  }

  /** The definition an execution ran with. */
  async getDefinition(executionArn: string): Promise<IPipelineDefinition> {
    const out = await call('DescribePipelineDefinitionForExecution', () =>
      this._clients.sagemaker.send(
        new DescribePipelineDefinitionForExecutionCommand({
          PipelineExecutionArn: executionArn
        })
      )
    );
    return parseDefinition(out.PipelineDefinition ?? '{}');
  }

  /** The pipeline's current definition (for the run dialog). */
  async getPipelineDefinition(
    pipelineName: string
  ): Promise<IPipelineDefinition> {
    const out = await this._describePipeline(pipelineName);
    return parseDefinition(out.PipelineDefinition ?? '{}');
  }

  /** The execution role of the project's pipelines: the first of them that has one. */
  async projectRoleArn(
    project: IProject,
    pipelines: IPipeline[]
  ): Promise<string> {
    for (const pipeline of pipelines) {
      const out = await this._describePipeline(pipeline.name);
      if (out.RoleArn) {
        return out.RoleArn;
      }
    }
    throw new MLOpsError({
      code: 'NoRole',
      message: `No pipeline of ${project.name} has an execution role to reuse.`,
      kind: 'validation',
      params: { project: project.name }
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
    const out = await call('StartPipelineExecution', () =>
      this._clients.sagemaker.send(
        new StartPipelineExecutionCommand({
          PipelineName: pipelineName,
          PipelineParameters: options.parameters.map(p => ({
            Name: p.name,
            Value: p.value
          })),
          PipelineExecutionDisplayName: options.displayName,
          PipelineExecutionDescription: options.description,
          ClientRequestToken: requestToken()
        })
      )
    );
    return out.PipelineExecutionArn ?? '';
  }

  async stopExecution(executionArn: string): Promise<void> {
    await call('StopPipelineExecution', () =>
      this._clients.sagemaker.send(
        new StopPipelineExecutionCommand({
          PipelineExecutionArn: executionArn,
          ClientRequestToken: requestToken()
        })
      )
    );
  }

  async retryExecution(executionArn: string): Promise<void> {
    // A retried execution runs again: forget what was kept of it.
    this._finished.delete(executionArn);
    this._described.delete(executionArn);
    await call('RetryPipelineExecution', () =>
      this._clients.sagemaker.send(
        new RetryPipelineExecutionCommand({
          PipelineExecutionArn: executionArn,
          ClientRequestToken: requestToken()
        })
      )
    );
  }

  /**
   * Create or update the user's own pipeline from a definition file (`userPipelineName`), tagged with the
   * project.
   */
  async upsertUserPipeline(
    definitionJson: string,
    options: { project: IProject; user: string; roleArn: string }
  ): Promise<{ pipelineName: string; created: boolean }> {
    parseDefinition(definitionJson);
    const pipelineName = userPipelineName(options.project.name, options.user);
    if (!PIPELINE_NAME.test(pipelineName)) {
      throw new MLOpsError({
        code: 'InvalidName',
        message: `"${pipelineName}" is not a valid pipeline name.`,
        kind: 'validation',
        params: { name: pipelineName }
      });
    }
    try {
      await call('UpdatePipeline', () =>
        this._clients.sagemaker.send(
          new UpdatePipelineCommand({
            PipelineName: pipelineName,
            PipelineDefinition: definitionJson,
            RoleArn: options.roleArn
          })
        )
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
    await call('CreatePipeline', () =>
      this._clients.sagemaker.send(
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
        })
      )
    );
    return { pipelineName, created: true };
  }

  private _describePipeline(pipelineName: string) {
    return call('DescribePipeline', () =>
      this._clients.sagemaker.send(
        new DescribePipelineCommand({ PipelineName: pipelineName })
      )
    );
  }

  private _clients: IAwsClients;
  /** Finished executions never change: their descriptions, read once. */
  private _finished = new Map<string, IExecution>();
  private _described = new Map<string, Omit<IExecution, 'parameters'>>();
}

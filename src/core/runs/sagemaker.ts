/**
 * SageMaker Experiments as a run source (Studio Classic records runs as trial components): the project's
 * experiments found by their project tags with one `Search`, an experiment's runs one `Search` page at a time
 * (trial components whose parents name the experiment; the records are complete, so no request per run), a run
 * read again with `DescribeTrialComponent`.
 */
import {
  DescribeTrialComponentCommand,
  DescribeTrialComponentResponse,
  Experiment,
  SearchCommand,
  TrialComponent,
  TrialComponentMetricSummary,
  TrialComponentParameterValue,
  paginateListExperiments
} from '@aws-sdk/client-sagemaker';

import { IAwsClients, call, collect, mapLimit } from '../aws';
import { MLOpsError } from '../errors';
import { searchProjectResources, tagsOf } from '../project/projects';
import { projectFromTags } from '../project/tags';
import { IPage, IProject } from '../types';
import { linksOf, statusOfTrialComponent, tagRecord } from './rules';
import type {
  IExperiment,
  IMetricHistory,
  IMetricSummary,
  IRun,
  IRunPageOptions,
  IRunProvider
} from './types';

/** Search's page size bounds. */
const MAX_PAGE = 100;

/** A trial component's parameters as strings (numbers as JavaScript writes them). */
export function paramsOf(
  parameters: Record<string, TrialComponentParameterValue> | undefined
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (value?.StringValue !== undefined) {
      params[key] = value.StringValue;
    } else if (value?.NumberValue !== undefined) {
      params[key] = String(value.NumberValue);
    }
  }
  return params;
}

/** A trial component's metric summaries (a metric without a last value is left out). */
export function metricsOf(
  summaries: readonly TrialComponentMetricSummary[] | undefined
): Record<string, IMetricSummary> {
  const metrics: Record<string, IMetricSummary> = {};
  for (const m of summaries ?? []) {
    if (m.MetricName && typeof m.Last === 'number') {
      metrics[m.MetricName] = { last: m.Last, min: m.Min, max: m.Max };
    }
  }
  return metrics;
}

/**
 * A trial component (a Search record, or DescribeTrialComponent's answer) as a run of `experiment` (by default
 * the experiment its first parent names).
 */
export function runOfTrialComponent(
  component: TrialComponent | DescribeTrialComponentResponse,
  experiment?: Pick<IExperiment, 'id' | 'name'>
): IRun {
  const record = component as TrialComponent;
  const tags = tagRecord(record.Tags);
  const parent = record.Parents?.[0]?.ExperimentName ?? '';
  const name = component.TrialComponentName ?? '';
  return {
    id: name,
    name: component.DisplayName || record.RunName || name,
    experimentId: experiment?.id ?? parent,
    experimentName: experiment?.name || experiment?.id || parent,
    source: 'sagemaker-experiments',
    status: statusOfTrialComponent(component.Status?.PrimaryStatus),
    sourceStatus: component.Status?.PrimaryStatus,
    statusMessage: component.Status?.Message || undefined,
    startedAt: component.StartTime,
    endedAt: component.EndTime,
    params: paramsOf(component.Parameters),
    metrics: metricsOf(component.Metrics),
    tags,
    links: linksOf(
      [
        component.Source?.SourceArn,
        component.MetadataProperties?.GeneratedBy,
        component.LineageGroupArn
      ],
      tags
    )
  };
}

export function experimentOf(
  experiment: Experiment,
  tags?: Record<string, string>
): IExperiment {
  const name = experiment.ExperimentName ?? '';
  return {
    id: name,
    name: experiment.DisplayName || name,
    source: 'sagemaker-experiments',
    createdAt: experiment.CreationTime,
    tags: tags ?? tagRecord(experiment.Tags)
  };
}

export class SageMakerExperimentsSource implements IRunProvider {
  readonly source = 'sagemaker-experiments' as const;

  constructor(clients: IAwsClients) {
    this._clients = clients;
  }

  /**
   * The project's experiments: one `Search` over experiments tagged with the project (every page). Where
   * Search on experiments is refused as invalid: every experiment (`ListExperiments`), kept when its tags name
   * the project (`ListTags` each, four at a time).
   */
  async listExperiments(project: IProject): Promise<IExperiment[]> {
    try {
      const results = await searchProjectResources(
        this._clients,
        project,
        'Experiment'
      );
      return results
        .filter(r => r.Experiment?.ExperimentName)
        .map(r => experimentOf(r.Experiment as Experiment));
    } catch (error) {
      if ((error as MLOpsError).kind !== 'validation') {
        throw error;
      }
    }
    return this._byTags(project);
  }

  private async _byTags(project: IProject): Promise<IExperiment[]> {
    const summaries = await collect(
      'ListExperiments',
      paginateListExperiments(
        { client: this._clients.sagemaker, pageSize: MAX_PAGE },
        { SortBy: 'CreationTime', SortOrder: 'Descending' }
      ),
      page => page.ExperimentSummaries
    );
    const kept = new Map<string, IExperiment>();
    await mapLimit(summaries, 4, async s => {
      if (!s.ExperimentArn || !s.ExperimentName) {
        return;
      }
      const tags = await tagsOf(this._clients, s.ExperimentArn);
      const owner = projectFromTags(tags);
      if (
        (project.id && owner.id === project.id) ||
        (!owner.id && owner.name === project.name)
      ) {
        kept.set(s.ExperimentName, experimentOf(s, tags));
      }
    });
    // In the listing's order (newest first), whatever order the tags came back in.
    return summaries
      .map(s => kept.get(s.ExperimentName ?? ''))
      .filter((e): e is IExperiment => !!e);
  }

  /**
   * One page of an experiment's runs, newest first: one `Search` over trial components whose parents name the
   * experiment (pass back `nextToken`). `sortBy` is any Search property (`Metrics.<name>.Max` ...).
   */
  async listRuns(
    experiment: Pick<IExperiment, 'id' | 'name'>,
    options: IRunPageOptions & {
      sortBy?: string;
      sortOrder?: 'Ascending' | 'Descending';
    } = {}
  ): Promise<IPage<IRun>> {
    const pageSize = Math.max(1, Math.min(options.pageSize ?? 50, MAX_PAGE));
    const out = await call('Search', () =>
      this._clients.sagemaker.send(
        new SearchCommand({
          Resource: 'ExperimentTrialComponent',
          SearchExpression: {
            Filters: [
              {
                Name: 'Parents.ExperimentName',
                Operator: 'Equals',
                Value: experiment.id
              }
            ]
          },
          SortBy: options.sortBy ?? 'CreationTime',
          SortOrder: options.sortOrder ?? 'Descending',
          MaxResults: pageSize,
          NextToken: options.nextToken
        })
      )
    );
    const items = (out.Results ?? [])
      .filter(r => r.TrialComponent?.TrialComponentName)
      .map(r =>
        runOfTrialComponent(r.TrialComponent as TrialComponent, experiment)
      );
    return { items, nextToken: out.NextToken || undefined };
  }

  /** A run in full: one `DescribeTrialComponent` (it gives no tags: the run keeps none). */
  async getRun(
    run: Pick<IRun, 'id' | 'experimentId' | 'experimentName'>
  ): Promise<IRun> {
    const out = await call('DescribeTrialComponent', () =>
      this._clients.sagemaker.send(
        new DescribeTrialComponentCommand({ TrialComponentName: run.id })
      )
    );
    return runOfTrialComponent(out, {
      id: run.experimentId,
      name: run.experimentName
    });
  }

  /**
   * SageMaker Experiments keep a summary per metric (last, min, max, count), not the series: the history is
   * empty with the `summaryOnly` limitation, and the run's `metrics` hold the summary. No request.
   */
  async metricHistory(
    _run: Pick<IRun, 'id'>,
    metric: string
  ): Promise<IMetricHistory> {
    return { name: metric, points: [], limitation: 'summaryOnly' };
  }

  private _clients: IAwsClients;
}

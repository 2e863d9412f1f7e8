import { MLOpsError } from '../../../core/errors';
import { SageMakerExperimentsSource } from '../../../core/runs/sagemaker';
import { serviceError, stubClients } from '../registry/stub';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';
const PROJECT = { name: 'customer-churn', id: 'p-1' };
const STARTED = new Date('2026-01-10T08:00:00Z');
const ENDED = new Date('2026-01-10T08:42:00Z');

/** A trial component as Search records give them (recorded shape). */
function component(n: number, extra: Record<string, unknown> = {}) {
  const name = `customer-churn-run-${String(n).padStart(3, '0')}`;
  return {
    TrialComponentName: name,
    DisplayName: `run ${n}`,
    TrialComponentArn: `${ARN}:experiment-trial-component/${name}`,
    Status: { PrimaryStatus: 'Completed' },
    StartTime: STARTED,
    EndTime: ENDED,
    CreationTime: STARTED,
    Parameters: {
      max_depth: { NumberValue: 5 },
      eta: { NumberValue: 0.15 },
      objective: { StringValue: 'binary:logistic' }
    },
    Metrics: [
      {
        MetricName: 'validation:accuracy',
        SourceArn: `${ARN}:experiment-trial-component/${name}`,
        Max: 0.848,
        Min: 0.768,
        Last: 0.848,
        Count: 5,
        Avg: 0.808
      },
      { MetricName: 'train:loss', Max: 0.9, Min: 0.18, Last: 0.18, Count: 5 }
    ],
    Tags: [
      { Key: 'sagemaker:project-name', Value: 'customer-churn' },
      { Key: 'sagemaker:project-id', Value: 'p-1' }
    ],
    Parents: [
      {
        TrialName: 'customer-churn-trial-1',
        ExperimentName: 'customer-churn-experiments'
      }
    ],
    ...extra
  };
}

const EXPERIMENT = {
  id: 'customer-churn-experiments',
  name: 'customer-churn experiments'
};

async function failure(promise: Promise<unknown>): Promise<MLOpsError> {
  try {
    await promise;
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a failure');
}

describe('SageMakerExperimentsSource', () => {
  it("finds the project's experiments with one tag Search", async () => {
    const { clients, sent } = stubClients(() => ({
      Results: [
        {
          Experiment: {
            ExperimentName: 'customer-churn-experiments',
            DisplayName: 'customer-churn experiments',
            ExperimentArn: `${ARN}:experiment/customer-churn-experiments`,
            CreationTime: STARTED,
            Tags: [{ Key: 'sagemaker:project-name', Value: 'customer-churn' }]
          }
        }
      ]
    }));
    const experiments = await new SageMakerExperimentsSource(
      clients
    ).listExperiments(PROJECT);
    expect(experiments).toEqual([
      {
        id: 'customer-churn-experiments',
        name: 'customer-churn experiments',
        source: 'sagemaker-experiments',
        createdAt: STARTED,
        tags: { 'sagemaker:project-name': 'customer-churn' }
      }
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      operation: 'Search',
      input: {
        Resource: 'Experiment',
        SearchExpression: {
          Operator: 'Or',
          SubExpressions: [
            {
              Filters: [
                {
                  Name: 'Tags.sagemaker:project-name',
                  Operator: 'Equals',
                  Value: 'customer-churn'
                }
              ]
            },
            {
              Filters: [
                {
                  Name: 'Tags.sagemaker:project-id',
                  Operator: 'Equals',
                  Value: 'p-1'
                }
              ]
            }
          ]
        }
      }
    });
  });

  it('falls back to ListExperiments confirmed by ListTags when Search on experiments is invalid', async () => {
    const { clients, sent } = stubClients((operation, input) => {
      if (operation === 'Search') {
        throw serviceError('ValidationException');
      }
      if (operation === 'ListExperiments') {
        return input.NextToken
          ? {
              ExperimentSummaries: [
                {
                  ExperimentName: 'customer-churn-old',
                  ExperimentArn: `${ARN}:experiment/customer-churn-old`
                }
              ]
            }
          : {
              ExperimentSummaries: [
                {
                  ExperimentName: 'customer-churn-experiments',
                  ExperimentArn: `${ARN}:experiment/customer-churn-experiments`
                },
                {
                  ExperimentName: 'fraud-detection-experiments',
                  ExperimentArn: `${ARN}:experiment/fraud-detection-experiments`
                }
              ],
              NextToken: 'page-2'
            };
      }
      // ListTags
      const arn = String(input.ResourceArn);
      if (arn.includes('fraud')) {
        return {
          Tags: [{ Key: 'sagemaker:project-id', Value: 'p-2' }]
        };
      }
      return {
        Tags: [
          {
            Key: arn.includes('old')
              ? 'SageMakerProjectName'
              : 'sagemaker:project-id',
            Value: arn.includes('old') ? 'customer-churn' : 'p-1'
          }
        ]
      };
    });
    const experiments = await new SageMakerExperimentsSource(
      clients
    ).listExperiments(PROJECT);
    expect(experiments.map(e => e.id)).toEqual([
      'customer-churn-experiments',
      'customer-churn-old'
    ]);
    expect(experiments[1].tags).toEqual({
      SageMakerProjectName: 'customer-churn'
    });
    expect(sent.map(s => s.operation)).toEqual([
      'Search',
      'ListExperiments',
      'ListExperiments',
      'ListTags',
      'ListTags',
      'ListTags'
    ]);
    expect(sent[2].input.NextToken).toBe('page-2');
  });

  it('other Search failures are not hidden by the fallback', async () => {
    const { clients, sent } = stubClients(() => {
      throw serviceError('AccessDeniedException', 400);
    });
    const error = await failure(
      new SageMakerExperimentsSource(clients).listExperiments(PROJECT)
    );
    expect(error).toMatchObject({ kind: 'accessDenied', operation: 'Search' });
    expect(sent).toHaveLength(1);
  });

  it("lists one page of an experiment's runs with one Search, mapped into the run model", async () => {
    const { clients, sent } = stubClients(() => ({
      Results: [
        {
          TrialComponent: component(12, {
            Source: {
              SourceArn: `${ARN}:training-job/pipelines-abc-train-xyz`,
              SourceType: 'SageMakerTrainingJob'
            },
            MetadataProperties: {
              GeneratedBy: `${ARN}:pipeline/customer-churn-p-1/execution/abc123`
            },
            LineageGroupArn: `${ARN}:lineage-group/sagemaker-lg-1`
          })
        },
        {
          TrialComponent: component(7, {
            Status: { PrimaryStatus: 'Failed', Message: 'OOM in training' },
            EndTime: undefined
          })
        }
      ],
      NextToken: 'token-2'
    }));
    const source = new SageMakerExperimentsSource(clients);
    const page = await source.listRuns(EXPERIMENT, {
      pageSize: 2,
      nextToken: 'token-1'
    });
    expect(page.nextToken).toBe('token-2');
    expect(page.items[0]).toEqual({
      id: 'customer-churn-run-012',
      name: 'run 12',
      experimentId: 'customer-churn-experiments',
      experimentName: 'customer-churn experiments',
      source: 'sagemaker-experiments',
      status: 'Completed',
      sourceStatus: 'Completed',
      statusMessage: undefined,
      startedAt: STARTED,
      endedAt: ENDED,
      params: {
        max_depth: '5',
        eta: '0.15',
        objective: 'binary:logistic'
      },
      metrics: {
        'validation:accuracy': { last: 0.848, min: 0.768, max: 0.848 },
        'train:loss': { last: 0.18, min: 0.18, max: 0.9 }
      },
      tags: {
        'sagemaker:project-name': 'customer-churn',
        'sagemaker:project-id': 'p-1'
      },
      links: {
        trainingJobArn: `${ARN}:training-job/pipelines-abc-train-xyz`,
        pipelineExecutionArn: `${ARN}:pipeline/customer-churn-p-1/execution/abc123`,
        lineageGroupArn: `${ARN}:lineage-group/sagemaker-lg-1`
      }
    });
    expect(page.items[1]).toMatchObject({
      status: 'Failed',
      statusMessage: 'OOM in training',
      endedAt: undefined,
      links: {}
    });
    expect(sent).toEqual([
      {
        operation: 'Search',
        input: {
          Resource: 'ExperimentTrialComponent',
          SearchExpression: {
            Filters: [
              {
                Name: 'Parents.ExperimentName',
                Operator: 'Equals',
                Value: 'customer-churn-experiments'
              }
            ]
          },
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 2,
          NextToken: 'token-1'
        }
      }
    ]);
  });

  it('walks every page, one Search per page, passing the token back', async () => {
    const pages: Record<string, { n: number[]; next?: string }> = {
      first: { n: [1, 2], next: 'b' },
      b: { n: [3, 4], next: 'c' },
      c: { n: [5] }
    };
    const { clients, sent } = stubClients((_operation, input) => {
      const page = pages[(input.NextToken as string) ?? 'first'];
      return {
        Results: page.n.map(n => ({ TrialComponent: component(n) })),
        NextToken: page.next
      };
    });
    const source = new SageMakerExperimentsSource(clients);
    const ids: string[] = [];
    let token: string | undefined;
    let requests = 0;
    do {
      const before = sent.length;
      const page = await source.listRuns(EXPERIMENT, {
        pageSize: 500,
        nextToken: token
      });
      expect(sent.length - before).toBe(1);
      requests++;
      ids.push(...page.items.map(r => r.id));
      token = page.nextToken;
    } while (token);
    expect(requests).toBe(3);
    expect(ids).toHaveLength(5);
    expect(sent.map(s => s.input.NextToken)).toEqual([undefined, 'b', 'c']);
    // Search takes at most 100 per page.
    expect(sent.every(s => s.input.MaxResults === 100)).toBe(true);
  });

  it('sorts on the wire by a Search property when asked', async () => {
    const { clients, sent } = stubClients(() => ({ Results: [] }));
    const page = await new SageMakerExperimentsSource(clients).listRuns(
      EXPERIMENT,
      { sortBy: 'Metrics.validation:accuracy.Max', sortOrder: 'Ascending' }
    );
    expect(page).toEqual({ items: [], nextToken: undefined });
    expect(sent[0].input).toMatchObject({
      SortBy: 'Metrics.validation:accuracy.Max',
      SortOrder: 'Ascending',
      MaxResults: 50
    });
  });

  it('reads a run again with DescribeTrialComponent', async () => {
    const described = component(3, {
      Tags: undefined,
      Parents: undefined,
      Status: { PrimaryStatus: 'InProgress' },
      EndTime: undefined,
      Source: {
        SourceArn: `${ARN}:processing-job/preprocess-1`,
        SourceType: 'SageMakerProcessingJob'
      }
    });
    const { clients, sent } = stubClients(() => described);
    const run = await new SageMakerExperimentsSource(clients).getRun({
      id: 'customer-churn-run-003',
      experimentId: EXPERIMENT.id,
      experimentName: EXPERIMENT.name
    });
    expect(sent).toEqual([
      {
        operation: 'DescribeTrialComponent',
        input: { TrialComponentName: 'customer-churn-run-003' }
      }
    ]);
    expect(run).toMatchObject({
      id: 'customer-churn-run-003',
      experimentId: EXPERIMENT.id,
      experimentName: EXPERIMENT.name,
      status: 'Running',
      tags: {},
      links: { processingJobArn: `${ARN}:processing-job/preprocess-1` },
      metrics: { 'train:loss': { last: 0.18, min: 0.18, max: 0.9 } }
    });
  });

  it('a missing run is a notFound error naming DescribeTrialComponent', async () => {
    const { clients } = stubClients(() => {
      throw serviceError('ResourceNotFound');
    });
    const error = await failure(
      new SageMakerExperimentsSource(clients).getRun({
        id: 'gone',
        experimentId: 'x',
        experimentName: 'x'
      })
    );
    expect(error).toMatchObject({
      kind: 'notFound',
      operation: 'DescribeTrialComponent'
    });
  });

  it('says that SageMaker Experiments keep no metric history, without a request', async () => {
    const { clients, sent } = stubClients(() => ({}));
    const history = await new SageMakerExperimentsSource(clients).metricHistory(
      { id: 'customer-churn-run-001' },
      'train:loss'
    );
    expect(history).toEqual({
      name: 'train:loss',
      points: [],
      limitation: 'summaryOnly'
    });
    expect(sent).toHaveLength(0);
  });
});

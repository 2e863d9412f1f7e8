import { MLOpsError } from '../../../core/errors';
import { FetchLike, MlflowSource } from '../../../core/runs/mlflow';

const BASE = 'http://localhost:8888/sagemaker-mlops/aws/sagemaker-mlflow';
const PROJECT = { name: 'customer-churn', id: 'p-1' };
const EXPERIMENT = { id: '1', name: 'customer-churn' };

interface ISentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: any;
}

/** A fetch answering from `answer` (status 200 unless it returns `[status, body]`), recording each request. */
function recordingFetch(
  answer: (request: ISentRequest) => unknown | [number, unknown]
): { fetch: FetchLike; sent: ISentRequest[] } {
  const sent: ISentRequest[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request = {
      url,
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body)
    };
    sent.push(request);
    const out = answer(request);
    const [status, body] =
      Array.isArray(out) && typeof out[0] === 'number' ? out : [200, out];
    return {
      ok: status >= 200 && status < 300,
      status,
      text: async () =>
        typeof body === 'string' ? body : JSON.stringify(body ?? {})
    };
  };
  return { fetch, sent };
}

/** An MLflow run as `runs/search` gives it (recorded shape). */
function mlflowRun(n: number, extra: { status?: string; tags?: any[] } = {}) {
  const id = `run${n}`.padEnd(32, '0');
  return {
    info: {
      run_uuid: id,
      run_id: id,
      experiment_id: '1',
      run_name: `xgboost-d3-eta0.05-000${n}`,
      user_id: 'unknown',
      status: extra.status ?? 'FINISHED',
      start_time: 1715039600000,
      end_time: 1715039905000,
      artifact_uri: `mlflow-artifacts:/1/${id}/artifacts`,
      lifecycle_stage: 'active'
    },
    data: {
      metrics: [
        {
          key: 'validation:auc',
          value: 0.65022,
          timestamp: 1715039900000,
          step: 9
        },
        {
          key: 'test:accuracy',
          value: 0.7352,
          timestamp: 1715039901000,
          step: 0
        }
      ],
      params: [
        { key: 'max_depth', value: '3' },
        { key: 'eta', value: '0.05' }
      ],
      tags: extra.tags ?? [
        { key: 'sagemaker:project-name', value: 'customer-churn' },
        { key: 'mlflow.runName', value: `xgboost-d3-eta0.05-000${n}` },
        { key: 'mlflow.source.name', value: 'notebooks/train.ipynb' },
        { key: 'mlflow.user', value: 'data-scientist' }
      ]
    }
  };
}

async function failure(promise: Promise<unknown>): Promise<MLOpsError> {
  try {
    await promise;
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a failure');
}

describe('MlflowSource', () => {
  it("finds the project's experiments by tag and by name prefix, not another project's", async () => {
    const { fetch, sent } = recordingFetch(request => {
      if (request.body.filter.startsWith('tags.')) {
        return request.body.page_token
          ? {
              experiments: [
                {
                  experiment_id: '2',
                  name: 'customer-churn-hyperparameter-tuning',
                  creation_time: 1715000000000,
                  tags: [
                    { key: 'sagemaker:project-name', value: 'customer-churn' }
                  ]
                }
              ]
            }
          : {
              experiments: [
                {
                  experiment_id: '1',
                  name: 'customer-churn',
                  creation_time: '1716000000000',
                  tags: [
                    { key: 'sagemaker:project-name', value: 'customer-churn' },
                    { key: 'sagemaker:project-id', value: 'p-1' }
                  ]
                }
              ],
              next_page_token: 'exp-2'
            };
      }
      return {
        experiments: [
          // tagged too: found once
          {
            experiment_id: '1',
            name: 'customer-churn',
            creation_time: 1716000000000,
            tags: [{ key: 'sagemaker:project-name', value: 'customer-churn' }]
          },
          // untagged: the project's by its name
          {
            experiment_id: '7',
            name: 'customer-churn-notebook',
            creation_time: 1714000000000
          },
          // another project whose name starts with this one's
          {
            experiment_id: '9',
            name: 'customer-churn-v2-baseline',
            creation_time: 1717000000000,
            tags: [
              { key: 'sagemaker:project-name', value: 'customer-churn-v2' }
            ]
          }
        ]
      };
    });
    const experiments = await new MlflowSource(
      fetch,
      `${BASE}/`
    ).listExperiments(PROJECT);
    expect(experiments.map(e => e.id)).toEqual(['1', '2', '7']);
    expect(experiments[0]).toEqual({
      id: '1',
      name: 'customer-churn',
      source: 'mlflow',
      createdAt: new Date(1716000000000),
      tags: { 'sagemaker:project-name': 'customer-churn' }
    });
    expect(sent.map(s => [s.method, s.url])).toEqual([
      ['POST', `${BASE}/api/2.0/mlflow/experiments/search`],
      ['POST', `${BASE}/api/2.0/mlflow/experiments/search`],
      ['POST', `${BASE}/api/2.0/mlflow/experiments/search`]
    ]);
    expect(sent[0].body).toEqual({
      filter: "tags.`sagemaker:project-name` = 'customer-churn'",
      max_results: 1000,
      view_type: 'ACTIVE_ONLY',
      order_by: ['creation_time DESC']
    });
    expect(sent[0].headers['Content-Type']).toBe('application/json');
    expect(sent[1].body.page_token).toBe('exp-2');
    expect(sent[2].body.filter).toBe("name LIKE 'customer-churn%'");
  });

  it('can leave the name prefix out, and refuses a name that is not a project name', async () => {
    const { fetch, sent } = recordingFetch(() => ({}));
    const source = new MlflowSource(fetch, BASE, { byNamePrefix: false });
    expect(await source.listExperiments(PROJECT)).toEqual([]);
    expect(sent).toHaveLength(1);
    const error = await failure(
      source.listExperiments({ name: "x' OR name LIKE '%", id: '' })
    );
    expect(error).toMatchObject({
      code: 'InvalidProjectName',
      kind: 'validation'
    });
    expect(sent).toHaveLength(1);
  });

  it('lists one page of runs with one runs/search, mapped into the run model', async () => {
    const { fetch, sent } = recordingFetch(() => ({
      runs: [
        mlflowRun(1, {
          tags: [
            { key: 'mlflow.runName', value: 'tuned' },
            {
              key: 'sagemaker:pipeline-execution-arn',
              value:
                'arn:aws:sagemaker:us-east-1:123456789012:pipeline/customer-churn-p-1/execution/abc'
            },
            { key: 'mlflow.source.name', value: 'notebooks/train.ipynb' },
            {
              key: 'training_job',
              value:
                'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1'
            }
          ]
        }),
        mlflowRun(2, {
          status: 'FAILED',
          tags: [{ key: 'failure_reason', value: 'AlgorithmError' }]
        }),
        mlflowRun(3, { status: 'KILLED' }),
        mlflowRun(4, { status: 'RUNNING' }),
        mlflowRun(5, { status: 'SOMETHING_NEW' })
      ],
      next_page_token: 'page-2'
    }));
    const page = await new MlflowSource(fetch, BASE).listRuns(EXPERIMENT, {
      pageSize: 5,
      nextToken: 'page-1'
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(`${BASE}/api/2.0/mlflow/runs/search`);
    expect(sent[0].body).toEqual({
      experiment_ids: ['1'],
      max_results: 5,
      run_view_type: 'ACTIVE_ONLY',
      order_by: ['attributes.start_time DESC'],
      page_token: 'page-1'
    });
    expect(page.nextToken).toBe('page-2');
    expect(page.items[0]).toEqual({
      id: 'run1'.padEnd(32, '0'),
      name: 'xgboost-d3-eta0.05-0001',
      experimentId: '1',
      experimentName: 'customer-churn',
      source: 'mlflow',
      status: 'Completed',
      sourceStatus: 'FINISHED',
      statusMessage: undefined,
      startedAt: new Date(1715039600000),
      endedAt: new Date(1715039905000),
      params: { max_depth: '3', eta: '0.05' },
      metrics: {
        'validation:auc': { last: 0.65022, step: 9 },
        'test:accuracy': { last: 0.7352, step: 0 }
      },
      tags: expect.objectContaining({ 'mlflow.runName': 'tuned' }),
      links: {
        pipelineExecutionArn:
          'arn:aws:sagemaker:us-east-1:123456789012:pipeline/customer-churn-p-1/execution/abc',
        trainingJobArn:
          'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1',
        source: 'notebooks/train.ipynb'
      }
    });
    expect(page.items.map(r => r.status)).toEqual([
      'Completed',
      'Failed',
      'Stopped',
      'Running',
      'Unknown'
    ]);
    expect(page.items[1].statusMessage).toBe('AlgorithmError');
  });

  it('walks the pages of runs, one request each, passing the token back; the last page has no token', async () => {
    const tokens: (string | undefined)[] = [];
    const { fetch, sent } = recordingFetch(request => {
      tokens.push(request.body.page_token);
      const n = tokens.length;
      return n < 3
        ? { runs: [mlflowRun(n)], next_page_token: `t${n + 1}` }
        : { runs: [mlflowRun(n)], next_page_token: '' };
    });
    const source = new MlflowSource(fetch, BASE);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const before = sent.length;
      const page = await source.listRuns(EXPERIMENT, {
        nextToken: token,
        pageSize: 5000
      });
      expect(sent.length - before).toBe(1);
      seen.push(...page.items.map(r => r.id));
      token = page.nextToken;
    } while (token);
    expect(tokens).toEqual([undefined, 't2', 't3']);
    expect(seen).toHaveLength(3);
    expect(sent.every(s => s.body.max_results === 1000)).toBe(true);
  });

  it('orders and filters on the wire when asked', async () => {
    const { fetch, sent } = recordingFetch(() => ({}));
    const page = await new MlflowSource(fetch, BASE).listRuns(EXPERIMENT, {
      orderBy: ['metrics.`validation:auc` DESC'],
      filter: "params.max_depth = '3'"
    });
    expect(page).toEqual({ items: [], nextToken: undefined });
    expect(sent[0].body).toMatchObject({
      order_by: ['metrics.`validation:auc` DESC'],
      filter: "params.max_depth = '3'",
      max_results: 100
    });
  });

  it('reads one run again by its id, and says when it is gone', async () => {
    let answer: unknown = { runs: [mlflowRun(1)] };
    const { fetch, sent } = recordingFetch(() => answer);
    const source = new MlflowSource(fetch, BASE);
    const ref = {
      id: 'run1'.padEnd(32, '0'),
      experimentId: '1',
      experimentName: 'customer-churn'
    };
    expect((await source.getRun(ref)).name).toBe('xgboost-d3-eta0.05-0001');
    expect(sent[0].body).toMatchObject({
      experiment_ids: ['1'],
      filter: `attributes.run_id = '${ref.id}'`,
      max_results: 1
    });
    answer = { runs: [] };
    expect(await failure(source.getRun(ref))).toMatchObject({
      code: 'RunNotFound',
      kind: 'notFound'
    });
    expect(
      await failure(source.getRun({ ...ref, id: "x' OR '1'='1" }))
    ).toMatchObject({ code: 'RunNotFound' });
    expect(sent).toHaveLength(2);
  });

  it("reads a metric's whole history with get-history, page by page, in step order", async () => {
    const { fetch, sent } = recordingFetch(request =>
      request.url.includes('page_token=')
        ? {
            metrics: [
              {
                key: 'train:auc',
                value: 0.7,
                timestamp: 1715039930000,
                step: 1
              }
            ]
          }
        : {
            metrics: [
              {
                key: 'train:auc',
                value: 0.8,
                timestamp: 1715039960000,
                step: 2
              },
              {
                key: 'train:auc',
                value: 0.6,
                timestamp: 1715039900000,
                step: 0
              },
              {
                key: 'train:auc',
                value: 'NaN',
                timestamp: 1715039990000,
                step: 3
              }
            ],
            next_page_token: 'h2'
          }
    );
    const history = await new MlflowSource(fetch, BASE).metricHistory(
      { id: 'abc123' },
      'train:auc'
    );
    expect(history.name).toBe('train:auc');
    expect(history.limitation).toBeUndefined();
    expect(history.points.map(p => [p.step, p.value])).toEqual([
      [0, 0.6],
      [1, 0.7],
      [2, 0.8],
      [3, NaN]
    ]);
    expect(history.points[0].timestamp).toEqual(new Date(1715039900000));
    expect(sent.map(s => [s.method, s.url, s.body])).toEqual([
      [
        'GET',
        `${BASE}/api/2.0/mlflow/metrics/get-history?run_id=abc123&metric_key=train%3Aauc&max_results=25000`,
        undefined
      ],
      [
        'GET',
        `${BASE}/api/2.0/mlflow/metrics/get-history?run_id=abc123&metric_key=train%3Aauc&max_results=25000&page_token=h2`,
        undefined
      ]
    ]);
    expect(sent[0].headers['Content-Type']).toBeUndefined();
  });

  it.each([
    [
      404,
      { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run abc not found' },
      'RESOURCE_DOES_NOT_EXIST',
      'notFound'
    ],
    [
      400,
      { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad filter' },
      'INVALID_PARAMETER_VALUE',
      'validation'
    ],
    [
      403,
      { code: 'OperationNotAllowed', message: 'not forwarded' },
      'OperationNotAllowed',
      'refused'
    ],
    [
      403,
      { __type: 'com.amazon#AccessDeniedException', message: 'denied' },
      'AccessDeniedException',
      'accessDenied'
    ],
    [502, '<html>bad gateway</html>', 'HTTP502', 'network']
  ])(
    'an HTTP %s answer becomes an MLOpsError (%j)',
    async (status, body, code, kind) => {
      const { fetch } = recordingFetch(() => [status, body]);
      const error = await failure(
        new MlflowSource(fetch, BASE).listRuns(EXPERIMENT)
      );
      expect(error).toBeInstanceOf(MLOpsError);
      expect(error).toMatchObject({
        code,
        kind,
        status,
        operation: 'SearchRuns'
      });
    }
  );

  it('a network failure and a non-JSON success are errors too', async () => {
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    expect(
      await failure(
        new MlflowSource(down, BASE).metricHistory({ id: 'a' }, 'm')
      )
    ).toMatchObject({ kind: 'network', operation: 'GetMetricHistory' });
    const { fetch } = recordingFetch(() => [200, 'not json']);
    expect(
      await failure(new MlflowSource(fetch, BASE).listRuns(EXPERIMENT))
    ).toMatchObject({ code: 'InvalidResponse', kind: 'server' });
  });
});

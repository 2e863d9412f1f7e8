import { MLOpsError } from '../../core/errors';
import type { IExperiment, IRunSource } from '../../core/runs/types';
import { RunsModel } from '../../runs/model';
import { buildRows } from '../../runs/rows';
import {
  FakeProject,
  FakeProvider,
  PROJECT,
  fakeConnection,
  run,
  settle
} from './fake';

const SM: IExperiment = {
  id: 'customer-churn-experiments',
  name: 'customer-churn experiments',
  source: 'sagemaker-experiments',
  tags: {}
};
const ML: IExperiment = {
  id: '7',
  name: 'customer-churn',
  source: 'mlflow',
  tags: {}
};

function setup(sources: IRunSource[] = ['sagemaker-experiments', 'mlflow']) {
  const sm = new FakeProvider(
    'sagemaker-experiments',
    [SM],
    new Map([
      [
        SM.id,
        Array.from({ length: 45 }, (_, i) =>
          run('sagemaker-experiments', SM.id, 45 - i)
        )
      ]
    ])
  );
  const ml = new FakeProvider(
    'mlflow',
    [ML],
    new Map([[ML.id, [run('mlflow', ML.id, 2), run('mlflow', ML.id, 1)]]])
  );
  const project = new FakeProject();
  let enabled = sources;
  const model = new RunsModel({
    connection: fakeConnection(),
    project,
    providers: {
      'sagemaker-experiments': async () => sm,
      mlflow: async () => ml
    },
    sources: () => enabled,
    keyMetrics: () => []
  });
  return {
    sm,
    ml,
    model,
    project,
    enable: (s: IRunSource[]) => (enabled = s)
  };
}

describe('RunsModel', () => {
  it("lists the project's experiments of every enabled source, and no run until one is expanded", async () => {
    const { model, sm, ml } = setup();
    model.addView().setVisible(true);
    await settle();
    expect(model.experiments.map(e => e.id)).toEqual([SM.id, ML.id]);
    expect(sm.calls).toEqual([`experiments:${PROJECT.name}`]);
    expect(ml.calls).toEqual([`experiments:${PROJECT.name}`]);
    expect(buildRows(model).map(r => r.kind)).toEqual([
      'experiment',
      'experiment'
    ]);
    model.dispose();
  });

  it('pages an expanded experiment on the wire: one request per page, newest first', async () => {
    const { model, sm } = setup();
    model.addView().setVisible(true);
    await settle();
    model.toggleRuns(SM);
    await settle();
    const list = model.runs('sagemaker-experiments:' + SM.id)!;
    expect(list.items.map(r => r.name).slice(0, 2)).toEqual([
      'run 45',
      'run 44'
    ]);
    expect(list.items).toHaveLength(20);
    expect(buildRows(model).map(r => r.kind)).toEqual([
      'experiment',
      ...Array(20).fill('run'),
      'more',
      'experiment'
    ]);
    await list.loadMore();
    await list.loadMore();
    expect(list.items).toHaveLength(45);
    expect(sm.count('runs:')).toBe(3);
    // A refresh reads the expanded list again in one request (as many as shown).
    await model.refresh();
    expect(sm.count('runs:')).toBe(4);
    expect(sm.calls[sm.calls.length - 1]).toBe(`runs:${SM.id}:0:45`);
    model.dispose();
  });

  it('the key metrics of run lines: validation and test first', async () => {
    const { model, ml } = setup();
    ml.runs.set(ML.id, [
      run('mlflow', ML.id, 1, {
        metrics: {
          'train:loss': { last: 1 },
          'test:auc': { last: 0.8 },
          'validation:auc': { last: 0.9 },
          epoch: { last: 3 }
        }
      })
    ]);
    model.addView().setVisible(true);
    await settle();
    model.toggleRuns(ML);
    await settle();
    expect(model.keyMetrics('mlflow:7')).toEqual([
      'validation:auc',
      'test:auc',
      'epoch'
    ]);
    model.dispose();
  });

  it('a source that fails keeps its error and leaves the others shown; the refresh fails only when all do', async () => {
    const { model, ml, sm } = setup();
    ml.fail = new MLOpsError({
      code: 'NoEndpoint',
      message: 'No MLflow tracking server is configured',
      status: 503,
      operation: 'SearchExperiments'
    });
    model.addView().setVisible(true);
    await settle();
    expect(model.experiments.map(e => e.id)).toEqual([SM.id]);
    const mlflow = model.sources.find(s => s.source === 'mlflow')!;
    expect(mlflow.error?.code).toBe('NoEndpoint');
    expect(model.error).toBeNull();

    sm.fail = new MLOpsError({
      code: 'AccessDeniedException',
      message: 'no',
      status: 400,
      operation: 'Search'
    });
    await expect(model.refresh()).rejects.toBeDefined();
    // What was shown stays.
    expect(model.experiments.map(e => e.id)).toEqual([SM.id]);
    expect(model.sources.every(s => s.error)).toBe(true);
    model.dispose();
  });

  it('throttling of every source is a warning, not an error', async () => {
    const { model, ml, sm } = setup();
    const throttled = new MLOpsError({
      code: 'ThrottlingException',
      message: 'Rate exceeded',
      status: 400
    });
    ml.fail = throttled;
    sm.fail = throttled;
    model.addView().setVisible(true);
    await settle();
    expect(model.warning?.code).toBe('ThrottlingException');
    expect(model.error).toBeNull();
    model.dispose();
  });

  it('the sources setting: a disabled source is neither read nor shown', async () => {
    const { model, ml, enable } = setup(['sagemaker-experiments']);
    model.addView().setVisible(true);
    await settle();
    expect(model.experiments.map(e => e.source)).toEqual([
      'sagemaker-experiments'
    ]);
    expect(ml.calls).toEqual([]);
    enable(['sagemaker-experiments', 'mlflow']);
    model.sourcesChanged();
    await settle();
    expect(model.experiments.map(e => e.source)).toEqual([
      'sagemaker-experiments',
      'mlflow'
    ]);
    model.dispose();
  });

  it('another project: what is shown goes and the new project loads', async () => {
    const { model, project, sm } = setup();
    model.addView().setVisible(true);
    await settle();
    model.toggleRuns(SM);
    await settle();
    project.project = { name: 'fraud-detection', id: 'p-2' };
    project.changed.emit();
    await settle();
    expect(model.projectShown?.name).toBe('fraud-detection');
    expect(model.runs('sagemaker-experiments:' + SM.id)).toBeUndefined();
    expect(sm.calls).toContain('experiments:fraud-detection');
    model.dispose();
  });

  it('reads nothing while no view is visible', async () => {
    const { model, sm, ml } = setup();
    const view = model.addView();
    await settle();
    expect(sm.calls.length + ml.calls.length).toBe(0);
    view.setVisible(true);
    await settle();
    expect(sm.calls.length).toBe(1);
    model.dispose();
  });
});

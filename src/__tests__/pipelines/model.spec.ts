import { Signal } from '@lumino/signaling';

import { IExecutionSummary, IPipeline } from '../../core/pipelines/types';
import { IProject } from '../../core/types';
import { IPipelinesApi, PipelinesModel } from '../../pipelines/model';
import { IMLOpsConnection, IMLOpsProject } from '../../tokens';

const PROJECT: IProject = { name: 'customer-churn', id: 'p-1' };
const OTHER: IProject = { name: 'fraud-detection', id: 'p-2' };
const day = (n: number) => new Date(Date.UTC(2026, 10, n));

/** An in-memory pipelines API that counts what it is asked. */
class FakeApi implements IPipelinesApi {
  pipelines: IPipeline[] = [];
  last = new Map<string, IExecutionSummary>();
  calls: string[] = [];

  async listProjectPipelines(project: IProject): Promise<IPipeline[]> {
    this.calls.push(`Search:${project.name}`);
    return this.pipelines
      .filter(p => p.tags['sagemaker:project-name'] === project.name)
      .map(p => ({ ...p }));
  }
  async lastExecution(name: string): Promise<IExecutionSummary | undefined> {
    this.calls.push(`Last:${name}`);
    return this.last.get(name);
  }
  async listExecutions(name: string) {
    this.calls.push(`List:${name}`);
    const last = this.last.get(name);
    return { items: last ? [last] : [] };
  }
  async describeExecution(arn: string): Promise<any> {
    this.calls.push(`Describe:${arn}`);
    return { arn, pipelineName: 'x', status: 'Succeeded', parameters: [] };
  }
  async listSteps(arn: string) {
    this.calls.push(`Steps:${arn}`);
    return [];
  }
  count(prefix: string): number {
    return this.calls.filter(c => c.startsWith(prefix)).length;
  }
}

function pipeline(name: string, project: IProject, lastRun: number): IPipeline {
  return {
    name,
    arn: `arn:aws:sagemaker:us-east-1:1:pipeline/${name}`,
    lastRunAt: day(lastRun),
    tags: { 'sagemaker:project-name': project.name }
  };
}

function execution(name: string, started: number, status = 'Succeeded') {
  return {
    arn: `arn:aws:sagemaker:us-east-1:1:pipeline/${name}/execution/${started}`,
    pipelineName: name,
    status,
    startedAt: day(started),
    endedAt: status === 'Executing' ? undefined : day(started)
  } as IExecutionSummary;
}

class FakeProject implements IMLOpsProject {
  project: IProject | null = PROJECT;
  state = 'resolved' as const;
  error = null;
  changed: Signal<IMLOpsProject, void> = new Signal<IMLOpsProject, void>(this);
  resolve = async () => this.project;
  choose = async () => undefined;
  refresh = async () => this.project;
  set(project: IProject) {
    this.project = project;
    this.changed.emit();
  }
}

function setup() {
  const api = new FakeApi();
  api.pipelines = [
    pipeline('build', PROJECT, 3),
    pipeline('deploy', PROJECT, 5),
    pipeline('mine', PROJECT, 1),
    pipeline('theirs', OTHER, 9)
  ];
  for (const [name, started] of [
    ['build', 3],
    ['deploy', 5],
    ['mine', 1]
  ] as const) {
    api.last.set(name, execution(name, started));
  }
  const connection = {
    refreshInterval: 3600,
    changed: new Signal<IMLOpsConnection, void>({} as IMLOpsConnection)
  } as unknown as IMLOpsConnection;
  const project = new FakeProject();
  const model = new PipelinesModel({
    connection,
    project,
    api: async () => api
  });
  return { api, project, model };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 20));

describe('PipelinesModel', () => {
  it('loads once when its view is first shown, and reads last executions only of rows on screen', async () => {
    const { api, model } = setup();
    const view = model.addView();
    view.setVisible(true);
    await settle();
    expect(api.count('Search')).toBe(1);
    expect(model.pipelines.map(p => p.name)).toEqual([
      'deploy',
      'build',
      'mine'
    ]);
    expect(api.count('Last')).toBe(0);

    model.setVisiblePipelines(['deploy', 'build']);
    await settle();
    expect(api.calls.filter(c => c.startsWith('Last'))).toEqual([
      'Last:deploy',
      'Last:build'
    ]);
    // The same rows reported again (a re-render) read nothing more.
    model.setVisiblePipelines(['deploy', 'build']);
    await settle();
    expect(api.count('Last')).toBe(2);
    expect(api.count('Search')).toBe(1);
    model.dispose();
  });

  it('does not read a finished last execution again while the pipeline has not run since', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    model.setVisiblePipelines(['deploy', 'build', 'mine']);
    await settle();
    expect(api.count('Last')).toBe(3);

    await model.refresh();
    expect(api.count('Search')).toBe(2);
    expect(api.count('Last')).toBe(3);

    // build ran again: only it is read.
    api.pipelines[0] = pipeline('build', PROJECT, 7);
    api.last.set('build', execution('build', 7, 'Executing'));
    await model.refresh();
    expect(api.calls.filter(c => c.startsWith('Last')).slice(3)).toEqual([
      'Last:build'
    ]);
    expect(model.pipelines[0].name).toBe('build');
    expect(model.pipelines[0].lastExecution?.status).toBe('Executing');

    // A running one is read at every refresh until it ends.
    await model.refresh();
    expect(api.count('Last:build')).toBe(3);
    model.dispose();
  });

  it('keeps the order of the rows while the user points at them, and sorts when they leave', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    expect(model.pipelines.map(p => p.name)).toEqual([
      'deploy',
      'build',
      'mine'
    ]);
    model.setInteracting(true);
    api.pipelines[2] = pipeline('mine', PROJECT, 8);
    await model.refresh();
    expect(model.pipelines.map(p => p.name)).toEqual([
      'deploy',
      'build',
      'mine'
    ]);
    model.setInteracting(false);
    expect(model.pipelines.map(p => p.name)).toEqual([
      'mine',
      'deploy',
      'build'
    ]);
    model.dispose();
  });

  it("shows another project's pipelines when the project changes, dropping the old ones", async () => {
    const { api, model, project } = setup();
    model.addView().setVisible(true);
    await settle();
    model.toggleExecutions('build');
    await settle();
    expect(model.executions('build')?.items).toHaveLength(1);
    project.set(OTHER);
    await settle();
    expect(model.pipelines.map(p => p.name)).toEqual(['theirs']);
    expect(model.executions('build')).toBeUndefined();
    expect(api.count('Search')).toBe(2);
    model.dispose();
  });

  it('reloads expanded executions at each refresh and tells when a watched execution ends', async () => {
    const { api, model } = setup();
    model.addView().setVisible(true);
    await settle();
    const running = execution('build', 7, 'Executing');
    api.last.set('build', running);
    model.watch(running.arn, 'build');
    model.toggleExecutions('build');
    await settle();
    const finished: string[] = [];
    model.executionFinished.connect((_, f) => finished.push(f.status));
    await model.refresh();
    expect(finished).toEqual(['Succeeded']); // the fake describes every execution as Succeeded
    expect(api.count('List:build')).toBe(2);
    await model.refresh();
    expect(finished).toHaveLength(1);
    model.dispose();
  });
});

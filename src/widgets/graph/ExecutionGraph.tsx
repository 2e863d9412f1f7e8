import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { MLOpsError, toMLOpsError } from '../../core/errors';
import type { LogTail } from '../../core/logs';
import { IExecution, IPipelineGraph, IStep } from '../../core/types';
import { ACTIVE_STATUSES, PipelinesModel } from '../../models/pipelines';
import { MLOpsSession } from '../../models/session';
import { ErrorBanner } from '../common/ErrorBanner';
import { StatusBadge } from '../common/StatusBadge';
import { formatTime, runDuration } from '../common/format';
import { ILaidOutGraph, layoutGraph } from './layout';

/** State of one execution tab: definition graph, live steps, the selected node and its log. */
export class ExecutionGraphModel {
  constructor(options: {
    executionArn: string;
    pipelineName: string;
    pipelines: PipelinesModel;
    session: MLOpsSession;
  }) {
    this.executionArn = options.executionArn;
    this.pipelineName = options.pipelineName;
    this._pipelines = options.pipelines;
    this._session = options.session;
    this._poll = new Poll({
      auto: false,
      factory: () => this._refresh(),
      frequency: { interval: 5000, backoff: true, max: 60000 },
      name: 'sagemaker-mlops:execution-graph',
      standby: () => (this._visible ? 'when-hidden' : true)
    });
    this._logPoll = new Poll({
      auto: false,
      factory: () => this._readLog(),
      frequency: { interval: 3000, backoff: true, max: 30000 },
      name: 'sagemaker-mlops:step-log',
      standby: () => (this._visible && this._tail ? 'when-hidden' : true)
    });
  }

  readonly executionArn: string;
  readonly pipelineName: string;
  graph: IPipelineGraph | null = null;
  layout: ILaidOutGraph | null = null;
  execution: IExecution | null = null;
  steps = new Map<string, IStep>();
  selected: string | null = null;
  log: { timestamp: number; message: string }[] = [];
  logNote: 'none' | 'waiting' | 'no-job' = 'none';
  follow = true;
  error: MLOpsError | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  setVisible(visible: boolean): void {
    this._visible = visible;
    if (visible) {
      if (!this._started) {
        this._started = true;
        void this._poll.start();
      } else {
        void this._poll.refresh();
      }
    }
  }

  refresh(): void {
    void this._poll.refresh();
  }

  select(name: string | null): void {
    this.selected = name;
    this.log = [];
    this._tail = null;
    this.logNote = 'none';
    const job = name ? this.steps.get(name)?.job : undefined;
    if (name && !job) {
      this.logNote = 'no-job';
    }
    if (job) {
      this.logNote = 'waiting';
      void this._session.sdk().then(async ({ LogTail }) => {
        if (this.selected === name) {
          this._tail = new LogTail(await this._session.clients(), job);
          void this._logPoll.start();
          void this._logPoll.refresh();
        }
      });
    }
    this._changed.emit();
  }

  setFollow(follow: boolean): void {
    this.follow = follow;
    this._changed.emit();
  }

  dispose(): void {
    this._poll.dispose();
    this._logPoll.dispose();
    Signal.clearData(this);
  }

  private async _refresh(): Promise<void> {
    try {
      const service = await this._pipelines.getService();
      if (!this.graph) {
        const definition = await service.getDefinition(this.executionArn);
        this.graph = definition.graph;
        this.layout = layoutGraph(definition.graph);
      }
      const [execution, steps] = await Promise.all([
        service.describeExecution(this.executionArn),
        service.listSteps(this.executionArn)
      ]);
      this.execution = execution;
      this.steps = new Map(steps.map(step => [step.name, step]));
      this.error = null;
      const running = ACTIVE_STATUSES.has(execution.status);
      this._poll.frequency = {
        ...this._poll.frequency,
        interval: running ? 5000 : 60000
      };
    } catch (error) {
      this.error = toMLOpsError(error, 'DescribePipelineExecution');
      throw error;
    } finally {
      this._changed.emit();
    }
  }

  private async _readLog(): Promise<void> {
    const tail = this._tail;
    if (!tail) {
      return;
    }
    const chunk = await tail.next();
    if (tail !== this._tail) {
      return;
    }
    if (chunk.events.length) {
      this.log = [...this.log, ...chunk.events].slice(-5000);
      this.logNote = 'none';
      this._changed.emit();
    }
    const step = this.selected ? this.steps.get(this.selected) : undefined;
    const running =
      !step ||
      step.status === 'Executing' ||
      step.status === 'Starting' ||
      step.status === 'Stopping';
    this._logPoll.frequency = {
      ...this._logPoll.frequency,
      interval: running ? 3000 : 30000
    };
  }

  private _pipelines: PipelinesModel;
  private _session: MLOpsSession;
  private _poll: Poll;
  private _logPoll: Poll;
  private _tail: LogTail | null = null;
  private _visible = false;
  private _started = false;
  private _changed = new Signal<this, void>(this);
}

/** Main-area tab: the pipeline graph of an execution, nodes coloured by live step status. */
export class ExecutionGraphWidget extends ReactWidget {
  constructor(options: {
    model: ExecutionGraphModel;
    trans: TranslationBundle;
  }) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this.addClass('jp-MLOps-graph');
  }

  readonly model: ExecutionGraphModel;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <GraphView model={this.model} trans={this._trans} />}
      </UseSignal>
    );
  }

  private _trans: TranslationBundle;
}

function GraphView(props: {
  model: ExecutionGraphModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const { execution, layout } = model;
  const selected = model.selected ? model.steps.get(model.selected) : undefined;
  return (
    <div className="jp-MLOps-graph-content">
      <header className="jp-MLOps-graph-header">
        <h2>{model.pipelineName}</h2>
        {execution && <StatusBadge status={execution.status} trans={trans} />}
        {execution && (
          <span className="jp-MLOps-muted">
            {execution.displayName || model.executionArn.split('/').pop()} ·{' '}
            {formatTime(execution.startedAt)} ·{' '}
            {runDuration(
              execution.status,
              execution.startedAt,
              execution.endedAt
            )}
          </span>
        )}
      </header>
      {model.error && (
        <ErrorBanner
          error={model.error}
          trans={trans}
          onRetry={() => model.refresh()}
        />
      )}
      {execution?.failureReason && (
        <div className="jp-MLOps-failure jp-MLOps-pad">
          <strong>{trans.__('Failure reason:')}</strong>{' '}
          {execution.failureReason}
        </div>
      )}
      <div className="jp-MLOps-graph-body">
        <div className="jp-MLOps-graph-canvas">
          {layout ? (
            <svg
              width={layout.width}
              height={layout.height}
              role="group"
              aria-label={trans.__('Pipeline graph of %1', model.pipelineName)}
            >
              <defs>
                <marker
                  id="jp-MLOps-arrow"
                  viewBox="0 0 10 10"
                  refX="9"
                  refY="5"
                  markerWidth="6"
                  markerHeight="6"
                  orient="auto"
                >
                  <path
                    d="M 0 0 L 10 5 L 0 10 z"
                    className="jp-MLOps-graph-arrow"
                  />
                </marker>
              </defs>
              {layout.edges.map(edge => (
                <polyline
                  key={`${edge.from}->${edge.to}`}
                  className="jp-MLOps-graph-edge"
                  points={edge.points.map(p => `${p.x},${p.y}`).join(' ')}
                  markerEnd="url(#jp-MLOps-arrow)"
                />
              ))}
              {layout.nodes.map(node => {
                const step = model.steps.get(node.name);
                const status = step?.status ?? 'NotStarted';
                return (
                  <g
                    key={node.name}
                    className={`jp-MLOps-graph-node jp-MLOps-status-${status}${model.selected === node.name ? ' jp-mod-selected' : ''}`}
                    transform={`translate(${node.x},${node.y})`}
                    role="button"
                    tabIndex={0}
                    aria-label={trans.__(
                      'Step %1: %2',
                      node.name,
                      step ? step.status : trans.__('not started')
                    )}
                    onClick={() => model.select(node.name)}
                    onKeyDown={event => {
                      if (event.key === 'Enter' || event.key === ' ') {
                        event.preventDefault();
                        model.select(node.name);
                      }
                    }}
                  >
                    <rect width={node.width} height={node.height} rx={6} />
                    <text x={10} y={18} className="jp-MLOps-graph-node-name">
                      {truncate(node.displayName || node.name, 24)}
                    </text>
                    <text x={10} y={34} className="jp-MLOps-graph-node-meta">
                      {node.type} ·{' '}
                      {step ? step.status : trans.__('not started')}
                    </text>
                  </g>
                );
              })}
            </svg>
          ) : (
            !model.error && (
              <p className="jp-MLOps-muted jp-MLOps-pad">
                {trans.__('Loading the pipeline graph…')}
              </p>
            )
          )}
        </div>
        {model.selected && (
          <aside
            className="jp-MLOps-graph-details"
            aria-label={trans.__('Step details')}
          >
            <h3>{model.selected}</h3>
            {selected ? (
              <dl className="jp-MLOps-identity">
                <dt>{trans.__('Status')}</dt>
                <dd>
                  <StatusBadge status={selected.status} trans={trans} />
                </dd>
                <dt>{trans.__('Duration')}</dt>
                <dd>
                  {runDuration(
                    selected.status,
                    selected.startedAt,
                    selected.endedAt
                  )}
                </dd>
                <dt>{trans.__('Cache hit')}</dt>
                <dd>{selected.cacheHit ? trans.__('yes') : trans.__('no')}</dd>
                <dt>{trans.__('Attempts')}</dt>
                <dd>{selected.attemptCount ?? 1}</dd>
                {selected.job && (
                  <>
                    <dt>{selected.job.kind}</dt>
                    <dd className="jp-MLOps-mono" title={selected.job.arn}>
                      {selected.job.name ?? selected.job.arn}
                    </dd>
                  </>
                )}
              </dl>
            ) : (
              <p className="jp-MLOps-muted">
                {trans.__('This step has not started.')}
              </p>
            )}
            {selected?.failureReason && (
              <div className="jp-MLOps-failure">{selected.failureReason}</div>
            )}
            <LogView model={model} trans={trans} />
          </aside>
        )}
      </div>
    </div>
  );
}

function LogView(props: {
  model: ExecutionGraphModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const ref = React.useRef<HTMLPreElement>(null);
  React.useEffect(() => {
    if (model.follow && ref.current) {
      ref.current.scrollTop = ref.current.scrollHeight;
    }
  });
  return (
    <div className="jp-MLOps-log">
      <div className="jp-MLOps-log-header">
        <h4>{trans.__('Log')}</h4>
        <label>
          <input
            type="checkbox"
            checked={model.follow}
            onChange={event => model.setFollow(event.target.checked)}
          />{' '}
          {trans.__('Follow')}
        </label>
      </div>
      {model.logNote === 'no-job' && (
        <p className="jp-MLOps-muted">
          {trans.__('This step runs no job, so it has no log.')}
        </p>
      )}
      {model.logNote === 'waiting' && model.log.length === 0 && (
        <p className="jp-MLOps-muted">{trans.__('Waiting for log events…')}</p>
      )}
      {model.log.length > 0 && (
        <pre
          ref={ref}
          className="jp-MLOps-log-text"
          aria-label={trans.__('Step log')}
        >
          {model.log
            .map(e => `${new Date(e.timestamp).toISOString()}  ${e.message}`)
            .join('\n')}
        </pre>
      )}
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

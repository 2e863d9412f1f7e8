import { Clipboard, ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { executionId } from '../../core/arn';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatTime, runDuration, statusLabel } from '../../shared/format';
import { IPollView } from '../../shared/poll';
import { watchVisibility } from '../../shared/visibility';
import { ExecutionGraphModel } from './model';
import '../../../style/views.css';

/**
 * Main-area tab of one execution: its status, parameters, the pipeline graph
 * with nodes coloured (and labelled) by live step status, and the selected
 * step's details and log.
 */
export class ExecutionTab extends ReactWidget {
  constructor(options: {
    model: ExecutionGraphModel;
    trans: TranslationBundle;
  }) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this.addClass('jp-MLOps-graph');
    this._view = this.model.addView();
    this._visibility = watchVisibility(this, visible =>
      this._view.setVisible(visible)
    );
  }

  readonly model: ExecutionGraphModel;

  dispose(): void {
    this._visibility.dispose();
    this._view.dispose();
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
  private _view: IPollView;
  private _visibility: IDisposable;
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
            {[
              execution.displayName || executionId(model.executionArn),
              formatTime(execution.startedAt),
              runDuration(
                trans,
                execution.status,
                execution.startedAt,
                execution.endedAt
              ),
              execution.startedBy
                ? trans.__('started by %1', execution.startedBy)
                : ''
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        )}
        <button
          type="button"
          className="jp-MLOps-link-button"
          onClick={() => Clipboard.copyToSystem(model.executionArn)}
        >
          {trans.__('Copy ARN')}
        </button>
      </header>
      {model.error && (
        <ErrorBanner
          error={model.error}
          trans={trans}
          onRetry={() => void model.refresh()}
        />
      )}
      {execution?.failureReason && (
        <div className="jp-MLOps-failure jp-MLOps-pad">
          <strong>{trans.__('Failure reason:')}</strong>{' '}
          {execution.failureReason}
        </div>
      )}
      {execution && execution.parameters.length > 0 && (
        <details className="jp-MLOps-parameters jp-MLOps-pad">
          <summary>
            {trans._n(
              '%1 parameter',
              '%1 parameters',
              execution.parameters.length
            )}
          </summary>
          <dl className="jp-MLOps-identity">
            {execution.parameters.map(p => (
              <React.Fragment key={p.name}>
                <dt>{p.name}</dt>
                <dd className="jp-MLOps-mono jp-MLOps-wrap">{p.value}</dd>
              </React.Fragment>
            ))}
          </dl>
        </details>
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
                      statusLabel(status, trans)
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
                      {trans.__(
                        '%1 · %2',
                        node.type,
                        statusLabel(status, trans)
                      )}
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
                    trans,
                    selected.status,
                    selected.startedAt,
                    selected.endedAt
                  )}
                </dd>
                <dt>{trans.__('Cache hit')}</dt>
                <dd>{selected.cacheHit ? trans.__('yes') : trans.__('no')}</dd>
                <dt>{trans.__('Attempts')}</dt>
                <dd>{selected.attemptCount ?? 1}</dd>
                {selected.type && (
                  <>
                    <dt>{trans.__('Type')}</dt>
                    <dd>{selected.type}</dd>
                  </>
                )}
                {selected.conditionOutcome && (
                  <>
                    <dt>{trans.__('Condition outcome')}</dt>
                    <dd>{selected.conditionOutcome}</dd>
                  </>
                )}
                {selected.job && (
                  <>
                    <dt>{selected.job.kind}</dt>
                    <dd className="jp-MLOps-mono" title={selected.job.arn}>
                      <span className="jp-MLOps-identity-value">
                        {selected.job.name ?? selected.job.arn}
                      </span>
                      <button
                        type="button"
                        className="jp-MLOps-link-button"
                        aria-label={trans.__(
                          'Copy ARN of %1',
                          selected.job.name ?? selected.displayName ?? ''
                        )}
                        onClick={() =>
                          Clipboard.copyToSystem(selected.job?.arn ?? '')
                        }
                      >
                        {trans.__('Copy ARN')}
                      </button>
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
      {model.logState === 'no-job' && (
        <p className="jp-MLOps-muted">
          {trans.__('This step runs no job, so it has no log.')}
        </p>
      )}
      {model.logState === 'waiting' && (
        <p className="jp-MLOps-muted">{trans.__('Waiting for log events…')}</p>
      )}
      {model.logState === 'empty' && (
        <p className="jp-MLOps-muted">
          {trans.__('The job of this step wrote no log events.')}
        </p>
      )}
      {model.logState === 'error' && model.logError && (
        <ErrorBanner
          error={model.logError}
          trans={trans}
          onRetry={() => model.retryLog()}
        />
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

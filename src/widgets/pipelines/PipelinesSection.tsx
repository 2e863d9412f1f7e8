import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import { toMLOpsError } from '../../core/errors';
import { PipelineExecutionStatus } from '../../core/types';
import { PipelinesModel } from '../../models/pipelines';
import { ErrorBanner } from '../common/ErrorBanner';
import { StatusBadge } from '../common/StatusBadge';
import { formatTime, runDuration, statusLabel } from '../common/format';
import { Row, STATUS_FILTERS, buildRows } from './rows';

export interface IPipelinesSectionProps {
  model: PipelinesModel;
  trans: TranslationBundle;
  /** Open an execution's graph in a main-area tab. */
  onOpenExecution: (executionArn: string, pipelineName: string) => void;
}

/** The project's pipelines, their executions and steps, as one virtualized tree. */
export function PipelinesSection(props: IPipelinesSectionProps): JSX.Element {
  const { model, trans } = props;
  const rows = buildRows(model);
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: index =>
      (
        ({
          pipeline: 42,
          execution: 42,
          'execution-info': 64,
          step: 44
        }) as Record<string, number>
      )[rows[index].kind] ?? 26,
    getItemKey: index => rows[index].key,
    overscan: 12
  });

  return (
    <section className="jp-MLOps-pipelines" aria-label={trans.__('Pipelines')}>
      <h3 className="jp-MLOps-section-title">
        {trans.__('Pipelines')}
        {model.loading && (
          <span className="jp-MLOps-muted"> {trans.__('refreshing…')}</span>
        )}
      </h3>
      {model.warning && (
        <ErrorBanner error={model.warning} trans={trans} quiet />
      )}
      {model.error && (
        <ErrorBanner
          error={model.error}
          trans={trans}
          onRetry={() => void model.refresh()}
        />
      )}
      {model.loaded && model.pipelines.length === 0 && (
        <p className="jp-MLOps-muted jp-MLOps-pad">
          {trans.__('This project has no pipelines yet.')}
        </p>
      )}
      {!model.loaded && !model.error && (
        <p className="jp-MLOps-muted jp-MLOps-pad">
          {trans.__('Loading pipelines…')}
        </p>
      )}
      <div
        className="jp-MLOps-tree"
        ref={scrollRef}
        role="tree"
        aria-label={trans.__('Pipelines, executions and steps')}
      >
        <div
          style={{
            height: virtualizer.getTotalSize(),
            position: 'relative',
            width: '100%'
          }}
        >
          {virtualizer.getVirtualItems().map(item => (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                transform: `translateY(${item.start}px)`
              }}
            >
              <RowView row={rows[item.index]} {...props} />
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

function RowView(props: IPipelinesSectionProps & { row: Row }): JSX.Element {
  const { row, model, trans } = props;
  switch (row.kind) {
    case 'pipeline': {
      const { pipeline } = row;
      const last = pipeline.lastExecution;
      return (
        <div
          className="jp-MLOps-row jp-MLOps-pipeline-row"
          role="treeitem"
          aria-level={1}
          aria-expanded={row.expanded}
          tabIndex={0}
          data-pipeline-name={pipeline.name}
          title={pipeline.description ?? pipeline.name}
          onClick={() => void model.toggleExecutions(pipeline.name)}
          onKeyDown={event => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              void model.toggleExecutions(pipeline.name);
            }
          }}
        >
          <Caret expanded={row.expanded} />
          <span className="jp-MLOps-row-name">
            {pipeline.displayName || pipeline.name}
          </span>
          {last ? (
            <span className="jp-MLOps-row-meta">
              <StatusBadge status={last.status} trans={trans} />
              <span
                className="jp-MLOps-muted"
                title={last.startedAt?.toISOString()}
              >
                {formatTime(last.startedAt)}
              </span>
              <span className="jp-MLOps-muted">
                {runDuration(last.status, last.startedAt, last.endedAt)}
              </span>
            </span>
          ) : (
            <span className="jp-MLOps-row-meta jp-MLOps-muted">
              {model.loading ? trans.__('loading…') : trans.__('never run')}
            </span>
          )}
        </div>
      );
    }
    case 'filter':
      return (
        <div className="jp-MLOps-row jp-MLOps-depth-1 jp-MLOps-filter-row">
          <label>
            {trans.__('Status')}{' '}
            <select
              aria-label={trans.__(
                'Filter executions of %1 by status',
                row.pipelineName
              )}
              value={row.status ?? ''}
              onChange={event =>
                void model.setStatusFilter(
                  row.pipelineName,
                  (event.target.value || undefined) as
                    PipelineExecutionStatus | undefined
                )
              }
            >
              <option value="">{trans.__('All')}</option>
              {STATUS_FILTERS.map(s => (
                <option key={s} value={s}>
                  {statusLabel(s, trans)}
                </option>
              ))}
            </select>
          </label>
        </div>
      );
    case 'execution': {
      const { execution } = row;
      return (
        <div
          className="jp-MLOps-row jp-MLOps-depth-1 jp-MLOps-execution-row"
          role="treeitem"
          aria-level={2}
          aria-expanded={row.expanded}
          tabIndex={0}
          data-execution-arn={execution.arn}
          data-pipeline-name={execution.pipelineName}
          data-status={execution.status}
          title={execution.arn}
          onClick={() => void model.toggleDetail(execution.arn)}
          onDoubleClick={() =>
            props.onOpenExecution(execution.arn, execution.pipelineName)
          }
          onKeyDown={event => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              void model.toggleDetail(execution.arn);
            }
          }}
        >
          <Caret expanded={row.expanded} />
          <StatusBadge status={execution.status} trans={trans} />
          <span className="jp-MLOps-row-name">
            {execution.displayName || execution.arn.split('/').pop()}
          </span>
          <span className="jp-MLOps-row-meta jp-MLOps-muted">
            {[
              formatTime(execution.startedAt),
              runDuration(
                execution.status,
                execution.startedAt,
                execution.endedAt
              )
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        </div>
      );
    }
    case 'execution-info': {
      const { execution } = row;
      return (
        <div
          className="jp-MLOps-row-block jp-MLOps-depth-2"
          role="group"
          aria-label={trans.__('Execution details')}
        >
          {execution.failureReason && (
            <div className="jp-MLOps-failure">
              <strong>{trans.__('Failure reason:')}</strong>{' '}
              {execution.failureReason}
            </div>
          )}
          {execution.startedBy && (
            <div>
              <span className="jp-MLOps-muted">{trans.__('Started by:')}</span>{' '}
              {execution.startedBy}
            </div>
          )}
          {execution.parameters.length > 0 && (
            <div className="jp-MLOps-params">
              <span className="jp-MLOps-muted">{trans.__('Parameters:')}</span>{' '}
              {execution.parameters.map(p => (
                <span key={p.name} className="jp-MLOps-param">
                  {p.name}={p.value}
                </span>
              ))}
            </div>
          )}
          <button
            type="button"
            className="jp-MLOps-link-button"
            onClick={() =>
              props.onOpenExecution(execution.arn, execution.pipelineName)
            }
          >
            {trans.__('Open graph')}
          </button>
        </div>
      );
    }
    case 'step': {
      const { step } = row;
      return (
        <div
          className="jp-MLOps-row-block jp-MLOps-depth-2 jp-MLOps-step-row"
          role="treeitem"
          aria-level={3}
          data-step-name={step.name}
        >
          <div className="jp-MLOps-step-line">
            <StatusBadge status={step.status} trans={trans} />
            <span className="jp-MLOps-row-name">
              {step.displayName || step.name}
            </span>
            <span className="jp-MLOps-row-meta jp-MLOps-muted">
              {step.type && <span>{step.type}</span>}
              <span>
                {runDuration(step.status, step.startedAt, step.endedAt)}
              </span>
              {step.cacheHit && (
                <span className="jp-MLOps-chip">{trans.__('cache hit')}</span>
              )}
              {(step.attemptCount ?? 0) > 1 && (
                <span className="jp-MLOps-chip">
                  {trans.__('attempt %1', step.attemptCount ?? 0)}
                </span>
              )}
            </span>
          </div>
          {step.failureReason && (
            <div className="jp-MLOps-failure">{step.failureReason}</div>
          )}
          {step.conditionOutcome && (
            <div className="jp-MLOps-muted">
              {trans.__('Condition outcome: %1', step.conditionOutcome)}
            </div>
          )}
          {step.job && (
            <div className="jp-MLOps-job">
              <span className="jp-MLOps-muted">{step.job.kind}:</span>{' '}
              <span className="jp-MLOps-mono">
                {step.job.name ?? step.job.arn}
              </span>{' '}
              <button
                type="button"
                className="jp-MLOps-link-button"
                aria-label={trans.__(
                  'Copy ARN of %1',
                  step.job.name ?? step.name
                )}
                onClick={event => {
                  event.stopPropagation();
                  Clipboard.copyToSystem(step.job?.arn ?? '');
                }}
              >
                {trans.__('Copy ARN')}
              </button>
            </div>
          )}
        </div>
      );
    }
    case 'more':
      return (
        <div className="jp-MLOps-row jp-MLOps-depth-1">
          <button
            type="button"
            className="jp-MLOps-link-button"
            disabled={row.loading}
            onClick={() => void model.loadMoreExecutions(row.pipelineName)}
          >
            {row.loading
              ? trans.__('Loading…')
              : trans.__('Load more executions')}
          </button>
        </div>
      );
    case 'message':
      if (row.text === 'error') {
        return (
          <ErrorBanner
            error={toMLOpsError(row.error)}
            trans={trans}
            onRetry={row.retry}
          />
        );
      }
      return (
        <div className="jp-MLOps-row jp-MLOps-depth-2 jp-MLOps-muted">
          {row.text === 'loading'
            ? trans.__('Loading…')
            : row.text === 'empty-steps'
              ? trans.__('No steps yet.')
              : trans.__('No executions.')}
        </div>
      );
  }
}

function Caret(props: { expanded: boolean }): JSX.Element {
  const Icon = props.expanded ? caretDownIcon : caretRightIcon;
  return <Icon.react tag="span" className="jp-MLOps-caret" />;
}

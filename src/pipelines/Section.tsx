import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { executionId, pipelineOfArn } from '../core/arn';
import { pipelineRole } from '../core/pipelines/rules';
import type { IPipeline } from '../core/pipelines/types';
import { EXECUTION_STATUSES, PipelineExecutionStatus } from '../core/status';
import { ErrorBanner } from '../shared/ErrorBanner';
import { MiddleEllipsis } from '../shared/MiddleEllipsis';
import { ResourceTree } from '../shared/ResourceTree';
import { StatusBadge } from '../shared/StatusBadge';
import { formatTime, runDuration, statusLabel } from '../shared/format';
import { ModelSection, SectionFrame } from '../shared/SectionFrame';
import { TRANSLATION_DOMAIN } from '../tokens';
import { PipelinesModel } from './model';
import { Row, buildRows } from './rows';
import '../../style/views.css';

/** Height estimates by row kind (rows are measured once rendered). */
const ROW_HEIGHTS: Record<Row['kind'], number> = {
  pipeline: 42,
  filter: 30,
  execution: 42,
  'execution-info': 60,
  step: 42,
  more: 28,
  message: 28
};

/** The Pipelines section of the sidebar: the project's pipelines, their executions and steps, as one tree. */
export class PipelinesSection extends ModelSection<PipelinesModel> {
  constructor(options: {
    model: PipelinesModel;
    translator: ITranslator;
    /** Open an execution in a main-area tab. */
    openExecution: (executionArn: string, pipelineName: string) => void;
  }) {
    const trans = options.translator.load(TRANSLATION_DOMAIN);
    super({
      model: options.model,
      label: trans.__('Pipelines'),
      className: 'jp-MLOps-pipelines'
    });
    this._trans = trans;
    this._open = options.openExecution;
  }

  protected renderContent(): JSX.Element {
    return (
      <PipelinesView
        model={this.model}
        trans={this._trans}
        openExecution={this._open}
      />
    );
  }

  private _trans: TranslationBundle;
  private _open: (executionArn: string, pipelineName: string) => void;
}

interface IViewProps {
  model: PipelinesModel;
  trans: TranslationBundle;
  openExecution: (executionArn: string, pipelineName: string) => void;
}

function PipelinesView(props: IViewProps): JSX.Element {
  const { model, trans } = props;
  const rows = buildRows(model);
  const onVisibleRows = React.useCallback(
    (visible: readonly Row[]) =>
      model.setVisiblePipelines(
        visible.flatMap(r => (r.kind === 'pipeline' ? [r.pipeline.name] : []))
      ),
    [model]
  );
  return (
    <>
      <SectionFrame
        model={model}
        trans={trans}
        loadingText={trans.__('Loading pipelines…')}
        empty={model.pipelines.length === 0}
        emptyText={trans.__('This project has no pipelines yet.')}
      />
      <ResourceTree<Row>
        rows={rows}
        label={trans.__('Pipelines, executions and steps')}
        estimateSize={row => ROW_HEIGHTS[row.kind]}
        renderRow={row => <RowContent row={row} {...props} />}
        onToggle={row => {
          if (row.kind === 'pipeline') {
            model.toggleExecutions(row.pipeline.name);
          } else if (row.kind === 'execution') {
            void model.toggleDetail(row.execution.arn);
          }
        }}
        onOpen={row => {
          if (row.kind === 'execution') {
            props.openExecution(row.execution.arn, row.execution.pipelineName);
          } else if (row.kind === 'step') {
            props.openExecution(
              row.executionArn,
              pipelineOfArn(row.executionArn)
            );
          }
        }}
        onVisibleRowsChange={onVisibleRows}
        onInteractingChange={interacting => model.setInteracting(interacting)}
      />
    </>
  );
}

function RowContent(props: IViewProps & { row: Row }): JSX.Element {
  const { row, model, trans } = props;
  switch (row.kind) {
    case 'pipeline': {
      const { pipeline } = row;
      const last = pipeline.lastExecution;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <Caret expanded={!!row.expanded} />
            <PipelineName pipeline={pipeline} model={model} trans={trans} />
          </div>
          <div className="jp-MLOps-row-meta">
            {last ? (
              <>
                <StatusBadge status={last.status} trans={trans} />
                <span title={last.startedAt?.toISOString()}>
                  {formatTime(last.startedAt)}
                </span>
                <span>
                  {runDuration(
                    trans,
                    last.status,
                    last.startedAt,
                    last.endedAt
                  )}
                </span>
              </>
            ) : (
              <span>
                {pipeline.lastRunAt
                  ? trans.__('last run %1', formatTime(pipeline.lastRunAt))
                  : model.loading
                    ? trans.__('loading…')
                    : trans.__('never run')}
              </span>
            )}
          </div>
        </>
      );
    }
    case 'filter':
      return (
        <label className="jp-MLOps-filter">
          <span>{trans.__('Status')}</span>
          <select
            aria-label={trans.__(
              'Filter executions of %1 by status',
              row.pipelineName
            )}
            value={row.status ?? ''}
            onChange={event =>
              void model
                .executions(row.pipelineName)
                ?.setFilter(
                  (event.target.value || undefined) as
                    PipelineExecutionStatus | undefined
                )
            }
          >
            <option value="">{trans.__('All')}</option>
            {EXECUTION_STATUSES.map(s => (
              <option key={s} value={s}>
                {statusLabel(s, trans)}
              </option>
            ))}
          </select>
        </label>
      );
    case 'execution': {
      const { execution } = row;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <Caret expanded={!!row.expanded} />
            <span className="jp-MLOps-row-name">
              {execution.displayName || executionId(execution.arn)}
            </span>
          </div>
          <div className="jp-MLOps-row-meta">
            <StatusBadge status={execution.status} trans={trans} />
            <span>{formatTime(execution.startedAt)}</span>
            <span>
              {runDuration(
                trans,
                execution.status,
                execution.startedAt,
                execution.endedAt
              )}
            </span>
          </div>
        </>
      );
    }
    case 'execution-info': {
      const { execution } = row;
      return (
        <div className="jp-MLOps-info">
          {execution.failureReason && (
            <div
              className="jp-MLOps-failure jp-MLOps-clamp"
              title={execution.failureReason}
            >
              {execution.failureReason}
            </div>
          )}
          {execution.startedBy && (
            <div className="jp-MLOps-ellipsis" title={execution.startedBy}>
              {trans.__('Started by %1', execution.startedBy)}
            </div>
          )}
          <div className="jp-MLOps-info-actions">
            <span className="jp-MLOps-muted">
              {trans._n(
                '%1 parameter',
                '%1 parameters',
                execution.parameters.length
              )}
            </span>
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() =>
                props.openExecution(execution.arn, execution.pipelineName)
              }
            >
              {trans.__('Open execution')}
            </button>
          </div>
        </div>
      );
    }
    case 'step': {
      const { step } = row;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <span className="jp-MLOps-row-name">
              {step.displayName || step.name}
            </span>
          </div>
          <div className="jp-MLOps-row-meta">
            <StatusBadge status={step.status} trans={trans} />
            <span>
              {runDuration(trans, step.status, step.startedAt, step.endedAt)}
            </span>
            {step.cacheHit && (
              <span className="jp-MLOps-chip">{trans.__('cache hit')}</span>
            )}
            {(step.attemptCount ?? 0) > 1 && (
              <span className="jp-MLOps-chip">
                {trans.__('attempt %1', step.attemptCount ?? 0)}
              </span>
            )}
          </div>
          {step.failureReason && (
            <div
              className="jp-MLOps-failure jp-MLOps-clamp"
              title={step.failureReason}
            >
              {step.failureReason}
            </div>
          )}
        </>
      );
    }
    case 'more':
      return (
        <button
          type="button"
          className="jp-MLOps-link-button"
          disabled={row.loading}
          onClick={() => void model.executions(row.pipelineName)?.loadMore()}
        >
          {row.loading
            ? trans.__('Loading…')
            : trans.__('Load more executions')}
        </button>
      );
    case 'message':
      if (row.text === 'error' && row.error) {
        return (
          <ErrorBanner error={row.error} trans={trans} onRetry={row.retry} />
        );
      }
      return (
        <span className="jp-MLOps-muted">
          {row.text === 'loading'
            ? trans.__('Loading…')
            : row.text === 'empty-steps'
              ? trans.__('No steps yet.')
              : trans.__('No executions.')}
        </span>
      );
  }
}

/**
 * A pipeline's name as a person tells it from its siblings: its role in the
 * project (build, deploy, a user's) and the name with its distinguishing end
 * always visible; the full name in the tooltip.
 */
function PipelineName(props: {
  pipeline: IPipeline;
  model: PipelinesModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { pipeline, model, trans } = props;
  const project = model.projectShown;
  const role = project ? pipelineRole(pipeline, project) : undefined;
  const label =
    role?.role === 'build'
      ? trans.__('build')
      : role?.role === 'deploy'
        ? trans.__('deploy')
        : role?.role === 'user'
          ? trans.__("%1's", role.user ?? '')
          : undefined;
  const name = pipeline.displayName || pipeline.name;
  return (
    <>
      {label && <span className="jp-MLOps-role">{label}</span>}
      <MiddleEllipsis
        className="jp-MLOps-row-name"
        text={name}
        tail={name === pipeline.name ? (role?.distinctTail ?? 12) : 12}
      />
    </>
  );
}

function Caret(props: { expanded: boolean }): JSX.Element {
  const Icon = props.expanded ? caretDownIcon : caretRightIcon;
  return <Icon.react tag="span" className="jp-MLOps-caret" />;
}

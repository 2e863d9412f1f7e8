import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IExperiment } from '../core/runs/types';
import { ErrorBanner } from '../shared/ErrorBanner';
import { MiddleEllipsis } from '../shared/MiddleEllipsis';
import { ResourceTree } from '../shared/ResourceTree';
import { ModelSection, SectionFrame } from '../shared/SectionFrame';
import { StatusBadge } from '../shared/StatusBadge';
import { formatTime } from '../shared/format';
import { TRANSLATION_DOMAIN } from '../tokens';
import { RunsModel } from './model';
import { Row, buildRows } from './rows';
import { formatMetric } from './rules';
import { SourceBadge, SourceNotice, runDurationText } from './widgets';
// The runs views' styles come with them, not at JupyterLab's start-up.
import '../../style/views.css';
import '../../style/runs.css';

const ROW_HEIGHTS: Record<Row['kind'], number> = {
  experiment: 42,
  run: 58,
  more: 28,
  message: 28
};

/** What the section's buttons do (the plugin's commands). */
export interface IRunsActions {
  /** Open the runs table of some experiments (all the project's when none is given). */
  openTable: (experiment?: IExperiment, runKey?: string) => void;
}

/** The Runs section: the project's experiments of every source, newest first, and their runs. */
export class RunsSection extends ModelSection<RunsModel> {
  constructor(options: {
    model: RunsModel;
    translator: ITranslator;
    actions: IRunsActions;
  }) {
    const trans = options.translator.load(TRANSLATION_DOMAIN);
    super({
      model: options.model,
      label: trans.__('Runs'),
      className: 'jp-MLOps-runs'
    });
    this._trans = trans;
    this._actions = options.actions;
  }

  protected renderContent(): JSX.Element {
    return (
      <RunsView
        model={this.model}
        trans={this._trans}
        actions={this._actions}
      />
    );
  }

  private _trans: TranslationBundle;
  private _actions: IRunsActions;
}

interface IViewProps {
  model: RunsModel;
  trans: TranslationBundle;
  actions: IRunsActions;
}

function RunsView(props: IViewProps): JSX.Element {
  const { model, trans, actions } = props;
  const rows = buildRows(model);
  const sources = model.sources;
  // Each source says its own error; the frame's error would repeat the one of a lone failing source.
  const frame = {
    loading: model.loading,
    loaded: model.loaded,
    warning: model.warning,
    error: sources.some(s => s.error) ? null : model.error,
    refresh: () => model.refresh()
  };
  return (
    <SectionFrame
      model={frame}
      trans={trans}
      loadingText={trans.__('Loading experiments…')}
      empty={model.experiments.length === 0}
      emptyText={
        sources.every(s => s.error)
          ? undefined
          : trans.__('This project has no experiments yet.')
      }
      before={
        <>
          {sources
            .filter(s => s.error)
            .map(s => (
              <SourceNotice
                key={s.source}
                source={s.source}
                error={s.error!}
                trans={trans}
                onRetry={() => void model.refresh()}
              />
            ))}
          {model.experiments.length > 0 && (
            <div className="jp-MLOps-runs-actions">
              <button
                type="button"
                className="jp-MLOps-link-button"
                onClick={() => actions.openTable()}
              >
                {trans.__('Open runs table')}
              </button>
            </div>
          )}
        </>
      }
    >
      <ResourceTree<Row>
        rows={rows}
        label={trans.__('Experiments and runs')}
        estimateSize={row => ROW_HEIGHTS[row.kind]}
        renderRow={row => <RowContent row={row} {...props} />}
        onToggle={row => {
          if (row.kind === 'experiment') {
            model.toggleRuns(row.experiment);
          }
        }}
        onOpen={row => {
          if (row.kind === 'run') {
            const experiment = model.experiment(row.data?.experimentKey ?? '');
            actions.openTable(experiment, row.data?.runKey);
          }
        }}
      />
    </SectionFrame>
  );
}

function RowContent(props: IViewProps & { row: Row }): JSX.Element {
  const { row, model, trans } = props;
  switch (row.kind) {
    case 'experiment': {
      const { experiment } = row;
      return (
        <>
          <div className="jp-MLOps-row-line">
            <Caret expanded={!!row.expanded} />
            <MiddleEllipsis
              className="jp-MLOps-row-name"
              text={experiment.name}
              tail={tailOf(experiment.name, model.projectShown?.name)}
            />
          </div>
          <div className="jp-MLOps-row-meta">
            <SourceBadge source={experiment.source} trans={trans} />
            {experiment.createdAt && (
              <span title={experiment.createdAt.toISOString()}>
                {trans.__('created %1', formatTime(experiment.createdAt))}
              </span>
            )}
          </div>
        </>
      );
    }
    case 'run': {
      const { run } = row;
      const duration = runDurationText(run, trans);
      return (
        <>
          <div className="jp-MLOps-row-line">
            <span className="jp-MLOps-row-name">{run.name}</span>
          </div>
          <div className="jp-MLOps-row-meta">
            <StatusBadge status={run.status} trans={trans} />
            <span title={run.startedAt?.toISOString()}>
              {formatTime(run.startedAt)}
            </span>
            {duration && <span>{duration}</span>}
          </div>
          {row.metrics.some(m => run.metrics[m]) && (
            <div className="jp-MLOps-row-meta jp-MLOps-run-metrics">
              {row.metrics
                .filter(m => run.metrics[m])
                .map(m => (
                  <span key={m} className="jp-MLOps-metric-chip" title={m}>
                    <span className="jp-MLOps-metric-name">{m}</span>{' '}
                    <span className="jp-MLOps-metric-value">
                      {formatMetric(run.metrics[m].last)}
                    </span>
                  </span>
                ))}
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
          onClick={() => void model.runs(row.experimentKey)?.loadMore()}
        >
          {row.loading ? trans.__('Loading…') : trans.__('Load more runs')}
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
          {row.text === 'loading' ? trans.__('Loading…') : trans.__('No runs.')}
        </span>
      );
  }
}

/** What tells an experiment's name apart: what follows the project's name. */
function tailOf(name: string, project?: string): number {
  return project && name.startsWith(project) && name.length > project.length
    ? Math.min(18, Math.max(8, name.length - project.length))
    : 14;
}

function Caret(props: { expanded: boolean }): JSX.Element {
  const Icon = props.expanded ? caretDownIcon : caretRightIcon;
  return <Icon.react tag="span" className="jp-MLOps-caret" />;
}

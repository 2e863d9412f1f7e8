import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import { RunSortKey } from '../../core/runs/compare';
import {
  IExperiment,
  IRun,
  RUN_STATUSES,
  RunStatus
} from '../../core/runs/types';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatTime, statusLabel } from '../../shared/format';
import { IPollView } from '../../shared/poll';
import { watchVisibility } from '../../shared/visibility';
import { Column, columnId, consoleUrl, formatMetric, runKey } from '../rules';
import { SourceBadge, runDurationText, sourceLabel } from '../widgets';
import { RunsTableModel } from './model';
// The runs views' styles come with them, not at JupyterLab's start-up.
import '../../../style/views.css';
import '../../../style/runs.css';

/** What the table's links and buttons do (the plugin's commands). */
export interface ITableActions {
  compare: (runs: IRun[]) => void;
  openExecution: (executionArn: string) => void;
  region: () => string;
}

const ROW_HEIGHT = 30;
const WIDTHS: Record<Column['kind'], number> = {
  name: 220,
  source: 110,
  status: 110,
  experiment: 170,
  started: 130,
  duration: 90,
  metric: 120,
  param: 120,
  links: 240
};
const SELECT_WIDTH = 34;

/** A main-area tab: the runs of some experiments as a sortable, filterable, virtualized table. */
export class RunsTableTab extends ReactWidget {
  constructor(options: {
    model: RunsTableModel;
    trans: TranslationBundle;
    actions: ITableActions;
    /** The one experiment the table shows (none: every experiment of the project). */
    experiment?: IExperiment;
  }) {
    super();
    this.model = options.model;
    this.experiment = options.experiment;
    this._trans = options.trans;
    this._actions = options.actions;
    this.addClass('jp-MLOps-runs-table-tab');
    this._view = this.model.addView();
    this._visibility = watchVisibility(this, visible =>
      this._view.setVisible(visible)
    );
  }

  readonly model: RunsTableModel;
  readonly experiment?: IExperiment;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._visibility.dispose();
    this._view.dispose();
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <RunsTable
            model={this.model}
            trans={this._trans}
            actions={this._actions}
          />
        )}
      </UseSignal>
    );
  }

  private _trans: TranslationBundle;
  private _actions: ITableActions;
  private _view: IPollView;
  private _visibility: IDisposable;
}

interface ITableProps {
  model: RunsTableModel;
  trans: TranslationBundle;
  actions: ITableActions;
}

function RunsTable(props: ITableProps): JSX.Element {
  const { model, trans, actions } = props;
  const rows = model.rows();
  const columns = model.visibleColumns();
  const template = [
    `${SELECT_WIDTH}px`,
    ...columns.map(c => `${WIDTHS[c.kind]}px`)
  ].join(' ');
  const width =
    SELECT_WIDTH + columns.reduce((sum, c) => sum + WIDTHS[c.kind], 0);
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: index => runKey(rows[index]),
    overscan: 10
  });

  // Scroll to the run the table was opened for, once it is read.
  const highlightIndex = model.highlight
    ? rows.findIndex(r => runKey(r) === model.highlight)
    : -1;
  const scrolled = React.useRef(false);
  React.useEffect(() => {
    if (highlightIndex >= 0 && !scrolled.current) {
      scrolled.current = true;
      virtualizer.scrollToIndex(highlightIndex, { align: 'center' });
    }
  }, [highlightIndex]);

  const total = model.runs.length;
  const selected = model.selectedCount;
  return (
    <div className="jp-MLOps-runs-table">
      <div
        className="jp-MLOps-table-toolbar"
        role="toolbar"
        aria-label={trans.__('Runs table')}
      >
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={selected < 2}
          onClick={() => actions.compare(model.selectedRuns())}
          title={
            selected < 2
              ? trans.__('Select two or more runs to compare them')
              : undefined
          }
        >
          {trans.__('Compare (%1)', selected)}
        </button>
        {selected > 0 && (
          <button
            type="button"
            className="jp-MLOps-link-button"
            onClick={() => model.clearSelection()}
          >
            {trans.__('Clear selection')}
          </button>
        )}
        <ColumnChooser {...props} />
        <button
          type="button"
          className="jp-MLOps-link-button"
          onClick={() => void model.refresh().catch(() => undefined)}
        >
          {trans.__('Refresh')}
        </button>
        <span
          className="jp-MLOps-muted jp-MLOps-table-count"
          aria-live="polite"
        >
          {!model.loaded
            ? trans.__('Loading runs…')
            : model.complete
              ? trans.__('%1 of %2 runs', rows.length, total)
              : trans.__('%1 of %2 runs (reading more…)', rows.length, total)}
        </span>
      </div>
      <FilterBar {...props} />
      {model.error && (
        <ErrorBanner
          error={model.error}
          trans={trans}
          onRetry={() => void model.retry().catch(() => undefined)}
        />
      )}
      <div
        className="jp-MLOps-table-scroll"
        ref={scrollRef}
        role="table"
        aria-label={trans.__('Runs')}
        aria-rowcount={rows.length + 1}
      >
        <div className="jp-MLOps-table-inner" style={{ width }}>
          <div
            className="jp-MLOps-table-row jp-MLOps-table-head"
            role="row"
            aria-rowindex={1}
            style={{ gridTemplateColumns: template }}
          >
            <div className="jp-MLOps-table-cell" role="columnheader">
              <input
                type="checkbox"
                aria-label={trans.__('Select all shown runs')}
                checked={
                  rows.length > 0 &&
                  rows.every(r => model.isSelected(runKey(r)))
                }
                onChange={event => model.selectShown(event.target.checked)}
              />
            </div>
            {columns.map(column => (
              <HeaderCell key={columnId(column)} column={column} {...props} />
            ))}
          </div>
          <div
            className="jp-MLOps-table-body"
            style={{ height: virtualizer.getTotalSize() }}
          >
            {virtualizer.getVirtualItems().map(item => {
              const run = rows[item.index];
              const key = runKey(run);
              return (
                <div
                  key={item.key}
                  className={`jp-MLOps-table-row jp-MLOps-run${
                    model.isSelected(key) ? ' jp-mod-selected' : ''
                  }${key === model.highlight ? ' jp-MLOps-highlight' : ''}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={model.isSelected(key)}
                  data-run-key={key}
                  data-run-id={run.id}
                  data-source={run.source}
                  style={{
                    gridTemplateColumns: template,
                    transform: `translateY(${item.start}px)`,
                    height: ROW_HEIGHT
                  }}
                >
                  <div className="jp-MLOps-table-cell" role="cell">
                    <input
                      type="checkbox"
                      aria-label={trans.__('Select run %1', run.name)}
                      checked={model.isSelected(key)}
                      onChange={event =>
                        model.setSelected(key, event.target.checked)
                      }
                    />
                  </div>
                  {columns.map(column => (
                    <Cell
                      key={columnId(column)}
                      column={column}
                      run={run}
                      {...props}
                    />
                  ))}
                </div>
              );
            })}
          </div>
        </div>
        {model.loaded && rows.length === 0 && (
          <p className="jp-MLOps-muted jp-MLOps-pad">
            {total === 0
              ? trans.__('These experiments have no runs yet.')
              : trans.__('No run matches the filter.')}
          </p>
        )}
      </div>
    </div>
  );
}

/** A column's title. */
function columnLabel(column: Column, trans: TranslationBundle): string {
  switch (column.kind) {
    case 'metric':
    case 'param':
      return column.name;
    case 'name':
      return trans.__('Run');
    case 'source':
      return trans.__('Source');
    case 'status':
      return trans.__('Status');
    case 'experiment':
      return trans.__('Experiment');
    case 'started':
      return trans.__('Started');
    case 'duration':
      return trans.__('Duration');
    case 'links':
      return trans.__('Produced by / registered as');
  }
}

function sortKeyOf(column: Column): RunSortKey | undefined {
  switch (column.kind) {
    case 'metric':
      return { by: 'metric', name: column.name };
    case 'param':
      return { by: 'param', name: column.name };
    case 'name':
      return { by: 'name' };
    case 'status':
      return { by: 'status' };
    case 'experiment':
      return { by: 'experiment' };
    case 'started':
      return { by: 'startedAt' };
    case 'duration':
      return { by: 'duration' };
    default:
      return undefined;
  }
}

function HeaderCell(props: ITableProps & { column: Column }): JSX.Element {
  const { column, model, trans } = props;
  const key = sortKeyOf(column);
  const label = columnLabel(column, trans);
  const current = model.sort;
  const sorted =
    key &&
    current.key.by === key.by &&
    (current.key as { name?: string }).name === (key as { name?: string }).name;
  const kind =
    column.kind === 'metric'
      ? trans.__('metric')
      : column.kind === 'param'
        ? trans.__('param')
        : '';
  return (
    <div
      className={`jp-MLOps-table-cell jp-MLOps-col-${column.kind}`}
      role="columnheader"
      aria-sort={sorted ? current.direction : undefined}
      data-column={columnId(column)}
      title={kind ? `${label} (${kind})` : label}
    >
      {key ? (
        <button
          type="button"
          className="jp-MLOps-sort-button"
          onClick={() => model.sortBy(key)}
        >
          {kind && <span className="jp-MLOps-col-kind">{kind}</span>}
          <span className="jp-MLOps-ellipsis">{label}</span>
          <span aria-hidden="true" className="jp-MLOps-sort-mark">
            {sorted ? (current.direction === 'ascending' ? '▲' : '▼') : ''}
          </span>
        </button>
      ) : (
        <span className="jp-MLOps-ellipsis">{label}</span>
      )}
    </div>
  );
}

function Cell(props: ITableProps & { column: Column; run: IRun }): JSX.Element {
  const { column, run, trans, actions } = props;
  let content: React.ReactNode;
  let title: string | undefined;
  switch (column.kind) {
    case 'name':
      content = run.name;
      title = run.statusMessage
        ? `${run.name}\n${run.statusMessage}`
        : run.name;
      break;
    case 'source':
      content = <SourceBadge source={run.source} trans={trans} />;
      break;
    case 'status':
      content = <StatusBadge status={run.status} trans={trans} />;
      title = run.statusMessage;
      break;
    case 'experiment':
      content = run.experimentName;
      title = run.experimentName;
      break;
    case 'started':
      content = formatTime(run.startedAt);
      title = run.startedAt?.toISOString();
      break;
    case 'duration':
      content = runDurationText(run, trans);
      break;
    case 'metric': {
      const m = run.metrics[column.name];
      content = formatMetric(m?.last);
      title = m ? String(m.last) : undefined;
      break;
    }
    case 'param':
      content = run.params[column.name];
      title = run.params[column.name];
      break;
    case 'links':
      content = <Links run={run} trans={trans} actions={actions} />;
      break;
  }
  return (
    <div
      className={`jp-MLOps-table-cell jp-MLOps-col-${column.kind}`}
      role="cell"
      title={title}
      data-column={columnId(column)}
    >
      {typeof content === 'string' ? (
        <span className="jp-MLOps-ellipsis jp-MLOps-literal">{content}</span>
      ) : (
        content
      )}
    </div>
  );
}

/** Where a run came from and what came of it, where its source says. */
function Links(props: {
  run: IRun;
  trans: TranslationBundle;
  actions: ITableActions;
}): JSX.Element {
  const { run, trans, actions } = props;
  const { links } = run;
  const region = actions.region();
  const job = links.trainingJobArn ?? links.processingJobArn;
  const jobUrl = job ? consoleUrl(region, job) : undefined;
  const versionUrl = links.modelPackageArn
    ? consoleUrl(region, links.modelPackageArn)
    : undefined;
  return (
    <span className="jp-MLOps-run-links">
      {links.pipelineExecutionArn && (
        <button
          type="button"
          className="jp-MLOps-link-button"
          title={links.pipelineExecutionArn}
          onClick={() => actions.openExecution(links.pipelineExecutionArn!)}
        >
          {trans.__('execution')}
        </button>
      )}
      {jobUrl && (
        <a
          className="jp-MLOps-link"
          href={jobUrl}
          target="_blank"
          rel="noopener noreferrer"
          title={job}
        >
          {links.trainingJobArn
            ? trans.__('training job')
            : trans.__('processing job')}
        </a>
      )}
      {versionUrl && (
        <a
          className="jp-MLOps-link"
          href={versionUrl}
          target="_blank"
          rel="noopener noreferrer"
          title={links.modelPackageArn}
        >
          {trans.__('model version')}
        </a>
      )}
      {links.source && (
        <span className="jp-MLOps-muted jp-MLOps-ellipsis" title={links.source}>
          {links.source}
        </span>
      )}
    </span>
  );
}

/** Which columns show: the fixed ones, each metric and each param. */
function ColumnChooser(props: ITableProps): JSX.Element {
  const { model, trans } = props;
  const [open, setOpen] = React.useState(false);
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    if (!open) {
      return;
    }
    const close = (event: MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const columns = model.columns().filter(c => c.kind !== 'name');
  const groups: [string, Column[]][] = [
    [
      trans.__('Run'),
      columns.filter(c => c.kind !== 'metric' && c.kind !== 'param')
    ],
    [trans.__('Metrics'), columns.filter(c => c.kind === 'metric')],
    [trans.__('Parameters'), columns.filter(c => c.kind === 'param')]
  ];
  return (
    <div className="jp-MLOps-column-chooser" ref={ref}>
      <button
        type="button"
        className="jp-MLOps-link-button"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
        onKeyDown={event => {
          if (event.key === 'Escape') {
            setOpen(false);
          }
        }}
      >
        {trans.__('Columns…')}
      </button>
      {open && (
        <div
          className="jp-MLOps-column-menu"
          role="group"
          aria-label={trans.__('Columns shown')}
          onKeyDown={event => {
            if (event.key === 'Escape') {
              setOpen(false);
            }
          }}
        >
          {groups
            .filter(([, list]) => list.length)
            .map(([title, list]) => (
              <fieldset key={title}>
                <legend>{title}</legend>
                {list.map(column => (
                  <label key={columnId(column)} className="jp-MLOps-check">
                    <input
                      type="checkbox"
                      checked={!model.isHidden(column)}
                      onChange={event =>
                        model.setHidden(column, !event.target.checked)
                      }
                    />
                    <span className="jp-MLOps-literal">
                      {columnLabel(column, trans)}
                    </span>
                  </label>
                ))}
              </fieldset>
            ))}
        </div>
      )}
    </div>
  );
}

/** Text, status, source and parameter filters. */
function FilterBar(props: ITableProps): JSX.Element {
  const { model, trans } = props;
  const filter = model.filter;
  const [param, setParam] = React.useState('');
  const names = model.paramNames();
  const chosen = names.includes(param) ? param : '';
  const sources = [...new Set(model.experiments.map(e => e.source))];
  return (
    <div className="jp-MLOps-table-filters" role="search">
      <input
        type="search"
        className="jp-MLOps-input"
        placeholder={trans.__('Filter by name, id or experiment')}
        aria-label={trans.__('Filter runs by name, id or experiment')}
        value={filter.text ?? ''}
        onChange={event =>
          model.setFilter({ ...filter, text: event.target.value })
        }
      />
      <label className="jp-MLOps-filter">
        <span>{trans.__('Status')}</span>
        <select
          aria-label={trans.__('Filter runs by status')}
          value={filter.statuses?.[0] ?? ''}
          onChange={event =>
            model.setFilter({
              ...filter,
              statuses: event.target.value
                ? [event.target.value as RunStatus]
                : undefined
            })
          }
        >
          <option value="">{trans.__('All')}</option>
          {RUN_STATUSES.map(s => (
            <option key={s} value={s}>
              {statusLabel(s, trans)}
            </option>
          ))}
        </select>
      </label>
      {sources.length > 1 && (
        <label className="jp-MLOps-filter">
          <span>{trans.__('Source')}</span>
          <select
            aria-label={trans.__('Filter runs by source')}
            value={filter.sources?.[0] ?? ''}
            onChange={event =>
              model.setFilter({
                ...filter,
                sources: event.target.value
                  ? [event.target.value as IRun['source']]
                  : undefined
              })
            }
          >
            <option value="">{trans.__('All')}</option>
            {sources.map(s => (
              <option key={s} value={s}>
                {sourceLabel(s, trans)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="jp-MLOps-filter">
        <span>{trans.__('Parameter')}</span>
        <select
          aria-label={trans.__('Parameter to filter by')}
          value={chosen}
          onChange={event => setParam(event.target.value)}
        >
          <option value="">{trans.__('Choose…')}</option>
          {names.map(name => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <label className="jp-MLOps-filter">
          <span>{trans.__('=')}</span>
          <select
            aria-label={trans.__('Value of %1', chosen)}
            value={filter.params?.[chosen] ?? ''}
            onChange={event =>
              model.setParamFilter(chosen, event.target.value || undefined)
            }
          >
            <option value="">{trans.__('Any')}</option>
            {model.paramValues(chosen).map(value => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      )}
      {Object.entries(filter.params ?? {}).map(([name, value]) => (
        <span key={name} className="jp-MLOps-chip jp-MLOps-filter-chip">
          <span className="jp-MLOps-literal">{`${name} = ${value}`}</span>
          <button
            type="button"
            className="jp-MLOps-chip-remove"
            aria-label={trans.__('Remove the filter on %1', name)}
            onClick={() => model.setParamFilter(name, undefined)}
          >
            ×
          </button>
        </span>
      ))}
    </div>
  );
}

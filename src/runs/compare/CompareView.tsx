import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../../core/runs/types';
import { formatMetric } from '../rules';
import { SourceBadge } from '../widgets';
import type { IChartProps } from './Chart';
import { CompareModel, historySeries, scatterSeries } from './model';
import { seriesColour, seriesDash } from './palette';
// The runs views' styles come with them, not at JupyterLab's start-up.
import '../../../style/views.css';
import '../../../style/runs.css';

/** The chart library and the charts: their own chunk, loaded when a chart is first shown. */
const LazyChart = React.lazy(
  () => import(/* webpackChunkName: "sagemaker-mlops-chart" */ './Chart')
);

/** A main-area tab comparing runs: params, metrics, and charts. */
export class CompareTab extends ReactWidget {
  constructor(options: { model: CompareModel; trans: TranslationBundle }) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this.addClass('jp-MLOps-compare-tab');
  }

  readonly model: CompareModel;

  dispose(): void {
    if (!this.isDisposed) {
      this.model.dispose();
      super.dispose();
    }
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <CompareView model={this.model} trans={this._trans} />}
      </UseSignal>
    );
  }

  private _trans: TranslationBundle;
}

interface IProps {
  model: CompareModel;
  trans: TranslationBundle;
}

function CompareView(props: IProps): JSX.Element {
  const { model, trans } = props;
  return (
    <div className="jp-MLOps-compare">
      <h2 className="jp-MLOps-compare-title">
        {trans.__('Comparing %1 runs', model.runs.length)}
      </h2>
      <RunLegend runs={model.runs} trans={trans} />
      <ParamsTable {...props} />
      <MetricsTable {...props} />
      <HistoryChart {...props} />
      <ScatterChart {...props} />
    </div>
  );
}

/** The compared runs with their colour and dash (as the charts draw them). */
function RunLegend(props: {
  runs: readonly IRun[];
  trans: TranslationBundle;
}): JSX.Element {
  const { runs, trans } = props;
  return (
    <ol className="jp-MLOps-legend" aria-label={trans.__('Compared runs')}>
      {runs.map((run, i) => (
        <li key={`${run.source}:${run.id}`} data-run-id={run.id}>
          <Swatch index={i} />
          <span className="jp-MLOps-ellipsis" title={run.name}>
            {run.name}
          </span>
          <SourceBadge source={run.source} trans={trans} />
          <span
            className="jp-MLOps-muted jp-MLOps-ellipsis"
            title={run.experimentName}
          >
            {run.experimentName}
          </span>
        </li>
      ))}
    </ol>
  );
}

function Swatch(props: { index: number }): JSX.Element {
  const dashed = !!seriesDash(props.index);
  return (
    <span
      aria-hidden="true"
      className={`jp-MLOps-swatch${dashed ? ' jp-MLOps-swatch-dashed' : ''}`}
      style={{ borderColor: seriesColour(props.index) }}
    />
  );
}

/** Column headers naming each run (with its swatch). */
function RunHeaders(props: { runs: readonly IRun[] }): JSX.Element {
  return (
    <>
      {props.runs.map((run, i) => (
        <th
          key={`${run.source}:${run.id}`}
          scope="col"
          title={run.name}
          className="jp-MLOps-run-head"
        >
          <div className="jp-MLOps-run-head-inner">
            <Swatch index={i} />
            <span className="jp-MLOps-ellipsis">{run.name}</span>
          </div>
        </th>
      ))}
    </>
  );
}

function ParamsTable(props: IProps): JSX.Element {
  const { model, trans } = props;
  const [onlyDifferences, setOnly] = React.useState(false);
  const rows = model.params(onlyDifferences);
  const differing = model.params(true).length;
  return (
    <section
      className="jp-MLOps-compare-section"
      aria-labelledby="mlops-params"
    >
      <div className="jp-MLOps-compare-head">
        <h3 id="mlops-params">{trans.__('Parameters')}</h3>
        <span className="jp-MLOps-muted">
          {trans._n('%1 differs', '%1 differ', differing)}
        </span>
        <label className="jp-MLOps-check">
          <input
            type="checkbox"
            checked={onlyDifferences}
            onChange={event => setOnly(event.target.checked)}
          />
          {trans.__('Show only differences')}
        </label>
      </div>
      <div className="jp-MLOps-compare-scroll">
        <table className="jp-MLOps-compare-table jp-MLOps-params-table">
          <thead>
            <tr>
              <th scope="col">{trans.__('Parameter')}</th>
              <RunHeaders runs={model.runs} />
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr
                key={row.name}
                className={row.differs ? 'jp-MLOps-differs' : undefined}
                data-param={row.name}
                data-differs={String(row.differs)}
              >
                <th scope="row" className="jp-MLOps-row-head">
                  {row.differs && (
                    <span
                      className="jp-MLOps-differs-mark"
                      title={trans.__('differs')}
                    >
                      <span aria-hidden="true">≠ </span>
                      <span className="jp-MLOps-sr-only">
                        {trans.__('differs:')}{' '}
                      </span>
                    </span>
                  )}
                  {row.name}
                </th>
                {row.values.map((value, i) => (
                  <td key={i} className="jp-MLOps-literal">
                    {value ?? <span className="jp-MLOps-muted">—</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p className="jp-MLOps-muted">
            {onlyDifferences
              ? trans.__('Every parameter is the same in these runs.')
              : trans.__('These runs have no parameters.')}
          </p>
        )}
      </div>
    </section>
  );
}

function MetricsTable(props: IProps): JSX.Element {
  const { model, trans } = props;
  const rows = model.metrics(false);
  return (
    <section
      className="jp-MLOps-compare-section"
      aria-labelledby="mlops-metrics"
    >
      <div className="jp-MLOps-compare-head">
        <h3 id="mlops-metrics">{trans.__('Metrics')}</h3>
        <span className="jp-MLOps-muted">{trans.__('last (min – max)')}</span>
      </div>
      <div className="jp-MLOps-compare-scroll">
        <table className="jp-MLOps-compare-table jp-MLOps-metrics-table">
          <thead>
            <tr>
              <th scope="col">{trans.__('Metric')}</th>
              <RunHeaders runs={model.runs} />
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr key={row.name} data-metric={row.name}>
                <th scope="row" className="jp-MLOps-row-head">
                  {row.name}
                </th>
                {row.values.map((value, i) => (
                  <td key={i}>
                    {value ? (
                      <>
                        <span
                          className="jp-MLOps-metric-last"
                          title={String(value.last)}
                        >
                          {formatMetric(value.last)}
                        </span>
                        {value.min !== undefined && value.max !== undefined ? (
                          <span className="jp-MLOps-muted jp-MLOps-metric-range">
                            {trans.__(
                              '(%1 – %2)',
                              formatMetric(value.min),
                              formatMetric(value.max)
                            )}
                          </span>
                        ) : (
                          <span className="jp-MLOps-muted jp-MLOps-metric-range">
                            {trans.__('(range: reading…)')}
                          </span>
                        )}
                      </>
                    ) : (
                      <span className="jp-MLOps-muted">—</span>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A chart from the lazy chunk, with a fallback while it loads. */
function ChartSlot(
  props: IChartProps & { trans: TranslationBundle }
): JSX.Element {
  const { trans, ...chart } = props;
  return (
    <React.Suspense
      fallback={
        <p className="jp-MLOps-muted">{trans.__('Loading the chart…')}</p>
      }
    >
      <LazyChart {...chart} />
    </React.Suspense>
  );
}

function HistoryChart(props: IProps): JSX.Element {
  const { model, trans } = props;
  const candidates = model.metricNames;
  const [metric, setMetric] = React.useState(
    () => preferredMetric(model.runs, candidates) ?? ''
  );
  const [logY, setLog] = React.useState(false);
  React.useEffect(() => {
    if (metric) {
      void model.loadAll(metric);
    }
  }, [metric]);
  const series = React.useMemo(
    () => historySeries(model, metric),
    // Histories arrive over time: recompute when the model changes.
    [metric, model.runs, readyCount(model, metric)]
  );
  const chartSeries = React.useMemo(
    () =>
      series.map(s => ({ label: s.run.name, index: s.index, x: s.x, y: s.y })),
    [series]
  );
  if (!candidates.length) {
    return <></>;
  }
  const withMetric = model.runs.filter(r => r.metrics[metric]);
  const states = withMetric.map(r => model.history(r, metric));
  const loading = states.some(s => !s || s.loading);
  const summaryOnly = withMetric.filter(
    (r, i) => states[i]?.history?.limitation === 'summaryOnly'
  );
  const failed = withMetric.filter((r, i) => states[i]?.error);
  return (
    <section
      className="jp-MLOps-compare-section"
      aria-labelledby="mlops-history"
    >
      <div className="jp-MLOps-compare-head">
        <h3 id="mlops-history">{trans.__('Metric history')}</h3>
        <label className="jp-MLOps-filter">
          <span>{trans.__('Metric')}</span>
          <select
            aria-label={trans.__('Metric of the history chart')}
            value={metric}
            onChange={event => setMetric(event.target.value)}
          >
            {candidates.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-MLOps-check">
          <input
            type="checkbox"
            checked={logY}
            onChange={event => setLog(event.target.checked)}
          />
          {trans.__('Log scale')}
        </label>
      </div>
      {loading && (
        <p className="jp-MLOps-muted">
          {trans.__('Reading metric histories…')}
        </p>
      )}
      {chartSeries.length > 0 ? (
        <ChartSlot
          kind="line"
          series={chartSeries}
          xLabel={trans.__('step')}
          yLabel={metric}
          logY={logY}
          label={trans.__('%1 over steps, %2 runs', metric, chartSeries.length)}
          trans={trans}
        />
      ) : (
        !loading &&
        summaryOnly.length === 0 && (
          <p className="jp-MLOps-muted">
            {trans.__('No run has a history of %1.', metric)}
          </p>
        )
      )}
      {summaryOnly.length > 0 && (
        <p className="jp-MLOps-muted">
          {trans._n(
            '%1 run from SageMaker Experiments has no step history (SageMaker Experiments keep a summary per metric: last, min, max).',
            '%1 runs from SageMaker Experiments have no step history (SageMaker Experiments keep a summary per metric: last, min, max).',
            summaryOnly.length
          )}
        </p>
      )}
      {failed.length > 0 && (
        <p className="jp-MLOps-muted" role="alert">
          {trans.__(
            'The history of %1 could not be read for: %2',
            metric,
            failed.map(r => r.name).join(', ')
          )}
        </p>
      )}
    </section>
  );
}

function ScatterChart(props: IProps): JSX.Element {
  const { model, trans } = props;
  const [metric, setMetric] = React.useState(
    () => preferredMetric(model.runs, model.metricNames) ?? ''
  );
  const [param, setParam] = React.useState(
    () => model.params(true)[0]?.name ?? model.paramNames[0] ?? ''
  );
  const data = React.useMemo(
    () => scatterSeries(model.runs, metric, param),
    [model.runs, metric, param]
  );
  const chartSeries = React.useMemo(
    () =>
      data.series.map(s => ({
        label: s.run.name,
        index: s.index,
        x: s.x,
        y: s.y
      })),
    [data]
  );
  if (!model.metricNames.length || !model.paramNames.length) {
    return <></>;
  }
  return (
    <section
      className="jp-MLOps-compare-section"
      aria-labelledby="mlops-scatter"
    >
      <div className="jp-MLOps-compare-head">
        <h3 id="mlops-scatter">{trans.__('Metric against parameter')}</h3>
        <label className="jp-MLOps-filter">
          <span>{trans.__('Metric')}</span>
          <select
            aria-label={trans.__('Metric of the scatter chart')}
            value={metric}
            onChange={event => setMetric(event.target.value)}
          >
            {model.metricNames.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-MLOps-filter">
          <span>{trans.__('Parameter')}</span>
          <select
            aria-label={trans.__('Parameter of the scatter chart')}
            value={param}
            onChange={event => setParam(event.target.value)}
          >
            {model.paramNames.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {chartSeries.length > 0 ? (
        <ChartSlot
          kind="scatter"
          series={chartSeries}
          xLabel={param}
          yLabel={trans.__('%1 (last)', metric)}
          xCategories={data.categories}
          label={trans.__(
            '%1 against %2, %3 runs',
            metric,
            param,
            chartSeries.length
          )}
          trans={trans}
        />
      ) : (
        <p className="jp-MLOps-muted">
          {trans.__('No run has both %1 and %2.', metric, param)}
        </p>
      )}
    </section>
  );
}

/** How many histories of a metric have arrived (a memo key). */
function readyCount(model: CompareModel, metric: string): number {
  return model.runs.filter(r => {
    const s = model.history(r, metric);
    return s && !s.loading;
  }).length;
}

/**
 * The metric the charts open on: one with a history over steps (its last value at a step past 0), then the
 * one most runs have, a validation or test metric before others, then by name.
 */
function preferredMetric(
  runs: readonly IRun[],
  names: readonly string[]
): string | undefined {
  const count = (name: string) => runs.filter(r => r.metrics[name]).length;
  const stepped = (name: string) =>
    runs.some(r => (r.metrics[name]?.step ?? 0) > 0);
  const ranked = [...names].sort(
    (a, b) =>
      Number(stepped(b)) - Number(stepped(a)) ||
      count(b) - count(a) ||
      Number(!/val|test/i.test(a)) - Number(!/val|test/i.test(b)) ||
      a.localeCompare(b)
  );
  return ranked[0];
}

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { compareMetrics } from '../core/registry/metrics';
import type { IMetric, IMetricComparison } from '../core/registry/types';

/** A number as reports give them: up to four significant decimals, no trailing zeros. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined) {
    return '—';
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  return abs >= 1000 || abs < 0.001
    ? value.toPrecision(4)
    : String(Number(value.toFixed(4)));
}

/** A version's metrics, as a list of name and value (± standard deviation). */
export function MetricList(props: {
  metrics: IMetric[];
  trans: TranslationBundle;
}): JSX.Element {
  const { metrics, trans } = props;
  if (!metrics.length) {
    return (
      <span className="jp-MLOps-muted">
        {trans.__('The evaluation report has no metrics.')}
      </span>
    );
  }
  return (
    <dl className="jp-MLOps-metrics">
      {metrics.map(m => (
        <React.Fragment key={`${m.section}/${m.name}`}>
          <dt title={m.section}>{m.name}</dt>
          <dd>
            {formatMetric(m.value)}
            {m.standardDeviation !== undefined && (
              <span className="jp-MLOps-muted">
                {' '}
                ± {formatMetric(m.standardDeviation)}
              </span>
            )}
          </dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function Verdict(props: {
  row: IMetricComparison;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { row, trans } = props;
  switch (row.verdict) {
    case 'better':
      return (
        <span className="jp-MLOps-verdict jp-MLOps-verdict-better">
          {trans.__('▲ better')}
        </span>
      );
    case 'worse':
      return (
        <span className="jp-MLOps-verdict jp-MLOps-verdict-worse">
          {trans.__('▼ worse')}
        </span>
      );
    case 'same':
      return <span className="jp-MLOps-verdict">{trans.__('= same')}</span>;
    default:
      return null;
  }
}

/**
 * Two versions' metrics side by side: the approved one (base) and the
 * candidate, the difference, and better/worse in words and colour. A toggle
 * keeps only the metrics that differ.
 */
export function MetricsComparison(props: {
  base?: IMetric[];
  candidate: IMetric[];
  baseLabel: string;
  candidateLabel: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const [differencesOnly, setDifferencesOnly] = React.useState(false);
  const rows = compareMetrics(props.base ?? [], props.candidate, {
    differencesOnly
  });
  return (
    <div className="jp-MLOps-compare">
      <label className="jp-MLOps-check">
        <input
          type="checkbox"
          checked={differencesOnly}
          onChange={event => setDifferencesOnly(event.target.checked)}
        />
        {trans.__('Show only differences')}
      </label>
      {rows.length === 0 ? (
        <p className="jp-MLOps-muted">
          {differencesOnly
            ? trans.__('No metric differs.')
            : trans.__('Neither version has metrics.')}
        </p>
      ) : (
        <table className="jp-MLOps-compare-table">
          <caption className="jp-MLOps-sr-only">
            {trans.__('Metrics compared')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{trans.__('Metric')}</th>
              <th scope="col">{props.baseLabel}</th>
              <th scope="col">{props.candidateLabel}</th>
              <th scope="col">{trans.__('Change')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr key={`${row.section}/${row.name}`} data-metric={row.name}>
                <th scope="row" title={row.section}>
                  {row.name}
                </th>
                <td>{formatMetric(row.base)}</td>
                <td>{formatMetric(row.candidate)}</td>
                <td>
                  {row.difference !== undefined && row.difference !== 0 && (
                    <span>
                      {row.difference > 0 ? '+' : ''}
                      {formatMetric(row.difference)}{' '}
                    </span>
                  )}
                  <Verdict row={row} trans={trans} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

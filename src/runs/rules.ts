/**
 * The runs views' rules that need neither a request nor a widget: keys, key metrics, the sources a setting
 * enables, links, and what a table column is. Unit-tested.
 */
import { parseArn } from '../core/arn';
import type { IRun } from '../core/runs/types';

export { RUN_SOURCES, enabledSources, experimentKey, runKey } from './keys';

/** How much a metric name says about a model: validation and test metrics first, then the rest. */
function metricRank(name: string): number {
  const n = name.toLowerCase();
  if (/(^|[^a-z])(val|validation|eval)([^a-z]|$)/.test(n)) {
    return 0;
  }
  if (/(^|[^a-z])test([^a-z]|$)/.test(n)) {
    return 1;
  }
  if (/(^|[^a-z])train([^a-z]|$)/.test(n)) {
    return 3;
  }
  return 2;
}

/**
 * The metrics a compact run line shows: the configured ones the runs have (in the configured order), else
 * up to `count` of the runs' metrics, validation and test metrics first, the most common first, then by name.
 */
export function keyMetrics(
  runs: readonly Pick<IRun, 'metrics'>[],
  configured: readonly string[] = [],
  count = 3
): string[] {
  const seen = new Map<string, number>();
  for (const run of runs) {
    for (const name of Object.keys(run.metrics)) {
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
  }
  const wanted = configured.filter(name => seen.has(name));
  if (wanted.length) {
    return wanted.slice(0, count);
  }
  return [...seen.entries()]
    .sort(
      ([a, na], [b, nb]) =>
        metricRank(a) - metricRank(b) ||
        nb - na ||
        a.localeCompare(b, undefined, { numeric: true })
    )
    .slice(0, count)
    .map(([name]) => name);
}

/** A metric value for a table or a line: up to 4 significant decimals, exponents for the very small or large. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(abs >= 1 ? 6 : 4)));
}

/** The AWS console page of a SageMaker resource a run links to (training job, model package). */
export function consoleUrl(region: string, arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'sagemaker') {
    return undefined;
  }
  const [type, ...rest] = parsed.resource.split('/');
  const host = `https://${region}.console.aws.amazon.com/sagemaker/home?region=${encodeURIComponent(region)}#`;
  switch (type) {
    case 'training-job':
      return `${host}/jobs/${encodeURIComponent(rest.join('/'))}`;
    case 'processing-job':
      return `${host}/processing-jobs/${encodeURIComponent(rest.join('/'))}`;
    case 'model-package':
      return `${host}/model-packages/${rest.map(encodeURIComponent).join('/')}`;
    default:
      return undefined;
  }
}

/** A column of the runs table. */
export type Column =
  | {
      kind:
        | 'name'
        | 'source'
        | 'status'
        | 'experiment'
        | 'started'
        | 'duration'
        | 'links';
    }
  | { kind: 'metric'; name: string }
  | { kind: 'param'; name: string };

export function columnId(column: Column): string {
  return column.kind === 'metric' || column.kind === 'param'
    ? `${column.kind}:${column.name}`
    : column.kind;
}

/** The fixed columns, then one per metric and one per param of the runs (each in natural order). */
export function columnsOf(keys: {
  metrics: readonly string[];
  params: readonly string[];
}): Column[] {
  return [
    { kind: 'name' },
    { kind: 'source' },
    { kind: 'status' },
    { kind: 'experiment' },
    { kind: 'started' },
    { kind: 'duration' },
    ...keys.metrics.map(name => ({ kind: 'metric' as const, name })),
    ...keys.params.map(name => ({ kind: 'param' as const, name })),
    { kind: 'links' }
  ];
}

/**
 * Evaluation reports as SageMaker pipelines write them (the `ModelQuality`
 * statistics of a version): parsing into a flat list of metrics, each metric's
 * direction, and the comparison of two versions. Pure functions, except
 * `readVersionMetrics`, which reads the report through an injected reader.
 */
import { MLOpsError } from '../errors';
import type {
  IMetric,
  IMetricComparison,
  IModelVersionDetail,
  IReportReader,
  MetricDirection
} from './types';

/** The sections of a SageMaker evaluation report, in the order they are listed. */
export const REPORT_SECTIONS = [
  'binary_classification_metrics',
  'multiclass_classification_metrics',
  'regression_metrics'
] as const;

const HIGHER = new Set([
  'accuracy',
  'balanced_accuracy',
  'auc',
  'roc_auc',
  'pr_auc',
  'average_precision',
  'f1',
  'f0_5',
  'f2',
  'precision',
  'recall',
  'true_positive_rate',
  'true_negative_rate',
  'specificity',
  'sensitivity',
  'r2',
  'adjusted_r2',
  'explained_variance',
  'map',
  'ndcg'
]);
const LOWER = new Set([
  'mse',
  'rmse',
  'mae',
  'mape',
  'msle',
  'rmsle',
  'log_loss',
  'logloss',
  'cross_entropy',
  'loss',
  'error',
  'error_rate',
  'false_positive_rate',
  'false_negative_rate',
  'hamming_loss'
]);

/** A metric name reduced to compare it with the known ones: lower case, `_` for separators, no averaging prefix. */
function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_')
    .replace(/^(weighted|macro|micro|mean|avg|average)_/, '')
    .replace(/^(validation|test|train|eval)[:_]/, '');
}

/** Whether a higher or a lower value of the metric is better; undefined when the metric is unknown. */
export function metricDirection(name: string): MetricDirection {
  const n = normaliseName(name);
  if (HIGHER.has(n)) {
    return 'higher';
  }
  if (LOWER.has(n)) {
    return 'lower';
  }
  return undefined;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The metrics of an evaluation report (JSON): every `{name: {value, standard_deviation}}` of its known
 * sections, in report order. Entries without a numeric value (confusion matrices, curves) are left out.
 * Not JSON, or not an object: an `InvalidReport` validation error.
 */
export function parseReport(text: string): IMetric[] {
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    report = undefined;
  }
  if (!report || typeof report !== 'object' || Array.isArray(report)) {
    throw new MLOpsError({
      code: 'InvalidReport',
      message: 'The evaluation report is not a JSON object.',
      kind: 'validation',
      params: {}
    });
  }
  const metrics: IMetric[] = [];
  for (const section of REPORT_SECTIONS) {
    const entries = (report as Record<string, unknown>)[section];
    if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
      continue;
    }
    for (const [name, entry] of Object.entries(entries)) {
      const e = entry as { value?: unknown; standard_deviation?: unknown };
      const value = isNumber(entry) ? entry : e?.value;
      if (!isNumber(value)) {
        continue;
      }
      metrics.push({
        section,
        name,
        value,
        standardDeviation: isNumber(e?.standard_deviation)
          ? e.standard_deviation
          : undefined
      });
    }
  }
  return metrics;
}

/** Values this close are the same (floating point noise of reports). */
const EPSILON = 1e-9;

/**
 * Two versions' metrics side by side, `candidate` judged against `base`: both values, the difference, and
 * better/worse/same by the metric's direction (none for an unknown direction). Metrics are matched by name,
 * in the order of `base` then those only `candidate` has. `differencesOnly` keeps the ones that differ.
 */
export function compareMetrics(
  base: IMetric[],
  candidate: IMetric[],
  options: { differencesOnly?: boolean } = {}
): IMetricComparison[] {
  const names: string[] = [];
  const left = new Map<string, IMetric>();
  const right = new Map<string, IMetric>();
  for (const m of base) {
    if (!left.has(m.name)) {
      left.set(m.name, m);
      names.push(m.name);
    }
  }
  for (const m of candidate) {
    if (!right.has(m.name)) {
      right.set(m.name, m);
      if (!left.has(m.name)) {
        names.push(m.name);
      }
    }
  }
  const rows = names.map(name => {
    const a = left.get(name);
    const b = right.get(name);
    const direction = metricDirection(name);
    const row: IMetricComparison = {
      name,
      section: (a ?? b)?.section ?? '',
      base: a?.value,
      candidate: b?.value,
      direction,
      differs: true
    };
    if (a && b) {
      const difference = b.value - a.value;
      const same = Math.abs(difference) <= EPSILON;
      row.difference = same ? 0 : difference;
      row.differs = !same;
      if (same) {
        row.verdict = direction ? 'same' : undefined;
      } else if (direction) {
        row.verdict =
          (direction === 'higher') === difference > 0 ? 'better' : 'worse';
      }
    }
    return row;
  });
  return options.differencesOnly ? rows.filter(r => r.differs) : rows;
}

/** The report a version's metrics are read from: its model quality statistics, else its first JSON report. */
export function evaluationReportOf(
  version: Pick<IModelVersionDetail, 'metricsReports'>
): string | undefined {
  const reports = version.metricsReports;
  return (
    reports.find(r => r.kind === 'ModelQuality.Statistics') ??
    reports.find(r => !r.contentType || /json/i.test(r.contentType))
  )?.s3Uri;
}

/** A version's metrics, read through the host's reader; none when it points at no report. */
export async function readVersionMetrics(
  version: Pick<IModelVersionDetail, 'arn' | 'metricsReports'>,
  reader: IReportReader
): Promise<IMetric[]> {
  const uri = evaluationReportOf(version);
  return uri ? parseReport(await reader.read(uri, version.arn)) : [];
}

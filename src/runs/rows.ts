import { MLOpsError } from '../core/errors';
import type { IExperiment, IRun } from '../core/runs/types';
import { ITreeRow } from '../shared/ResourceTree';
import type { RunList } from './model';
import { experimentKey, runKey } from './rules';

/** One line of the runs tree. */
export type Row = ITreeRow &
  (
    | { kind: 'experiment'; experiment: IExperiment }
    | { kind: 'run'; run: IRun; metrics: string[] }
    | { kind: 'more'; experimentKey: string; loading: boolean }
    | {
        kind: 'message';
        text: 'loading' | 'empty-runs' | 'error';
        error?: MLOpsError;
        retry?: () => void;
      }
  );

/** What `buildRows` reads of the model. */
export interface IRunsTreeSource {
  readonly experiments: readonly IExperiment[];
  runs(key: string): RunList | undefined;
  keyMetrics(key: string): string[];
}

/** The experiments (newest first, per source) and the runs of the expanded ones, in display order. */
export function buildRows(model: IRunsTreeSource): Row[] {
  const rows: Row[] = [];
  for (const experiment of model.experiments) {
    const key = experimentKey(experiment);
    const list = model.runs(key);
    rows.push({
      kind: 'experiment',
      key: `x:${key}`,
      level: 1,
      experiment,
      expanded: !!list,
      className: 'jp-MLOps-experiment-row',
      title: experiment.name,
      data: {
        experimentKey: key,
        experimentId: experiment.id,
        experimentName: experiment.name,
        source: experiment.source
      }
    });
    if (!list) {
      continue;
    }
    const metrics = model.keyMetrics(key);
    for (const run of list.items) {
      rows.push({
        kind: 'run',
        key: `r:${runKey(run)}`,
        level: 2,
        run,
        metrics,
        className: 'jp-MLOps-run-row',
        title: run.statusMessage
          ? `${run.name}\n${run.statusMessage}`
          : run.name,
        data: {
          runKey: runKey(run),
          runId: run.id,
          experimentKey: key,
          source: run.source,
          status: run.status
        }
      });
    }
    if (list.error) {
      rows.push({
        kind: 'message',
        key: `xe:${key}`,
        level: 2,
        role: 'none',
        text: 'error',
        error: list.error,
        retry: () => void list.reload()
      });
    } else if (list.nextToken) {
      rows.push({
        kind: 'more',
        key: `m:${key}`,
        level: 2,
        role: 'none',
        experimentKey: key,
        loading: list.loading
      });
    } else if (list.items.length === 0) {
      rows.push({
        kind: 'message',
        key: `x0:${key}`,
        level: 2,
        role: 'none',
        text: list.loaded ? 'empty-runs' : 'loading'
      });
    }
  }
  return rows;
}

/**
 * The few rules the runs plugin needs at start-up (its commands and settings): keys and sources. Kept apart
 * from the views' rules so that start-up loads only these.
 */
import type { IExperiment, IRun, IRunSource } from '../core/runs/types';

export const RUN_SOURCES: readonly IRunSource[] = [
  'sagemaker-experiments',
  'mlflow'
];

/** A run, unique across sources. */
export function runKey(run: Pick<IRun, 'source' | 'id'>): string {
  return `${run.source}:${run.id}`;
}

/** An experiment, unique across sources. */
export function experimentKey(
  experiment: Pick<IExperiment, 'source' | 'id'>
): string {
  return `${experiment.source}:${experiment.id}`;
}

/** The sources a setting names, in the fixed order, unknown names dropped; all of them when none is valid. */
export function enabledSources(setting: unknown): IRunSource[] {
  const named = Array.isArray(setting) ? setting : [];
  const found = RUN_SOURCES.filter(s => named.includes(s));
  return found.length ? found : [...RUN_SOURCES];
}

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MLOpsError } from '../core/errors';
import type { IRun, IRunSource } from '../core/runs/types';
import { describeError } from '../shared/errors';
import { formatDuration } from '../shared/format';

/** The name of a source as users know it. */
export function sourceLabel(
  source: IRunSource,
  trans: TranslationBundle
): string {
  return source === 'mlflow'
    ? trans.__('MLflow')
    : trans.__('SageMaker Experiments');
}

/** Where a run or an experiment was recorded: the only place the views tell sources apart. */
export function SourceBadge(props: {
  source: IRunSource;
  trans: TranslationBundle;
}): JSX.Element {
  const { source, trans } = props;
  return (
    <span
      className={`jp-MLOps-source jp-MLOps-source-${source}`}
      data-source={source}
      title={sourceLabel(source, trans)}
    >
      {source === 'mlflow' ? trans.__('MLflow') : trans.__('SageMaker')}
    </span>
  );
}

/** A source that could not be read: which one, why, and what to do (MLflow not configured is a note). */
export function SourceNotice(props: {
  source: IRunSource;
  error: MLOpsError;
  trans: TranslationBundle;
  onRetry?: () => void;
}): JSX.Element {
  const { source, error, trans, onRetry } = props;
  const notConfigured = error.code === 'NoEndpoint';
  const level =
    notConfigured || error.kind === 'throttling' ? 'warning' : 'error';
  return (
    <div
      className={`jp-MLOps-banner jp-MLOps-banner-${level}`}
      role={notConfigured ? 'note' : 'alert'}
      data-source={source}
    >
      <span className="jp-MLOps-banner-text">
        <strong>{sourceLabel(source, trans)}</strong>
        {': '}
        {describeError(error, trans)}
      </span>
      {onRetry && !notConfigured && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject jp-MLOps-banner-retry"
          onClick={onRetry}
        >
          {trans.__('Retry')}
        </button>
      )}
    </div>
  );
}

/** How long a run took (to now while it runs). */
export function runDurationText(
  run: Pick<IRun, 'status' | 'startedAt' | 'endedAt'>,
  trans: TranslationBundle,
  now = Date.now()
): string {
  if (!run.startedAt) {
    return '';
  }
  const end =
    run.status === 'Running'
      ? now
      : run.endedAt
        ? run.endedAt.getTime()
        : undefined;
  return end === undefined
    ? ''
    : formatDuration(end - run.startedAt.getTime(), trans);
}

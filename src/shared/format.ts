import { TranslationBundle } from '@jupyterlab/translation';

import { isActive } from '../core/status';

/** "3m 12s", "1h 04m", "2d 3h": a duration for a status line, in the user's language. */
export function formatDuration(ms: number, trans: TranslationBundle): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '';
  }
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return trans.__('%1s', s);
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return trans.__('%1m %2s', m, String(s % 60).padStart(2, '0'));
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return trans.__('%1h %2m', h, String(m % 60).padStart(2, '0'));
  }
  return trans.__('%1d %2h', Math.floor(h / 24), h % 24);
}

/**
 * Duration of an execution or step: to now while it runs, to its end once
 * known, else nothing.
 */
export function runDuration(
  trans: TranslationBundle,
  status: string,
  start?: Date,
  end?: Date,
  now: number = Date.now()
): string {
  if (!start || (!isActive(status) && !end)) {
    return '';
  }
  return formatDuration(
    (isActive(status) || !end ? now : end.getTime()) - start.getTime(),
    trans
  );
}

/** A short local date-time. */
export function formatTime(date?: Date): string {
  if (!date) {
    return '';
  }
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/** Translated labels of the AWS status enumerations (the values themselves stay AWS's). */
export function statusLabel(status: string, trans: TranslationBundle): string {
  const labels: Record<string, string> = {
    Executing: trans.__('Executing'),
    Starting: trans.__('Starting'),
    Stopping: trans.__('Stopping'),
    Stopped: trans.__('Stopped'),
    Failed: trans.__('Failed'),
    Succeeded: trans.__('Succeeded'),
    Approved: trans.__('Approved'),
    Rejected: trans.__('Rejected'),
    PendingManualApproval: trans.__('Pending approval'),
    NotStarted: trans.__('Not started'),
    InProgress: trans.__('In progress'),
    Superseded: trans.__('Superseded'),
    Cancelled: trans.__('Cancelled'),
    Abandoned: trans.__('Abandoned'),
    Waiting: trans.__('waiting for the stage to be free'),
    Running: trans.__('Running'),
    Completed: trans.__('Completed'),
    Unknown: trans.__('Unknown')
  };
  return labels[status] ?? status;
}

import { TranslationBundle } from '@jupyterlab/translation';

/** "3m 12s", "1h 04m", "2d 3h": a duration for a status line. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '';
  }
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  }
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Duration from start to end, or to now while running. */
export function elapsed(
  start?: Date,
  end?: Date,
  now: number = Date.now()
): string {
  if (!start) {
    return '';
  }
  return formatDuration((end ? end.getTime() : now) - start.getTime());
}

/** Duration of an execution or step: to now while it runs, to its end once known, else nothing. */
export function runDuration(status: string, start?: Date, end?: Date): string {
  const running =
    status === 'Executing' || status === 'Starting' || status === 'Stopping';
  if (running) {
    return elapsed(start);
  }
  return end ? elapsed(start, end) : '';
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
    PendingManualApproval: trans.__('Pending approval')
  };
  return labels[status] ?? status;
}

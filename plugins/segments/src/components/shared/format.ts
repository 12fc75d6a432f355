import { DateTime, Duration } from 'luxon';
import type { SegmentSchedule } from '@internal/plugin-segments-common';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumFractionDigits: 1,
});
const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  maximumFractionDigits: 1,
});

/** `12,345`, or an em dash when unknown. */
export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integer.format(value);
}

/** `12.3M`, or an em dash when unknown. */
export function formatCompact(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : compact.format(value);
}

/** `12.5%` from a share in 0..1, or an em dash when unknown. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : percent.format(value);
}

/** `Mar 4, 2026, 2:05 PM` in the browser's zone. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const dt = DateTime.fromISO(iso);
  return dt.isValid ? dt.toLocaleString(DateTime.DATETIME_MED) : '—';
}

/** `3 minutes ago`. */
export function formatRelative(iso: string | undefined): string {
  if (!iso) return '—';
  const dt = DateTime.fromISO(iso);
  if (!dt.isValid) return '—';
  // Recent times (and clock skew between browser and server, which would
  // print "in 2 seconds") read "just now".
  if (DateTime.now().diff(dt).as('seconds') < 45) return 'just now';
  return dt.toRelative() ?? '—';
}

/** `850 ms`, `12.3 s`, `4 min 5 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0 || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const d = Duration.fromMillis(ms).shiftTo('minutes', 'seconds');
  return `${Math.floor(d.minutes)} min ${Math.round(d.seconds)} s`;
}

/** Milliseconds between two ISO timestamps (`end` defaults to now). */
export function durationBetween(
  startIso: string | undefined,
  endIso?: string,
): number | undefined {
  if (!startIso) return undefined;
  const start = DateTime.fromISO(startIso);
  const end = endIso ? DateTime.fromISO(endIso) : DateTime.now();
  if (!start.isValid || !end.isValid) return undefined;
  return Math.max(0, end.toMillis() - start.toMillis());
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `Daily at 02:00 (Asia/Taipei)`, or `Manual` without a schedule. */
export function formatSchedule(schedule: SegmentSchedule | undefined): string {
  if (!schedule) return 'Manual';
  const at = `at ${schedule.time} (${schedule.timezone})`;
  switch (schedule.frequency) {
    case 'weekly':
      return `Weekly on ${WEEKDAYS[(schedule.dayOfWeek ?? 1) - 1]} ${at}`;
    case 'monthly':
      return `Monthly on day ${schedule.dayOfMonth ?? 1} ${at}`;
    default:
      return `Daily ${at}`;
  }
}

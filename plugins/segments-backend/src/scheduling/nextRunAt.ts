import { SegmentSchedule } from '@internal/plugin-segments-common';
import { DateTime } from 'luxon';

/**
 * The first time strictly after `after` at which a schedule fires, as epoch ms.
 *
 * Wall-clock semantics in the schedule's zone (luxon):
 * - a time that does not exist on a spring-forward day (02:30 in New York)
 *   fires at the same instant shifted forward by the gap (03:30);
 * - a time that occurs twice on a fall-back day fires once, at its first occurrence;
 * - `dayOfMonth` past the end of a month (31 in February or April) fires on
 *   that month's last day, so a monthly schedule never skips a month;
 * - `dayOfWeek` is ISO: 1 Monday … 7 Sunday.
 */
export function nextRunAt(schedule: SegmentSchedule, after: number): number {
  const [hour, minute] = schedule.time.split(':').map(Number);
  const start = DateTime.fromMillis(after, { zone: schedule.timezone });
  // Walk calendar days in the zone; at most ~62 days for monthly schedules.
  for (let i = 0; i <= 62; i++) {
    const day = start.startOf('day').plus({ days: i });
    if (!matchesDay(schedule, day)) continue;
    const fire = day.set({ hour, minute, second: 0, millisecond: 0 });
    const at = firstOccurrence(fire).toMillis();
    if (at > after) return at;
  }
  throw new Error(`No run found for schedule ${JSON.stringify(schedule)}`);
}

function matchesDay(schedule: SegmentSchedule, day: DateTime): boolean {
  if (schedule.frequency === 'weekly') return day.weekday === schedule.dayOfWeek;
  if (schedule.frequency === 'monthly') {
    const wanted = Math.min(schedule.dayOfMonth ?? 1, day.daysInMonth!);
    return day.day === wanted;
  }
  return true;
}

/** For an ambiguous local time, the earlier of the two instants. */
function firstOccurrence(fire: DateTime): DateTime {
  const earlier = fire.minus({ hours: 1 });
  // If an hour earlier shows the same wall-clock time, that instant came first.
  return earlier.hour === fire.hour && earlier.minute === fire.minute ? earlier : fire;
}

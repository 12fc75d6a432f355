import { SegmentSchedule } from '@internal/plugin-segments-common';
import { nextRunAt } from './nextRunAt';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The next `n` runs after `from`, as UTC ISO strings. */
function runs(schedule: SegmentSchedule, from: string, n: number): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = nextRunAt(schedule, t);
    out.push(iso(t));
  }
  return out;
}

describe('nextRunAt', () => {
  it('runs daily at 02:00 Asia/Taipei (UTC+8, no DST)', () => {
    const s: SegmentSchedule = { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' };
    expect(runs(s, '2026-03-01T00:00:00Z', 3)).toEqual([
      '2026-03-01T18:00:00.000Z',
      '2026-03-02T18:00:00.000Z',
      '2026-03-03T18:00:00.000Z',
    ]);
    // Exactly at a run time, the next one is the day after.
    expect(iso(nextRunAt(s, at('2026-03-01T18:00:00Z')))).toBe('2026-03-02T18:00:00.000Z');
  });

  it('runs weekly on the given ISO weekday', () => {
    const s: SegmentSchedule = { frequency: 'weekly', time: '09:30', timezone: 'Europe/Berlin', dayOfWeek: 1 };
    // 2026-11-25 is a Wednesday; next Mondays are 30 Nov and 7 Dec (CET, UTC+1).
    expect(runs(s, '2026-11-25T12:00:00Z', 2)).toEqual(['2026-11-30T08:30:00.000Z', '2026-12-07T08:30:00.000Z']);
  });

  it('runs monthly, on the last day when the month is shorter', () => {
    const s: SegmentSchedule = { frequency: 'monthly', time: '00:15', timezone: 'UTC', dayOfMonth: 31 };
    expect(runs(s, '2027-01-01T00:00:00Z', 4)).toEqual([
      '2027-01-31T00:15:00.000Z',
      '2027-02-28T00:15:00.000Z',
      '2027-03-31T00:15:00.000Z',
      '2027-04-30T00:15:00.000Z',
    ]);
    expect(runs({ ...s, dayOfMonth: 29 }, '2028-02-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:15:00.000Z']);
  });

  it('keeps the wall-clock time in America/New_York across both DST switches', () => {
    const s: SegmentSchedule = { frequency: 'daily', time: '09:00', timezone: 'America/New_York' };
    // DST starts 8 March 2026 (EST UTC-5 → EDT UTC-4) and ends 1 November 2026.
    expect(runs(s, '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
    expect(runs(s, '2026-10-31T00:00:00Z', 2)).toEqual(['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z']);
  });

  it('shifts a time that does not exist on the spring-forward day by the gap', () => {
    const s: SegmentSchedule = { frequency: 'daily', time: '02:30', timezone: 'America/New_York' };
    expect(runs(s, '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:30:00.000Z', // 03:30 EDT: 02:30 does not exist that day
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('fires once, at the first occurrence, for a time that happens twice on the fall-back day', () => {
    const s: SegmentSchedule = { frequency: 'daily', time: '01:30', timezone: 'America/New_York' };
    expect(runs(s, '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two
      '2026-11-02T06:30:00.000Z', // 01:30 EST the next day; the repeated 01:30 EST on 1 Nov is not a second run
    ]);
  });
});

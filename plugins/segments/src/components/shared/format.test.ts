import { DateTime } from 'luxon';
import {
  durationBetween,
  formatDuration,
  formatPercent,
  formatRelative,
  formatSchedule,
} from './format';

describe('format', () => {
  it('says "just now" for the last seconds and for times slightly ahead', () => {
    expect(formatRelative(DateTime.now().minus({ seconds: 3 }).toISO()!)).toBe(
      'just now',
    );
    expect(formatRelative(DateTime.now().plus({ seconds: 2 }).toISO()!)).toBe(
      'just now',
    );
    expect(formatRelative(DateTime.now().minus({ minutes: 5 }).toISO()!)).toBe(
      '5 minutes ago',
    );
    expect(formatRelative(undefined)).toBe('—');
  });

  it('formats durations by size', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
    expect(formatDuration(undefined)).toBe('—');
    expect(
      durationBetween('2026-01-01T00:00:00Z', '2026-01-01T00:00:01.5Z'),
    ).toBe(1500);
  });

  it('formats schedules and shares', () => {
    expect(formatSchedule(undefined)).toBe('Manual');
    expect(
      formatSchedule({
        frequency: 'weekly',
        dayOfWeek: 3,
        time: '08:30',
        timezone: 'Asia/Taipei',
      }),
    ).toBe('Weekly on Wed at 08:30 (Asia/Taipei)');
    expect(
      formatSchedule({
        frequency: 'monthly',
        dayOfMonth: 31,
        time: '00:00',
        timezone: 'UTC',
      }),
    ).toBe('Monthly on day 31 at 00:00 (UTC)');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(null)).toBe('—');
  });
});

import { z } from 'zod';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch ms of a valid calendar day at midnight UTC, else undefined (2024-02-30 is not rolled over). */
function utcDay(y: number, mo: number, d: number): number | undefined {
  const day = new Date(Date.UTC(y, mo - 1, d));
  day.setUTCFullYear(y); // years 0-99 are not 1900-1999
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d
    ? day.getTime()
    : undefined;
}

/**
 * Parses an ISO 8601 / RFC 3339 timestamp with a required offset (`Z` or
 * `+08:00`) to epoch milliseconds: the one parser of every timestamp the
 * plugin takes. Hours 00-23, minutes and seconds 00-59, offsets up to
 * ±23:59, real calendar days; fractions beyond milliseconds are cut off.
 * Undefined when invalid (`+99:99`, `+24:00`, `T24:00`, `2024-02-30`).
 * @public
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP_PATTERN.exec(value);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const day = utcDay(n(1), n(2), n(3));
  if (day === undefined || n(4) > 23 || n(5) > 59 || n(6) > 59)
    return undefined;
  if (m[8] && (n(9) > 23 || n(10) > 59)) return undefined;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = m[8]
    ? (m[8] === '-' ? -1 : 1) * (n(9) * 60 + n(10)) * 60_000
    : 0;
  const at = day + ((n(4) * 60 + n(5)) * 60 + n(6)) * 1000 + ms - offset;
  return Math.abs(at) <= 8.64e15 ? at : undefined;
}

const TIMESTAMP_MESSAGE =
  'must be an ISO timestamp with an offset, e.g. 2024-05-01T08:00:00Z or 2024-05-01T16:00:00+08:00';

/** A timestamp string that {@link parseTimestamp} accepts (kept as given). @public */
export const timestampSchema = z
  .string({
    required_error: 'is required',
    invalid_type_error: TIMESTAMP_MESSAGE,
  })
  .refine(v => parseTimestamp(v) !== undefined, TIMESTAMP_MESSAGE);

/** A timestamp string parsed to epoch milliseconds. @public */
export const timestampMsSchema = timestampSchema.transform(
  v => parseTimestamp(v)!,
);

/**
 * Parses a condition's date value to epoch milliseconds. `YYYY-MM-DD` means
 * midnight UTC; full timestamps need an offset (`Z` or `+08:00`) so the meaning
 * does not depend on the server's zone. Returns undefined when invalid.
 * @public
 */
export function parseDateValue(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_PATTERN.exec(value);
  if (!m) return parseTimestamp(value);
  return utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Epoch ms to the integer YYYYMMDD of its UTC calendar day (used for ages). @public */
export function toYmd(ms: number): number {
  const d = new Date(ms);
  return (
    d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()
  );
}

/** Milliseconds in a day. @public */
export const DAY_MS = 86_400_000;

const DATE_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses a condition's date value to epoch milliseconds. `YYYY-MM-DD` means
 * midnight UTC; full timestamps need an offset (`Z` or `+08:00`) so the meaning
 * does not depend on the server's zone. Returns undefined when invalid.
 * @public
 */
export function parseDateValue(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2024-02-30 over to March; reject instead.
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  const ms = m[4] ? Date.parse(value) : day.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** Epoch ms to the integer YYYYMMDD of its UTC calendar day (used for ages). @public */
export function toYmd(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Milliseconds in a day. @public */
export const DAY_MS = 86_400_000;

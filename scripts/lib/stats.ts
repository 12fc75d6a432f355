/** Order statistics of timings. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p95: number;
}

/** Median, min, max and p95 (nearest rank) of a non-empty list. */
export function summarize(values: number[]): Summary {
  if (!values.length) return { n: 0, median: NaN, min: NaN, max: NaN, p95: NaN };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
  return { n: s.length, median, min: s[0], max: s[s.length - 1], p95 };
}

/** Wall time of an async call in milliseconds (high resolution). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

import { setImmediate as nextTurn } from 'timers/promises';
import { Knex } from 'knex';

/** How the engine cuts its heavy statements on a synchronous driver (better-sqlite3). */
export interface SlicingOptions {
  /** Off: every heavy statement runs whole, blocking the event loop meanwhile (as before slicing; for benchmarks). */
  enabled: boolean;
  /** Wall time one slice should take; slices grow or shrink towards it. */
  targetMs: number;
}

let options: SlicingOptions = { enabled: true, targetMs: 25 };

/** Changes how the engine slices (process-wide); returns the previous settings. */
export function configureSlicing(
  change: Partial<SlicingOptions>,
): SlicingOptions {
  const previous = options;
  options = { ...options, ...change };
  return previous;
}

/** The current slicing settings. */
export function slicingOptions(): SlicingOptions {
  return options;
}

/** A half-open range of customer ids: `lo < customer_id <= hi`; an undefined end is open. */
export interface KeyRange {
  lo?: string;
  hi?: string;
}

/** `AND lo < column AND column <= hi` for a range, with its bindings. */
export function rangeFilter(
  column: string,
  range: KeyRange,
): { sql: string; bindings: string[] } {
  let sql = '';
  const bindings: string[] = [];
  if (range.lo !== undefined) {
    sql += ` AND ${column} > ?`;
    bindings.push(range.lo);
  }
  if (range.hi !== undefined) {
    sql += ` AND ${column} <= ?`;
    bindings.push(range.hi);
  }
  return { sql, bindings };
}

/**
 * Runs `work` over consecutive ranges of customer ids, each range holding
 * about `size` ids of `keys` (a query selecting one column `k` of customer ids,
 * indexed so that `ORDER BY k` is cheap), yielding to the event loop between
 * ranges. The size adapts so that one range takes about the target time: on
 * better-sqlite3 every statement blocks the event loop and holds the only
 * connection, so short slices keep requests flowing. With slicing off (or
 * `sliced` false) `work` runs once over all ids.
 */
export async function forEachKeyRange(
  db: Knex,
  keys: { sql: string; bindings: Knex.RawBinding[] },
  work: (range: KeyRange) => Promise<void>,
  sliced = true,
): Promise<void> {
  if (!sliced || !options.enabled) {
    await work({});
    return;
  }
  let size = 1000;
  let lo: string | undefined;
  for (;;) {
    const started = performance.now();
    const lower = lo === undefined ? '' : ' AND k > ?';
    const rows = await db.raw(
      `SELECT k FROM (${keys.sql}) keys WHERE 1 = 1${lower} ORDER BY k LIMIT 1 OFFSET ?`,
      [...keys.bindings, ...(lo === undefined ? [] : [lo]), size - 1],
    );
    const hi: string | undefined = (Array.isArray(rows) ? rows : rows.rows)[0]
      ?.k;
    await work({ lo, hi });
    if (hi === undefined) return;
    lo = hi;
    const ms = performance.now() - started;

    size = nextSize(size, ms, 200, 50_000);
    await yieldToRequests(db);
  }
}

/**
 * Runs `work` over consecutive chunks of `items`, sized like the slices of
 * {@link forEachKeyRange} (adapting to the target time), yielding between
 * chunks; one call with everything when slicing is off or `sliced` is false.
 */
export async function forEachChunk<T>(
  db: Knex,
  items: T[],
  work: (chunk: T[]) => Promise<void>,
  sliced = true,
): Promise<void> {
  if (!sliced || !options.enabled) {
    await work(items);
    return;
  }
  let size = 250;
  for (let start = 0; start < items.length; ) {
    const started = performance.now();
    await work(items.slice(start, start + size));
    start += size;
    size = nextSize(size, performance.now() - started, 50, 5000);
    await yieldToRequests(db);
  }
}

/**
 * Lets requests use the connection between two slices. One turn of the event
 * loop is not enough: a request makes several queries one after the other,
 * and each would queue behind the next slice. So wait until the pool has no
 * query waiting and none running, or for one slice's time at most, so that a
 * run still advances under constant load (requests get at least half).
 */
export async function yieldToRequests(db: Knex): Promise<void> {
  // Asynchronous drivers (PostgreSQL) have a pool of connections and never block the event loop.
  if (db.client.config.client !== 'better-sqlite3') return;
  const pool = (db.client as any).pool;
  const until = performance.now() + options.targetMs;
  do {
    await nextTurn();
    if (pool.numPendingAcquires() === 0 && pool.numUsed() === 0) return;
  } while (performance.now() < until);
}

/** Deletes a run's rows of a staging table keyed by customer id, a slice at a time. */
export async function deleteSliced(
  db: Knex,
  table: 'segment_run_features' | 'segment_run_members',
  where: Record<string, string>,
  sliced = true,
): Promise<void> {
  const columns = Object.keys(where);
  const test = columns.map(c => `${c} = ?`).join(' AND ');
  const values = columns.map(c => where[c]);
  await forEachKeyRange(
    db,
    {
      sql: `SELECT customer_id AS k FROM ${table} WHERE ${test}`,
      bindings: values,
    },
    async range => {
      const r = rangeFilter('customer_id', range);
      await db.raw(`DELETE FROM ${table} WHERE ${test}${r.sql}`, [
        ...values,
        ...r.bindings,
      ]);
    },
    sliced,
  );
}

function nextSize(size: number, ms: number, min: number, max: number): number {
  const factor = Math.min(
    4,
    Math.max(0.25, options.targetMs / Math.max(1, ms)),
  );
  return Math.max(min, Math.min(max, Math.round(size * factor)));
}

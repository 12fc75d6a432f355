import { Knex } from 'knex';

/** One statement seen on a Knex client, with its wall time. */
export interface RecordedQuery {
  sql: string;
  bindings: unknown[];
  ms: number;
  error?: string;
}

/**
 * Records every statement issued through a Knex client (its transactions
 * included) with its duration, to show what dominates a preview or a run.
 */
export function recordQueries(knex: Knex) {
  const started = new Map<string, { t: bigint; sql: string; bindings: unknown[] }>();
  const done: RecordedQuery[] = [];
  const onQuery = (d: any) => {
    started.set(d.__knexQueryUid, { t: process.hrtime.bigint(), sql: d.sql, bindings: d.bindings ?? [] });
  };
  const finish = (d: any, error?: unknown) => {
    const s = started.get(d?.__knexQueryUid);
    if (!s) return;
    started.delete(d.__knexQueryUid);
    done.push({
      sql: s.sql,
      bindings: s.bindings,
      ms: Number(process.hrtime.bigint() - s.t) / 1e6,
      ...(error ? { error: String((error as Error).message ?? error) } : {}),
    });
  };
  const onResponse = (_response: unknown, d: any) => finish(d);
  const onError = (error: unknown, d: any) => finish(d, error);
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  knex.on('query-error', onError);
  return {
    stop(): RecordedQuery[] {
      knex.removeListener('query', onQuery);
      knex.removeListener('query-response', onResponse);
      knex.removeListener('query-error', onError);
      return done;
    },
  };
}

/** A statement shortened to one line for reports. */
export function shortSql(sql: string, max = 110): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/**
 * Groups recorded statements by their shape (text with numbers removed) and
 * returns the heaviest groups: what dominates the time.
 */
export function heaviest(queries: RecordedQuery[], top = 6) {
  const groups = new Map<string, { sql: string; ms: number; count: number; maxMs: number; maxQuery: RecordedQuery }>();
  for (const q of queries) {
    const key = q.sql.replace(/\s+/g, ' ').replace(/\d+/g, 'N');
    const g = groups.get(key) ?? { sql: q.sql, ms: 0, count: 0, maxMs: 0, maxQuery: q };
    g.ms += q.ms;
    g.count++;
    if (q.ms >= g.maxMs) {
      g.maxMs = q.ms;
      g.maxQuery = q;
    }
    groups.set(key, g);
  }
  const total = queries.reduce((s, q) => s + q.ms, 0);
  return {
    totalMs: total,
    statements: queries.length,
    groups: [...groups.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

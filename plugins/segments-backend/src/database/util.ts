import { Knex } from 'knex';
import { Dialect } from '../engine/types';

/** The engine's SQL dialect for a Knex client. */
export function dialectOf(db: Knex): Dialect {
  const client = String(db.client.config.client);
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'pg' : 'sqlite';
}

/** Numbers come back as strings from pg for bigint and count(); normalize. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Rows an INSERT, UPDATE or DELETE changed, from a `knex.raw` answer of either driver. */
export function affectedRows(answer: any): number {
  return num(answer?.rowCount ?? answer?.changes ?? 0);
}

/** Like {@link num} but keeps null/undefined as undefined. */
export function optNum(v: unknown): number | undefined {
  return v === null || v === undefined ? undefined : num(v);
}

/** Epoch ms to ISO, keeping absence. */
export function optIso(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : new Date(num(v)).toISOString();
}

/** jsonb comes back parsed from pg and as text from SQLite. */
export function parseJson<T>(v: unknown): T | undefined {
  if (v === null || v === undefined) return undefined;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Splits a list into chunks (bounded statement size on SQLite). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

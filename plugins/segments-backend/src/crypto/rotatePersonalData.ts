import { Knex } from 'knex';
import { affectedRows, dialectOf } from '../database/util';
import { keyIdsInUse } from './verifyStoredKeys';
import { PersonalDataCodec, PersonalDataColumns } from './PersonalDataCodec';

/** Rows per UPDATE statement: 13 bindings each stays under SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500;

const PD_COLUMNS = ['name', 'email', 'phone', 'birth_date'] as const;

/** Progress and outcome of {@link rotatePersonalData}. */
export interface RotationProgress {
  /** Rows re-encrypted so far. */
  rewritten: number;
  /** Rows skipped because they changed meanwhile (already under the active key). */
  skipped: number;
  elapsedMs: number;
}

/** Outcome of {@link rotatePersonalData}. */
export interface RotationResult extends RotationProgress {
  activeKeyId: string;
  /** Key ids still used by stored rows after the run (only the active one when done). */
  keyIdsInUse: string[];
  /** Keys of the ring no stored row uses any more: they can be removed from config. */
  removableKeyIds: string[];
}

/**
 * Re-encrypts the personal data of every customer that is not under the
 * active (first) key of the ring, batch-wise: decrypts with the old key,
 * encrypts with the active key, recomputes the email hash and `birth_ymd`.
 * Each batch is one transaction; a row that changed since it was read (an
 * ingestion wrote it under the active key) is left alone. Safe to interrupt
 * and rerun, and to run while the backend serves requests.
 *
 * With `all`, rewrites every row, also those under the active key: use it
 * after changing `segments.personalData.agePrecision`.
 *
 * Rotation: 1. put the new key FIRST in `segments.encryption.keys` and keep
 * the old one after it, restart every backend instance; 2. run this (npm run
 * rotate-keys); 3. remove the old key, restart.
 */
export async function rotatePersonalData(options: {
  database: Knex;
  codec: PersonalDataCodec;
  /** Customers per batch (default 500). */
  batchSize?: number;
  all?: boolean;
  onProgress?: (progress: RotationProgress) => void;
}): Promise<RotationResult> {
  const { database: db, codec } = options;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const active = codec.cipher.activeKeyId;
  const started = Date.now();
  const progress = { rewritten: 0, skipped: 0 };
  let after = '';
  for (;;) {
    const q = db('customers').where('id', '>', after).whereNotNull('pd_key_id');
    if (!options.all) q.whereNot('pd_key_id', active);
    const rows = await q
      .orderBy('id')
      .limit(batchSize)
      .select('id', 'name', 'email', 'phone', 'birth_date', 'pd_key_id');
    if (!rows.length) break;
    await db.transaction(async tx => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const part = rows.slice(i, i + ROWS_PER_STATEMENT);
        const updates = part.map(row => ({ row, columns: codec.encodeCustomer(row.id, codec.decodeCustomer(row)) }));
        const updated = await updateUnchanged(tx, updates);
        progress.rewritten += updated;
        progress.skipped += part.length - updated;
      }
    });
    after = rows[rows.length - 1].id;
    options.onProgress?.({ ...progress, elapsedMs: Date.now() - started });
  }
  const inUse = await keyIdsInUse(db);
  return {
    ...progress,
    elapsedMs: Date.now() - started,
    activeKeyId: active,
    keyIdsInUse: inUse,
    removableKeyIds: codec.cipher.keyIds.filter(id => id !== active && !inUse.includes(id)),
  };
}

/**
 * One `UPDATE ... FROM (rows)` for a batch: sets the new columns of each row
 * whose key id and encrypted values are still those read (random IVs: any
 * rewrite meanwhile changes them, and that row is left alone). Returns how
 * many rows it updated. PostgreSQL: the rows as `unnest` of typed arrays (13
 * bindings); SQLite: a `VALUES` list. Exported for tests.
 * @internal
 */
export async function updateUnchanged(
  tx: Knex.Transaction,
  updates: Array<{ row: Record<string, any>; columns: PersonalDataColumns }>,
): Promise<number> {
  if (!updates.length) return 0;
  const pg = dialectOf(tx) === 'pg';
  const fields: Array<[string, (u: (typeof updates)[number]) => unknown]> = [
    ['id', u => u.row.id],
    ['old_key', u => u.row.pd_key_id],
    ...PD_COLUMNS.map(c => [`old_${c}`, (u: (typeof updates)[number]) => u.row[c]] as [string, (u: any) => unknown]),
    ...PD_COLUMNS.map(c => [`new_${c}`, (u: (typeof updates)[number]) => u.columns[c]] as [string, (u: any) => unknown]),
    ['new_birth_ymd', u => u.columns.birth_ymd],
    ['new_email_hmac', u => u.columns.email_hmac],
    ['new_key', u => u.columns.pd_key_id],
  ];
  let source: string;
  let bindings: unknown[];
  let col: (name: string) => string;
  if (pg) {
    source =
      `unnest(${fields.map(([n]) => (n === 'new_birth_ymd' ? '?::int4[]' : '?::text[]')).join(', ')}) ` +
      `AS v(${fields.map(([n]) => n).join(', ')})`;
    bindings = fields.map(([, get]) => pgArrayLiteral(updates.map(get)));
    col = name => `v.${name}`;
  } else {
    source = `(VALUES ${updates.map(() => `(${fields.map(() => '?').join(', ')})`).join(', ')}) AS v`;
    bindings = updates.flatMap(u => fields.map(([, get]) => get(u) ?? null));
    col = name => `v.column${fields.findIndex(([n]) => n === name) + 1}`;
  }
  const same = pg ? 'IS NOT DISTINCT FROM' : 'IS';
  const set = [
    ...PD_COLUMNS.map(c => `${c} = ${col(`new_${c}`)}`),
    `birth_ymd = ${col('new_birth_ymd')}`,
    `email_hmac = ${col('new_email_hmac')}`,
    `pd_key_id = ${col('new_key')}`,
  ];
  const unchanged = [
    `customers.id = ${col('id')}`,
    `customers.pd_key_id = ${col('old_key')}`,
    ...PD_COLUMNS.map(c => `customers.${c} ${same} ${col(`old_${c}`)}`),
  ];
  const sql = `UPDATE customers SET ${set.join(', ')} FROM ${source} WHERE ${unchanged.join(' AND ')}`;
  return affectedRows(await tx.raw(sql, bindings as any[]));
}

/** A PostgreSQL array literal; NULL for null/undefined. */
function pgArrayLiteral(values: unknown[]): string {
  return `{${values
    .map(v => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`))
    .join(',')}}`;
}

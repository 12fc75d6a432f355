import { Knex } from 'knex';
import { PersonalDataKeyError } from './PersonalDataCipher';
import { PersonalDataCodec } from './PersonalDataCodec';

/**
 * Start-up check that the configured key ring can read the stored personal
 * data: every key id in use (`customers.pd_key_id`) must be in the ring, and
 * one row of each must decrypt (a changed secret under an unchanged id is
 * caught here, not at the first request). Throws {@link PersonalDataKeyError}
 * naming the key ids; never a value. Returns the key ids in use.
 */
export async function verifyStoredKeys(options: {
  database: Knex;
  codec: PersonalDataCodec;
}): Promise<string[]> {
  const { database: db, codec } = options;
  const inUse = await keyIdsInUse(db);
  const missing = inUse.filter(id => !codec.cipher.hasKey(id));
  if (missing.length) {
    throw new PersonalDataKeyError(
      `Stored customer data is encrypted with key(s) "${missing.join('", "')}", which segments.encryption.keys ` +
        `does not contain (configured: "${codec.cipher.keyIds.join('", "')}"). Add the key(s) back; remove an old key ` +
        'only after `npm run rotate-keys` has re-encrypted everything under the new one.',
    );
  }
  for (const keyId of inUse) {
    const row = await db('customers')
      .where({ pd_key_id: keyId })
      .first('id', 'name', 'email', 'phone', 'birth_date');
    if (!row) continue;
    try {
      codec.decodeCustomer(row);
    } catch (error) {
      throw new PersonalDataKeyError(
        `segments.encryption.keys: key "${keyId}" cannot decrypt the stored customer data: ${(error as Error).message}. ` +
          'Was its secret changed? A key id must always keep the same secret; add a new key with a new id instead.',
      );
    }
  }
  return inUse;
}

/**
 * Distinct `pd_key_id` values by a loose index scan (one index probe per
 * distinct key instead of reading every row), on PostgreSQL and SQLite.
 */
export async function keyIdsInUse(db: Knex): Promise<string[]> {
  const result = await db.raw(
    `WITH RECURSIVE k(id) AS (
       SELECT MIN(pd_key_id) FROM customers
       UNION ALL
       SELECT (SELECT MIN(pd_key_id) FROM customers WHERE pd_key_id > k.id) FROM k WHERE k.id IS NOT NULL
     )
     SELECT id FROM k WHERE id IS NOT NULL`,
  );
  const rows: Array<{ id: string }> = Array.isArray(result) ? result : result.rows;
  return rows.map(r => r.id);
}

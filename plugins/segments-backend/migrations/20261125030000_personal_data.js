// @ts-check

/**
 * Personal data at rest: `customers.name`, `email`, `phone` and `birth_date`
 * hold AES-256-GCM values (`v1:<keyId>:<iv>:<tag>:<ciphertext>`) instead of
 * clear text, plus
 * - `email_hmac`: keyed hash of the normalized email, for equality lookups;
 * - `pd_key_id`: the key of the row's values (rotation, start-up checks);
 * - `marketing_opt_out`: the customer's marketing opt-out (not personal data;
 *   null when never stated, which counts as not opted out).
 *
 * Existing clear values are encrypted on the way up and decrypted on the way
 * down. Both need the key ring, which migrations cannot read from config: the
 * backend passes its codec as `knex.userParams.segmentsPersonalData` (see
 * `withPersonalData`). Without it, the migration only runs when there is
 * nothing to convert, and otherwise fails with a message saying so, before
 * changing anything.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const isPg = knex.client.config.client === 'pg';
  const hasPersonalData = (/** @type {import('knex').Knex.QueryBuilder} */ q) =>
    q.where(w => w.whereNotNull('name').orWhereNotNull('email').orWhereNotNull('phone').orWhereNotNull('birth_date'));

  const [{ n }] = await hasPersonalData(knex('customers')).count({ n: '*' });
  const codec = codecOf(knex);
  if (Number(n) > 0 && !codec) {
    throw new Error(
      `${Number(n)} customer(s) hold personal data in clear, which this migration encrypts. It needs the ` +
        'encryption keys: start the segments backend with segments.encryption.keys configured, or migrate ' +
        'withPersonalData(knex, codec) (src/crypto/withPersonalData.ts).',
    );
  }

  await knex.schema.alterTable('customers', t => {
    t.string('email_hmac', 64).nullable().comment('HMAC-SHA256 of the normalized email, base64url');
    t.string('pd_key_id', 64).nullable().comment('key id of the encrypted values of the row');
    t.boolean('marketing_opt_out').nullable();
    t.index(['email_hmac'], 'customers_email_hmac_idx');
    t.index(['pd_key_id'], 'customers_pd_key_idx');
  });
  // Ciphertexts are longer than YYYY-MM-DD (SQLite does not enforce lengths).
  if (isPg) await knex.raw('ALTER TABLE customers ALTER COLUMN birth_date TYPE text');

  if (!codec) return;
  await eachBatch(knex, q => hasPersonalData(q.whereNull('pd_key_id')), async rows => {
    for (const row of rows) {
      const columns = codec.encodeCustomer(row.id, {
        name: row.name ?? undefined,
        email: row.email ?? undefined,
        phone: row.phone ?? undefined,
        birthDate: row.birth_date ?? undefined,
      });
      await knex('customers').where({ id: row.id }).update(columns);
    }
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const isPg = knex.client.config.client === 'pg';
  const [{ n }] = await knex('customers').whereNotNull('pd_key_id').count({ n: '*' });
  const codec = codecOf(knex);
  if (Number(n) > 0 && !codec) {
    throw new Error(
      `${Number(n)} customer(s) hold encrypted personal data, which rolling back this migration decrypts. ` +
        'It needs the encryption keys: roll back withPersonalData(knex, codec) (src/crypto/withPersonalData.ts).',
    );
  }
  if (codec) {
    await eachBatch(knex, q => q.whereNotNull('pd_key_id'), async rows => {
      for (const row of rows) {
        const clear = codec.decodeCustomer(row);
        await knex('customers')
          .where({ id: row.id })
          .update({
            name: clear.name ?? null,
            email: clear.email ?? null,
            phone: clear.phone ?? null,
            birth_date: clear.birthDate ?? null,
            // Back to the exact date, whatever precision was configured.
            birth_ymd: clear.birthDate ? Number(clear.birthDate.replace(/-/g, '')) : null,
            pd_key_id: null,
          });
      }
    });
  }

  await knex.raw('DROP INDEX IF EXISTS customers_email_hmac_idx');
  await knex.raw('DROP INDEX IF EXISTS customers_pd_key_idx');
  // One column per statement: SQLite's ALTER TABLE DROP COLUMN takes one.
  for (const column of ['email_hmac', 'pd_key_id', 'marketing_opt_out']) {
    await knex.raw(`ALTER TABLE customers DROP COLUMN ${column}`);
  }
  if (isPg) await knex.raw('ALTER TABLE customers ALTER COLUMN birth_date TYPE varchar(10)');
};

/**
 * The codec the backend passed in (see withPersonalData), duck-typed.
 *
 * @param {import('knex').Knex} knex
 * @returns {{ encodeCustomer(id: string, data: object): object, decodeCustomer(row: object): any } | undefined}
 */
function codecOf(knex) {
  const codec = /** @type {any} */ (knex).userParams?.segmentsPersonalData;
  return codec && typeof codec.encodeCustomer === 'function' ? codec : undefined;
}

/**
 * Calls `fn` with batches of 500 matching customers in id order, until none
 * match after the last id seen.
 *
 * @param {import('knex').Knex} knex
 * @param {(q: import('knex').Knex.QueryBuilder) => import('knex').Knex.QueryBuilder} filter
 * @param {(rows: any[]) => Promise<void>} fn
 */
async function eachBatch(knex, filter, fn) {
  let after = '';
  for (;;) {
    const rows = await filter(knex('customers').where('id', '>', after))
      .orderBy('id')
      .limit(500)
      .select('id', 'name', 'email', 'phone', 'birth_date', 'pd_key_id');
    if (!rows.length) return;
    await fn(rows);
    after = rows[rows.length - 1].id;
  }
}

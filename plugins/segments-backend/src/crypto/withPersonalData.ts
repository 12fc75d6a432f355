import { Knex } from 'knex';
import { PersonalDataCodec } from './PersonalDataCodec';

/**
 * A Knex client that hands `codec` to the migrations (as
 * `userParams.segmentsPersonalData`), so that the personal data migration can
 * encrypt existing clear values on the way up and decrypt them on the way
 * down: `migrateDatabase(withPersonalData(knex, codec))`. Shares the pool.
 */
export function withPersonalData(knex: Knex, codec: PersonalDataCodec): Knex {
  return knex.withUserParams({ ...knex.userParams, segmentsPersonalData: codec });
}

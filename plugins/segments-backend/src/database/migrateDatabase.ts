import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath('@internal/plugin-segments-backend', 'migrations');

/** Applies the plugin's migrations. */
export async function migrateDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Rolls every migration back (tests of the down path). */
export async function rollbackDatabase(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}

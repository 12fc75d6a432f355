import { mockServices, startTestBackend, TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { segmentsPlugin } from '../plugin';

/** Both engines, in every backend test: PostgreSQL 15 (from the env connection string) and SQLite. */
export const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * Starts the segments plugin on a fresh database of the given engine, with the
 * allow-all permission mock. Returns the HTTP server and the Knex client.
 */
export async function startSegmentsBackend(id: TestDatabaseId, config: object = {}) {
  const knex: Knex = await databases.init(id);
  const { server } = await startTestBackend({
    features: [
      segmentsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: { segments: { demoData: { enabled: false } }, ...config } }),
    ],
  });
  return { server, knex };
}

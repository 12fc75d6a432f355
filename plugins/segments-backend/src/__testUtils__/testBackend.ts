import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { TEST_ENCRYPTION_CONFIG } from '../crypto/testKeys';
import { segmentsPlugin } from '../plugin';

/** Both engines, in every backend test: PostgreSQL 15 (from the env connection string) and SQLite. */
export const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
});

/**
 * Starts the segments plugin on a fresh database of the given engine, with the
 * allow-all permission mock. Returns the HTTP server and the Knex client.
 */
export async function startSegmentsBackend(
  id: TestDatabaseId,
  config: object = {},
) {
  const knex: Knex = await databases.init(id);
  const { server } = await startTestBackend({
    features: [
      segmentsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          // Test encryption key A unless the test configures its own (see src/crypto/testKeys.ts).
          // One attempt per run, so a failing run ends at once; retry tests configure their own.
          segments: {
            demoData: { enabled: false },
            // Tests make many previews; src/service/limits.test.ts tests the limit.
            rateLimit: { expensivePerMinute: 0 },
            encryption: TEST_ENCRYPTION_CONFIG,
            execution: { maxAttempts: 1 },
            ...(config as any).segments,
          },
        },
      }),
    ],
  });
  return { server, knex };
}

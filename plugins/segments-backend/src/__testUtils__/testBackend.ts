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
 * Starts the segments plugin on a fresh database of the given engine (or on
 * `extra.knex`), with the allow-all permission mock and `extra.features`
 * (service factories such as a scheduler mock). Returns the HTTP server, the
 * Knex client and the backend.
 */
export async function startSegmentsBackend(
  id: TestDatabaseId,
  config: object = {},
  extra: {
    knex?: Knex;
    features?: Parameters<typeof startTestBackend>[0]['features'];
  } = {},
) {
  const knex: Knex = extra.knex ?? (await databases.init(id));
  const backend = await startTestBackend({
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
      ...(extra.features ?? []),
    ],
  });
  return { server: backend.server, knex, backend };
}

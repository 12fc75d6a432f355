import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { segmentsDataProvidersExtensionPoint } from '@internal/plugin-segments-node';
import request from 'supertest';
import { TEST_ENCRYPTION_CONFIG } from './crypto/testKeys';
import { segmentsPlugin } from './plugin';

jest.setTimeout(60_000);

describe('data providers extension point', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('runs a provider module on its schedule and stores what it ingests', async () => {
    const knex = await databases.init('SQLITE_3');
    const crmModule = createBackendModule({
      pluginId: 'segments',
      moduleId: 'test-crm',
      register(env) {
        env.registerInit({
          deps: { providers: segmentsDataProvidersExtensionPoint },
          async init({ providers }) {
            providers.addProvider({
              id: 'test-crm',
              schedule: { frequency: { minutes: 10 }, timeout: { seconds: 30 } },
              async run({ sink }) {
                const result = await sink.ingestCustomers([
                  { id: 'crm-1', createdAt: '2024-01-01T00:00:00Z', tier: 'gold' },
                  { id: 'crm-2', createdAt: 'yesterday' } as any,
                ]);
                expect(result.accepted).toBe(1);
              },
            });
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [
        segmentsPlugin,
        crmModule,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({ data: { segments: { encryption: TEST_ENCRYPTION_CONFIG } } }),
      ],
    });
    let stats: any;
    for (let i = 0; i < 100; i++) {
      stats = (await request(server).get('/api/segments/data/stats')).body;
      if (stats.customers > 0) break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect(stats.customers).toBe(1);
    expect((await request(server).get('/api/segments/data/customers/crm-1')).body.tier).toBe('gold');
  });
});

import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { SEGMENTS_CUSTOMER_CHANGED_TOPIC } from '@internal/plugin-segments-common';
import { TEST_ENCRYPTION_CONFIG } from '../crypto/testKeys';
import { segmentsPlugin } from '../plugin';

jest.setTimeout(60_000);

describe('customer changed events', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('marks the customers another plugin reports as changed, for the next incremental run', async () => {
    const knex = await databases.init('SQLITE_3');
    // One in-process bus shared with "another plugin" (the test default gives each plugin its own).
    const bus = mockServices.events();
    await startTestBackend({
      features: [
        segmentsPlugin,
        createServiceFactory({ service: eventsServiceRef, deps: {}, factory: () => bus }),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({ data: { segments: { encryption: TEST_ENCRYPTION_CONFIG } } }),
      ],
    });
    await bus.publish({ topic: SEGMENTS_CUSTOMER_CHANGED_TOPIC, eventPayload: { customerIds: ['crm-7', 42, 'crm-8'] } });
    await bus.publish({ topic: 'something.else', eventPayload: { customerIds: ['crm-9'] } });
    expect(await knex('customer_changes').orderBy('customer_id').pluck('customer_id')).toEqual(['crm-7', 'crm-8']);
  });
});

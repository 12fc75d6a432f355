import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import express from 'express';
import { Knex } from 'knex';
import request from 'supertest';
import { databases } from '../__testUtils__/testBackend';
import { TEST_ENCRYPTION_CONFIG } from '../crypto/testKeys';
import { segmentsPlugin } from '../plugin';
import { Readiness } from './Readiness';

jest.setTimeout(60_000);

describe('Readiness', () => {
  it('answers 503 naming the pending steps, 200 once all are done, 503 when the database stops answering', async () => {
    const readiness = new Readiness();
    const app = express().use(readiness.router());
    expect((await request(app).get('/ready')).body).toEqual({
      status: 'starting',
      pending: ['migrations', 'keys', 'sampleBuckets', 'startup'],
    });
    readiness.complete('migrations');
    readiness.complete('keys');
    readiness.complete('sampleBuckets');
    expect((await request(app).get('/ready')).status).toBe(503);
    readiness.complete('startup');
    const knex = await databases.init('SQLITE_3');
    readiness.setDatabase(knex);
    expect(await request(app).get('/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready' },
    });
    readiness.setDatabase({
      raw: () => ({ timeout: () => Promise.reject(new Error('down')) }),
    } as unknown as Knex);
    expect(await request(app).get('/ready')).toMatchObject({
      status: 503,
      body: { status: 'unavailable' },
    });
  });

  it('is 503 over HTTP while the plugin is still starting (migrations held back) and 200 after', async () => {
    const knex = await databases.init('SQLITE_3');
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    let foundBackend!: (url: string) => void;
    const backendUrl = new Promise<string>(r => (foundBackend = r));
    // Another plugin starts at once and tells where the backend listens.
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(env) {
        env.registerInit({
          deps: { discovery: coreServices.discovery },
          async init({ discovery }) {
            foundBackend(
              new URL(await discovery.getBaseUrl('segments')).origin,
            );
          },
        });
      },
    });
    const started = startTestBackend({
      features: [
        segmentsPlugin,
        probe,
        // The database client (and so the migrations) waits for the gate.
        createServiceFactory({
          service: coreServices.database,
          deps: {},
          factory: () => ({ getClient: async () => gate.then(() => knex) }),
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              lifecycle: { startupRequestPauseTimeout: { milliseconds: 50 } },
            },
            segments: {
              demoData: { enabled: false },
              encryption: TEST_ENCRYPTION_CONFIG,
            },
          },
        }),
      ],
    });
    const url = await backendUrl;
    expect((await request(url).get('/api/segments/ready')).status).toBe(503);
    expect(
      (await request(url).get('/.backstage/health/v1/readiness')).status,
    ).toBe(503);

    release();
    await started;
    expect(await request(url).get('/api/segments/ready')).toMatchObject({
      status: 200,
      body: { status: 'ready' },
    });
    expect(
      (await request(url).get('/.backstage/health/v1/readiness')).status,
    ).toBe(200);
  });
});

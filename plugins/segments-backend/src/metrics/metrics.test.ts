import { createServiceFactory } from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import http from 'node:http';
import request from 'supertest';
import { createRule, execute, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const customers = Array.from({ length: 12 }, (_, i) => ({
  id: `m${i}`,
  createdAt: '2024-01-01T00:00:00Z',
  country: i % 2 ? 'TW' : 'JP',
}));

/** The plugin on a fresh database, its metrics going to a Prometheus exporter of its own. */
async function start(databaseId: TestDatabaseId) {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const { server } = await startSegmentsBackend(
    databaseId,
    {},
    {
      features: [
        createServiceFactory({
          service: metricsServiceRef,
          deps: {},
          factory: () => meterProvider.getMeter('backstage-plugin-segments'),
        }),
      ],
    },
  );
  const scrapeServer = http.createServer((req, res) =>
    exporter.getMetricsRequestHandler(req, res),
  );
  const scrape = async () => {
    const res = await request(scrapeServer).get('/metrics');
    expect(res.status).toBe(200);
    return res.text;
  };
  return { server, scrape, meterProvider };
}

/** The value of a Prometheus sample whose name and labels match. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const line = text
    .split('\n')
    .find(
      l =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined
    ? undefined
    : Number(line.trim().split(/\s+/).pop());
}

describe.each(databases.eachSupportedId())('metrics on %s', databaseId => {
  it('exports runs by outcome, run and step durations, queue length and API latency per route', async () => {
    const { server, scrape, meterProvider } = await start(databaseId);
    await ingest(server, { customers });
    const rule = await createRule(server, {
      name: 'Taiwan',
      conditions: [leaf('country', 'eq', 'TW', 'string')],
    });
    await request(server)
      .post('/api/segments/rules/preview')
      .send({ rule: { logicalOperator: 'AND', conditions: rule.conditions } });
    expect((await execute(server, { ruleId: rule.id })).status).toBe('success');
    await request(server).get('/api/segments/rules/no-such-rule');

    const text = await scrape();
    expect(
      sample(text, 'segments_runs_total', {
        outcome: 'success',
        will_retry: 'false',
      }),
    ).toBe(1);
    expect(
      sample(text, 'segments_run_duration_count', { outcome: 'success' }),
    ).toBe(1);
    expect(
      sample(text, 'segments_run_duration_sum', { outcome: 'success' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'segments_run_step_duration_count', { step: 'features' }),
    ).toBe(1);
    expect(
      sample(text, 'segments_run_step_duration_count', { step: 'segment' }),
    ).toBe(1);
    expect(
      sample(text, 'segments_run_step_duration_sum', { step: 'segment' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'segments_queue_length')).toBe(0);
    expect(
      sample(text, 'segments_preview_duration_count', { status_class: '2xx' }),
    ).toBe(1);
    // Route patterns, never raw URLs or ids.
    expect(
      sample(text, 'segments_api_request_duration_count', {
        method: 'POST',
        route: '/rules/:id/execute',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(
      sample(text, 'segments_api_request_duration_count', {
        method: 'GET',
        route: '/rules/:id',
        status_class: '4xx',
      }),
    ).toBe(1);
    expect(text).not.toContain(rule.id);
    expect(text).not.toContain('no-such-rule');
    expect(text).not.toMatch(/\bm\d+\b/); // no customer ids
    await meterProvider.shutdown();
  });
});

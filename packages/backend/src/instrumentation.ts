/**
 * OpenTelemetry metrics of the backend, served for Prometheus to scrape at
 * http://<host>:9464/metrics. Imported before anything else in index.ts, so
 * the global meter provider exists before Backstage's metrics service (and
 * the Segments plugin) ask it for meters.
 *
 * Standard OpenTelemetry environment variables: `OTEL_EXPORTER_PROMETHEUS_PORT`
 * (default 9464), `OTEL_EXPORTER_PROMETHEUS_HOST` (default all interfaces),
 * `OTEL_METRICS_EXPORTER=none` to turn the endpoint off.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.env.OTEL_METRICS_EXPORTER !== 'none') {
  const exporter = new PrometheusExporter({}, error => {
    // A busy port must not stop the backend: it then runs without the endpoint.
    if (error)
      console.warn(`Prometheus metrics endpoint not started: ${error.message}`);
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}

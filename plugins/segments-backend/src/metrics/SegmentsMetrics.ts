import {
  MetricAttributes,
  MetricsService,
} from '@backstage/backend-plugin-api/alpha';
import { ExecutionStatus } from '@internal/plugin-segments-common';
import { RequestHandler } from 'express';
import { ExecutionStore } from '../database/ExecutionStore';
import { ExecutionObserver } from '../engine/ExecutionObserver';

/**
 * Names of the Segments instruments (OpenTelemetry); the Prometheus exporter
 * writes dots as underscores and adds `_total` to counters.
 */
export const SEGMENTS_METRICS = {
  runs: 'segments.runs',
  runDuration: 'segments.run.duration',
  stepDuration: 'segments.run.step.duration',
  queueLength: 'segments.queue.length',
  previewDuration: 'segments.preview.duration',
  apiDuration: 'segments.api.request.duration',
  destinationDeliveries: 'segments.destination.deliveries',
} as const;

const RUN_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const API_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Per-attempt timing of a run this process is executing. */
interface RunTiming {
  started: number;
  /** End of the previous step (the features, or the previous segment). */
  mark: number;
}

/**
 * The plugin's operational metrics: runs by outcome, run and step durations,
 * queue length, preview and API latency. Attributes never hold customer data
 * or ids, nor raw URLs (API latency is per route pattern and status class).
 */
export class SegmentsMetrics {
  private readonly runs;
  private readonly runDuration;
  private readonly stepDuration;
  private readonly previewDuration;
  private readonly apiDuration;
  private readonly timings = new Map<string, RunTiming>();

  private constructor(private readonly metrics: MetricsService) {
    this.runs = metrics.createCounter(SEGMENTS_METRICS.runs, {
      description:
        'Run attempts by outcome (success, partial, failed) and whether a retry follows',
      unit: '{run}',
    });
    this.runDuration = metrics.createHistogram(SEGMENTS_METRICS.runDuration, {
      description: 'Duration of a run attempt, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: RUN_BUCKETS },
    });
    this.stepDuration = metrics.createHistogram(SEGMENTS_METRICS.stepDuration, {
      description:
        "Duration of a run's steps: features (computed once a run), segment (one segment's evaluation and commit)",
      unit: 's',
      advice: { explicitBucketBoundaries: RUN_BUCKETS },
    });
    this.previewDuration = metrics.createHistogram(
      SEGMENTS_METRICS.previewDuration,
      {
        description:
          'Latency of rule previews (POST /rules/preview), by status class',
        unit: 's',
        advice: { explicitBucketBoundaries: API_BUCKETS },
      },
    );
    this.apiDuration = metrics.createHistogram(SEGMENTS_METRICS.apiDuration, {
      description:
        'Latency of Segments API requests, by method, route pattern and status class',
      unit: 's',
      advice: { explicitBucketBoundaries: API_BUCKETS },
    });
    // Reserved for the destinations feature (nothing delivers yet): outcome = delivered | failed.
    metrics.createCounter(SEGMENTS_METRICS.destinationDeliveries, {
      description:
        'Deliveries of segment results to destinations, by outcome (reserved: no destinations yet)',
      unit: '{delivery}',
    });
  }

  /** Creates the instruments on the plugin's metrics service. */
  static create(metrics: MetricsService): SegmentsMetrics {
    return new SegmentsMetrics(metrics);
  }

  /** Reports the number of executions a queue holds (queued, running or waiting for a retry). */
  observeQueue(queue: { readonly length: number }) {
    this.metrics
      .createObservableGauge(SEGMENTS_METRICS.queueLength, {
        description:
          'Executions this process holds: queued, running or waiting for a retry',
        unit: '{execution}',
      })
      .addCallback(result => result.observe(queue.length));
  }

  /** An engine observer recording runs, their durations and their segment steps. */
  observer(): ExecutionObserver {
    return {
      onProgress: async ({ executionId }) => {
        const now = Date.now();
        const timing = this.timings.get(executionId);
        if (timing) timing.mark = now;
        else this.timings.set(executionId, { started: now, mark: now });
      },
      onSegmentResult: async ({ executionId }) =>
        this.step(executionId, 'segment'),
      onFinished: async ({ executionId, status, willRetry }) =>
        this.finished(executionId, status, willRetry),
    };
  }

  /** The store as the engine should use it: the end of the features step (its checkpoint) is timed. */
  timeFeatures(executions: ExecutionStore): ExecutionStore {
    const timed: ExecutionStore = Object.create(executions);
    timed.setFeaturesAt = async (tx, id, at) => {
      await executions.setFeaturesAt(tx, id, at);
      if (at !== null) this.step(id, 'features');
    };
    return timed;
  }

  /** Express middleware recording API latency per route pattern (never the raw URL). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        // The matched route's pattern, e.g. /rules/:id; unknown paths share one value.
        const route = req.route?.path ? String(req.route.path) : 'unmatched';
        const statusClass = `${Math.floor(res.statusCode / 100)}xx`;
        this.apiDuration.record(seconds, {
          method: req.method,
          route,
          status_class: statusClass,
        });
        if (req.method === 'POST' && route === '/rules/preview') {
          this.previewDuration.record(seconds, { status_class: statusClass });
        }
      });
      next();
    };
  }

  private step(executionId: string, step: 'features' | 'segment') {
    const timing = this.timings.get(executionId);
    if (!timing) return;
    const now = Date.now();
    this.stepDuration.record((now - timing.mark) / 1000, { step });
    timing.mark = now;
  }

  private finished(
    executionId: string,
    status: ExecutionStatus,
    willRetry: boolean,
  ) {
    const attributes: MetricAttributes = { outcome: status };
    this.runs.add(1, { ...attributes, will_retry: willRetry });
    const timing = this.timings.get(executionId);
    this.timings.delete(executionId);
    if (timing)
      this.runDuration.record((Date.now() - timing.started) / 1000, attributes);
  }
}

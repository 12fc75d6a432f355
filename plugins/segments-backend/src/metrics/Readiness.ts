import express from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';

/** Start-up steps the plugin must finish before it serves requests. */
export type ReadinessStep = 'migrations' | 'keys' | 'sampleBuckets' | 'startup';

const STEPS: ReadinessStep[] = [
  'migrations',
  'keys',
  'sampleBuckets',
  'startup',
];

/**
 * Readiness of the plugin (`GET /ready`): 503 while a start-up step is pending
 * or the database does not answer, 200 after. While the plugin initializes,
 * Backstage itself answers 503 for every `/api/segments` route (after pausing
 * up to `backend.lifecycle.startupRequestPauseTimeout`), as does the backend's
 * `/.backstage/health/v1/readiness` until every plugin has started.
 */
export class Readiness {
  private readonly pending = new Set<ReadinessStep>(STEPS);
  private database?: Knex;

  /** Marks a step finished. */
  complete(step: ReadinessStep) {
    this.pending.delete(step);
  }

  /** The database `/ready` pings once the steps are done. */
  setDatabase(database: Knex) {
    this.database = database;
  }

  /** Status code and body of a readiness check. */
  async check(): Promise<{
    status: number;
    body: { status: string; pending?: ReadinessStep[]; reason?: string };
  }> {
    if (this.pending.size)
      return {
        status: 503,
        body: { status: 'starting', pending: [...this.pending] },
      };
    try {
      if (this.database) await this.database.raw('select 1').timeout(2000);
    } catch {
      return {
        status: 503,
        body: { status: 'unavailable', reason: 'database not answering' },
      };
    }
    return { status: 200, body: { status: 'ready' } };
  }

  /** A router answering `GET /ready` (to be allowed unauthenticated). */
  router(): express.Router {
    const router = Router();
    router.get('/ready', async (_req, res) => {
      const { status, body } = await this.check();
      res.status(status).json(body);
    });
    return router;
  }
}

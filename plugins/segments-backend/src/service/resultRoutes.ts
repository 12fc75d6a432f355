import { NotFoundError } from '@backstage/errors';
import {
  segmentsResultReadPermission,
  segmentsRuleReadPermission,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ExecutionStore } from '../database/ExecutionStore';
import { ResultStore } from '../database/ResultStore';
import { SegmentEngine } from '../engine/SegmentEngine';
import { pageSchema, parseOrThrow, RequestContext } from './requestHelpers';

const resultsQuery = pageSchema.extend({ segmentRuleId: z.string().max(100).optional() });
const changesQuery = pageSchema.extend({ type: z.enum(['added', 'removed', 'maintained']) });
const membersQuery = pageSchema.extend({ search: z.string().max(200).optional() });
const executionsQuery = z.object({
  segmentRuleId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

/** Executions, results, change reports, members and a customer's segments. */
export function createResultRoutes(options: {
  ctx: RequestContext;
  results: ResultStore;
  executions: ExecutionStore;
  engine: SegmentEngine;
}) {
  const { ctx, results, executions, engine } = options;
  const router = Router();

  const getResult = async (id: string) => {
    const result = await results.getResult(id);
    if (!result) throw new NotFoundError(`No segment result with id ${id}`);
    return result;
  };

  router.get('/executions', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission);
    const query = parseOrThrow(executionsQuery, req.query, 'query');
    res.json({ items: await executions.listExecutions(query) });
  });

  router.get('/executions/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission);
    const execution = await executions.getExecution(req.params.id);
    if (!execution) throw new NotFoundError(`No execution with id ${req.params.id}`);
    res.json(execution);
  });

  router.get('/results', async (req, res) => {
    const query = parseOrThrow(resultsQuery, req.query, 'query');
    await ctx.authorize(req, segmentsRuleReadPermission);
    res.json(await results.listResults(query));
  });

  router.get('/results/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission);
    res.json(await getResult(req.params.id));
  });

  router.get('/results/:id/changes', async (req, res) => {
    const query = parseOrThrow(changesQuery, req.query, 'query');
    const result = await getResult(req.params.id);
    await ctx.authorize(req, segmentsResultReadPermission, result.segmentRuleId);
    res.json(await results.listChanges({ resultId: result.id, ...query }));
  });

  router.get('/results/:id/customers', async (req, res) => {
    const query = parseOrThrow(membersQuery, req.query, 'query');
    const result = await getResult(req.params.id);
    await ctx.authorize(req, segmentsResultReadPermission, result.segmentRuleId);
    const page = await ctx.audit(req, 'members-read', { resultId: result.id }, async () => {
      const ids = await results.listMemberIds({ resultId: result.id, ...query });
      return { items: await engine.describeCustomers(ids.items, Date.parse(result.asOf)), totalCount: ids.totalCount };
    }, 'low');
    res.json(page);
  });

  router.get('/customers/:id/segments', async (req, res) => {
    await ctx.authorize(req, segmentsResultReadPermission);
    res.json(await results.getCustomerSegments(req.params.id));
  });

  return router;
}

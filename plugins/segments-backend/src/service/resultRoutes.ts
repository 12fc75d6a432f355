import { NotFoundError } from '@backstage/errors';
import {
  segmentsCustomerReadPermission,
  segmentsExecutionReadPermission,
  segmentsMemberReadPermission,
  segmentsResultReadPermission,
  idSchema,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ExecutionStore } from '../database/ExecutionStore';
import { ResultStore } from '../database/ResultStore';
import { SegmentEngine } from '../engine/SegmentEngine';
import { pageSchema, parseOrThrow, queryInt, RequestContext } from './requestHelpers';
import { normalizeId } from './requestGuards';

const resultsQuery = pageSchema.extend({ segmentRuleId: idSchema.optional() });
const changesQuery = pageSchema.extend({ type: z.enum(['added', 'removed', 'maintained']) });
const membersQuery = pageSchema.extend({
  /** Part of a customer id, or an exact email (matched through its keyed hash). */
  search: z.string().max(200).optional(),
  /** `true`: leave out customers who opted out of marketing (for campaigns and syncs). */
  forMarketing: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .optional()
    .transform(v => v === 'true'),
});
const executionsQuery = z.object({
  segmentRuleId: idSchema.optional(),
  limit: queryInt({ min: 1, max: 200, default: 20 }),
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
  router.param('id', normalizeId);

  const notFound = (id: string) => `No segment result with id ${id}`;
  const getResult = async (id: string) => {
    const result = await results.getResult(id);
    if (!result) throw new NotFoundError(notFound(id));
    return result;
  };

  router.get('/executions', async (req, res) => {
    await ctx.authorize(req, segmentsExecutionReadPermission);
    const query = parseOrThrow(executionsQuery, req.query, 'query');
    res.json({ items: await executions.listExecutions(query) });
  });

  router.get('/executions/:id', async (req, res) => {
    await ctx.authorize(req, segmentsExecutionReadPermission);
    const execution = await executions.getExecution(req.params.id);
    if (!execution) throw new NotFoundError(`No execution with id ${req.params.id}`);
    res.json(execution);
  });

  // Results of one segment need the permission on it; results of all segments an unconditional one.
  router.get('/results', async (req, res) => {
    const query = parseOrThrow(resultsQuery, req.query, 'query');
    await ctx.authorize(req, segmentsResultReadPermission, query.segmentRuleId);
    res.json(await results.listResults(query));
  });

  router.get('/results/:id', async (req, res) => {
    const result = await getResult(req.params.id);
    await ctx.authorize(req, segmentsResultReadPermission, result.segmentRuleId, notFound(result.id));
    res.json(result);
  });

  // Change lists name customers (ids): personal data.
  router.get('/results/:id/changes', async (req, res) => {
    const page = await ctx.audit(
      req,
      'changes-read',
      { resultId: req.params.id },
      async () => {
        const result = await getResult(req.params.id);
        await ctx.authorize(req, segmentsMemberReadPermission, result.segmentRuleId, notFound(result.id));
        const query = parseOrThrow(changesQuery, req.query, 'query');
        return results.listChanges({ resultId: result.id, ...query });
      },
      'low',
    );
    res.json(page);
  });

  router.get('/results/:id/customers', async (req, res) => {
    const page = await ctx.audit(
      req,
      'members-read',
      { resultId: req.params.id },
      async () => {
        const result = await getResult(req.params.id);
        await ctx.authorize(req, segmentsMemberReadPermission, result.segmentRuleId, notFound(result.id));
        const query = parseOrThrow(membersQuery, req.query, 'query');
        const ids = await results.listMemberIds({ resultId: result.id, ...query });
        return { items: await engine.describeCustomers(ids.items, Date.parse(result.asOf)), totalCount: ids.totalCount };
      },
      'low',
    );
    res.json(page);
  });

  // Which segments a person is in: personal data.
  router.get('/customers/:id/segments', async (req, res) => {
    const segments = await ctx.audit(
      req,
      'customer-segments-read',
      { customerId: req.params.id },
      async () => {
        await ctx.authorize(req, segmentsCustomerReadPermission);
        return results.getCustomerSegments(req.params.id);
      },
      'low',
    );
    res.json(segments);
  });

  return router;
}

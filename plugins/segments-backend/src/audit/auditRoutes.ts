import { InputError } from '@backstage/errors';
import { segmentsAuditReadPermission, timestampMsSchema } from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseOrThrow, queryInt, RequestContext } from '../service/requestHelpers';
import { AuditStore } from './AuditStore';

const isoTime = timestampMsSchema;

const auditQuery = z
  .object({
    actor: z.string().min(1).max(255).optional(),
    /** One action or several, comma-separated. */
    action: z
      .string()
      .max(1000)
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be kebab-case event ids, comma-separated')
      .transform(v => v.split(','))
      .optional(),
    outcome: z.enum(['success', 'denied', 'failure']).optional(),
    targetType: z.string().max(50).optional(),
    targetId: z.string().max(255).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    limit: queryInt({ min: 1, max: 500, default: 100 }),
    offset: queryInt({ min: 0, max: 10_000_000, default: 0 }),
  })
  .strict();

/** `GET /audit`: the plugin's audit trail, newest first. */
export function createAuditRoutes(options: { ctx: RequestContext; audit: AuditStore }) {
  const { ctx } = options;
  const router = Router();

  router.get('/audit', async (req, res) => {
    const page = await ctx.audit(
      req,
      'audit-read',
      {},
      async () => {
        await ctx.authorize(req, segmentsAuditReadPermission);
        const query = parseOrThrow(auditQuery, req.query, 'query');
        if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
          throw new InputError('Invalid query: from must be before to');
        }
        return options.audit.list(query);
      },
      'low',
    );
    res.json(page);
  });

  return router;
}

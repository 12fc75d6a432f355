import { InputError, NotFoundError } from '@backstage/errors';
import {
  MAX_INGEST_ITEMS,
  segmentsCustomerErasePermission,
  segmentsCustomerExportPermission,
  segmentsCustomerReadPermission,
  segmentsDataReadPermission,
  segmentsDataWritePermission,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { CustomerStore } from '../database/CustomerStore';
import { parseOrThrow, RequestContext } from './requestHelpers';
import { normalizeId } from './requestGuards';

/** Body of `POST /data/customers/lookup`: the email travels in the body, never in a logged URL. */
const lookupBody = z.object({ email: z.string().min(1).max(320) }).strict();

/** Ingestion and data routes under `/data`. */
export function createDataRoutes(options: { ctx: RequestContext; customers: CustomerStore }) {
  const { ctx, customers } = options;
  const router = Router();
  router.param('id', normalizeId);

  const items = (body: any): unknown[] => {
    if (!body || !Array.isArray(body.items)) {
      throw new InputError('items: must be an array of objects, body { "items": [...] }');
    }
    if (body.items.length > MAX_INGEST_ITEMS) {
      throw new InputError(
        `items: at most ${MAX_INGEST_ITEMS} items per request, got ${body.items.length}; split the upload`,
      );
    }
    return body.items;
  };

  router.post('/data/customers', async (req, res) => {
    const meta: { count?: number } = {};
    const result = await ctx.audit(req, 'customer-ingest', meta, async () => {
      await ctx.authorize(req, segmentsDataWritePermission);
      const list = items(req.body);
      meta.count = list.length;
      return customers.ingestCustomers(list);
    });
    res.json(result);
  });

  router.post('/data/orders', async (req, res) => {
    const meta: { count?: number } = {};
    const result = await ctx.audit(req, 'order-ingest', meta, async () => {
      await ctx.authorize(req, segmentsDataWritePermission);
      const list = items(req.body);
      meta.count = list.length;
      return customers.ingestOrders(list);
    });
    res.json(result);
  });

  router.get('/data/stats', async (req, res) => {
    await ctx.authorize(req, segmentsDataReadPermission);
    res.json(await customers.getStats());
  });

  router.get('/data/customers/:id', async (req, res) => {
    const customer = await ctx.audit(req, 'customer-read', { customerId: req.params.id }, async () => {
      await ctx.authorize(req, segmentsCustomerReadPermission);
      const found = await customers.getCustomer(req.params.id);
      if (!found) throw new NotFoundError(`No customer with id ${req.params.id}`);
      return found;
    }, 'low');
    res.json(customer);
  });

  // Finds customers by exact email through the keyed hash (emails are stored encrypted).
  router.post('/data/customers/lookup', async (req, res) => {
    const ids = await ctx.audit(req, 'customer-lookup', {}, async () => {
      await ctx.authorize(req, segmentsCustomerReadPermission);
      const { email } = parseOrThrow(lookupBody, req.body, 'body');
      return customers.findCustomerIdsByEmail(email);
    }, 'low');
    res.json({ items: ids.map(id => ({ id })) });
  });

  // GDPR art. 15 / PDPA access request: everything stored about the customer.
  router.get('/data/customers/:id/export', async (req, res) => {
    const exported = await ctx.audit(req, 'customer-export', { customerId: req.params.id }, async () => {
      await ctx.authorize(req, segmentsCustomerExportPermission);
      const found = await customers.exportCustomer(req.params.id);
      if (!found) throw new NotFoundError(`No customer with id ${req.params.id}`);
      return found;
    }, 'medium');
    res.setHeader('Cache-Control', 'no-store');
    res.json(exported);
  });

  // GDPR art. 17 / PDPA erasure: the customer, orders, memberships, change lists and run rows.
  router.delete('/data/customers/:id', async (req, res) => {
    await ctx.audit(req, 'customer-delete', { customerId: req.params.id }, async () => {
      await ctx.authorize(req, segmentsCustomerErasePermission);
      if (!(await customers.deleteCustomer(req.params.id))) {
        throw new NotFoundError(`No customer with id ${req.params.id}`);
      }
    }, 'high');
    res.status(204).end();
  });

  return router;
}

import { InputError, NotFoundError } from '@backstage/errors';
import {
  MAX_INGEST_ITEMS,
  segmentsCustomerErasePermission,
  segmentsCustomerReadPermission,
  segmentsDataReadPermission,
  segmentsDataWritePermission,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { CustomerStore } from '../database/CustomerStore';
import { RequestContext } from './requestHelpers';

/** Ingestion and data routes under `/data`. */
export function createDataRoutes(options: { ctx: RequestContext; customers: CustomerStore }) {
  const { ctx, customers } = options;
  const router = Router();

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

import { IngestResponse } from '@internal/plugin-segments-common';
import { CustomerStore } from '../database/CustomerStore';
import { ChangeTracker } from './ChangeTracker';

/**
 * The customer store, with every accepted customer (and the customer of every
 * accepted order) marked as changed, so incremental runs re-evaluate them.
 * Other methods are inherited from the wrapped store unchanged.
 */
export function trackChanges(store: CustomerStore, changes: ChangeTracker): CustomerStore {
  const tracked: CustomerStore = Object.create(store);
  tracked.ingestCustomers = async items => {
    const result = await store.ingestCustomers(items);
    await changes.mark(acceptedItems(items, result).map(i => String(i.id)));
    return result;
  };
  tracked.ingestOrders = async items => {
    const result = await store.ingestOrders(items);
    await changes.mark(acceptedItems(items, result).map(i => String(i.customerId)));
    return result;
  };
  return tracked;
}

function acceptedItems(items: unknown[], result: IngestResponse): any[] {
  const rejected = new Set(result.rejected.map(r => r.index));
  return items.filter((_, i) => !rejected.has(i));
}

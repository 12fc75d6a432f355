import { HttpResponse } from 'msw';
import type {
  SegmentExecution,
  SegmentFieldInfo,
  SegmentResult,
} from '@internal/plugin-segments-common';
import type {
  CustomerSample,
  SegmentResultDetail,
  SegmentRuleWithResult,
} from '../api';

/** Base URL the mocked discovery API answers for the segments plugin. */
export const API = 'http://localhost:7007/api/segments';

/** A stored rule; override what a test needs. */
export function makeRule(
  overrides: Partial<SegmentRuleWithResult> = {},
): SegmentRuleWithResult {
  return {
    id: 'rule-vip',
    name: 'VIP customers',
    description: 'Spent over 100,000 and ordered in the last 30 days',
    status: 'active',
    priority: 10,
    logicalOperator: 'AND',
    conditions: [
      {
        field: 'totalSpent',
        operator: 'gt',
        value: 100000,
        dataType: 'number',
      },
      {
        field: 'daysSinceLastOrder',
        operator: 'lte',
        value: 30,
        dataType: 'number',
      },
    ],
    createdBy: 'user:default/guest',
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...overrides,
  };
}

/** A result of a run. */
export function makeResult(
  overrides: Partial<SegmentResult> = {},
): SegmentResultDetail {
  return {
    id: 'result-2',
    segmentRuleId: 'rule-vip',
    executionId: 'exec-2',
    customerCount: 1234,
    executedAt: '2026-11-20T10:00:00.000Z',
    executionTime: 850,
    status: 'success',
    changes: { added: 34, removed: 12, maintained: 1200 },
    statistics: {
      avgOrderValue: 4321.5,
      totalRevenue: 98_765_432,
      orderCount: 22_855,
      churnRate: 0.125,
    },
    seq: 2,
    asOf: '2026-11-20T09:59:59.000Z',
    ...overrides,
  };
}

/** An execution; fields the store adds later are filled with defaults. */
export function makeExecution(
  overrides: Partial<SegmentExecution> = {},
): SegmentExecution {
  return {
    id: 'exec-2',
    segmentRuleId: 'rule-vip',
    kind: 'full',
    attempt: 1,
    maxAttempts: 1,
    status: 'success',
    asOf: '2026-11-20T09:59:59.000Z',
    progress: { processed: 1, total: 1 },
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    createdBy: 'user:default/guest',
    log: [],
    ...overrides,
  } as SegmentExecution;
}

/** Synthetic customers: ids and made-up labels only. */
export function makeCustomers(count: number, prefix = 'c'): CustomerSample[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i + 1).padStart(5, '0')}`,
    name: `Customer ${prefix}${i + 1}`,
    country: 'TW',
    tier: 'gold',
    totalSpent: 100_000 + i,
  }));
}

/** A few fields as `GET /fields` lists them. */
export const FIELDS: SegmentFieldInfo[] = [
  {
    name: 'totalSpent',
    label: 'Total spent',
    dataType: 'number',
    group: 'orders',
    operators: ['eq', 'gt', 'gte', 'lt', 'lte', 'between'],
  },
  {
    name: 'daysSinceLastOrder',
    label: 'Days since last order',
    dataType: 'number',
    group: 'orders',
    operators: ['eq', 'gt', 'gte', 'lt', 'lte', 'between'],
  },
  {
    name: 'country',
    label: 'Country',
    dataType: 'string',
    group: 'customer',
    operators: ['eq', 'in'],
    values: ['JP', 'TW', 'US'],
  },
];

/** An error answer shaped like the Backstage backend's error handler. */
export function errorResponse(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/' },
      response: { statusCode: status },
    },
    { status },
  );
}

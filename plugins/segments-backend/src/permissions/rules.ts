import { createPermissionRule } from '@backstage/plugin-permission-node';
import { SegmentStatus } from '@internal/plugin-segments-common';
import { segmentRuleResourceRef } from '@internal/plugin-segments-node';
import { z } from 'zod/v4';
import { ruleParamsSchema } from './paramsSchema';

const refs = (description: string) =>
  z.object({ claims: z.array(z.string().max(255)).max(1000).describe(description) });

const lower = (values: string[]) => values.map(v => v.toLowerCase());

/**
 * Segments created by one of the given entity refs; a policy passes the user's
 * ownership refs (`userInfo.getUserInfo(credentials).ownershipEntityRefs`).
 * @public
 */
export const isOwner = createPermissionRule<typeof segmentRuleResourceRef, { claims: string[] }>({
  name: 'IS_OWNER',
  description: 'Allow segments created by the given users (pass the ownership refs of the current user)',
  resourceRef: segmentRuleResourceRef,
  paramsSchema: ruleParamsSchema(refs('Entity refs of the user and their groups, e.g. user:default/ada')),
  apply: (rule, { claims }) => lower(claims).includes(rule.createdBy.toLowerCase()),
  toQuery: ({ claims }) => ({ property: 'createdBy', values: lower(claims) }),
});

/**
 * Segments shared with one of the given groups (their `visibility`).
 * @public
 */
export const hasVisibility = createPermissionRule<typeof segmentRuleResourceRef, { claims: string[] }>({
  name: 'HAS_VISIBILITY',
  description: 'Allow segments shared with one of the given groups or users (pass the ownership refs of the current user)',
  resourceRef: segmentRuleResourceRef,
  paramsSchema: ruleParamsSchema(refs('Entity refs of groups or users, e.g. group:default/marketing')),
  apply: (rule, { claims }) => {
    const wanted = new Set(lower(claims));
    return (rule.visibility ?? []).some(v => wanted.has(v.toLowerCase()));
  },
  toQuery: ({ claims }) => ({ property: 'visibility', values: lower(claims) }),
});

/**
 * Segments in one of the given lifecycle statuses.
 * @public
 */
export const hasStatus = createPermissionRule<typeof segmentRuleResourceRef, { statuses: SegmentStatus[] }>({
  name: 'HAS_STATUS',
  description: 'Allow segments whose status is one of the given ones',
  resourceRef: segmentRuleResourceRef,
  paramsSchema: ruleParamsSchema(
    z.object({
      statuses: z.array(z.enum(['active', 'inactive', 'draft'])).describe('Statuses, e.g. ["active"]'),
    }),
  ),
  apply: (rule, { statuses }) => statuses.includes(rule.status),
  toQuery: ({ statuses }) => ({ property: 'status', values: statuses }),
});

/** Every permission rule on segments. @public */
export const segmentRulePermissionRules = { isOwner, hasVisibility, hasStatus };

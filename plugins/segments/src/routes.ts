import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/**
 * The Segments page (the list of segments).
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'segments' });

/** Creating a segment. */
export const newSegmentRouteRef = createSubRouteRef({
  id: 'segments/new',
  parent: rootRouteRef,
  path: '/new',
});

/** A segment's detail page. */
export const segmentRouteRef = createSubRouteRef({
  id: 'segments/segment',
  parent: rootRouteRef,
  path: '/:id',
});

/** Editing a segment. */
export const editSegmentRouteRef = createSubRouteRef({
  id: 'segments/edit',
  parent: rootRouteRef,
  path: '/:id/edit',
});

/** The audit trail (administrators). */
export const auditRouteRef = createSubRouteRef({
  id: 'segments/audit',
  parent: rootRouteRef,
  path: '/audit',
});

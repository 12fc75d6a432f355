/**
 * Segments frontend: segment list, rule editor with live preview, and segment
 * detail with members, change reports and run history.
 *
 * @packageDocumentation
 */
export { segmentsPlugin, SegmentsPage } from './plugin';
export { rootRouteRef as segmentsRootRouteRef } from './routes';
export * from './api';

import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SegmentsClient, segmentsApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The Segments plugin for apps on the legacy frontend system.
 * @public
 */
export const segmentsPlugin = createPlugin({
  id: 'segments',
  routes: {
    root: rootRouteRef,
  },
  apis: [
    createApiFactory({
      api: segmentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SegmentsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The Segments pages: list, editor and detail. Mount it at `/segments`.
 * @public
 */
export const SegmentsPage = segmentsPlugin.provide(
  createRoutableExtension({
    name: 'SegmentsPage',
    component: () =>
      import('./components/SegmentsRouter/SegmentsRouter').then(
        m => m.SegmentsRouter,
      ),
    mountPoint: rootRouteRef,
  }),
);

import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import GroupsIcon from '@mui/icons-material/Groups';
import { SegmentsClient, segmentsApiRef } from './api';
import {
  auditRouteRef,
  editSegmentRouteRef,
  newSegmentRouteRef,
  rootRouteRef,
  segmentRouteRef,
} from './routes';

/** The Segments pages at `/segments`. */
const segmentsPage = PageBlueprint.make({
  params: {
    path: '/segments',
    routeRef: rootRouteRef,
    title: 'Segments',
    icon: <GroupsIcon fontSize="inherit" />,
    noHeader: true,
    loader: () =>
      import('./components/SegmentsRouter/SegmentsRouter').then(m => (
        <m.SegmentsRouter />
      )),
  },
});

/** The Segments API client. */
const segmentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: segmentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SegmentsClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The Segments plugin for apps on the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'segments',
  title: 'Segments',
  icon: <GroupsIcon fontSize="inherit" />,
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: rootRouteRef,
    newSegment: newSegmentRouteRef,
    segment: segmentRouteRef,
    editSegment: editSegmentRouteRef,
    audit: auditRouteRef,
  },
  extensions: [segmentsPage, segmentsApi],
});

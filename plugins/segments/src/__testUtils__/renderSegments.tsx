import {
  MockFetchApi,
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { SegmentsClient, segmentsApiRef } from '../api';
import { SegmentsRouter } from '../components/SegmentsRouter/SegmentsRouter';
import { rootRouteRef } from '../routes';

/** Shows the current path, so tests can check navigation. */
function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname}</div>;
}

type AuthorizeOption = NonNullable<
  NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize']
>;
type Decision = Exclude<AuthorizeOption, (...args: any[]) => any>;

/**
 * Renders the Segments pages at `route` inside a test app whose Segments API
 * is the real client over the mocked discovery and fetch APIs (answered by
 * msw). Every permission is granted except the `denied` ones.
 */
export async function renderSegments(
  route: string,
  options: { denied?: string[] } = {},
) {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://localhost:7007' });
  const fetchApi = new MockFetchApi();
  const denied = options.denied ?? [];
  const permissionApi = mockApis.permission({
    authorize: request =>
      (denied.includes(request.permission.name)
        ? 'DENY'
        : 'ALLOW') as unknown as Decision,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [permissionApiRef, permissionApi],
        [segmentsApiRef, new SegmentsClient({ discoveryApi, fetchApi })],
      ]}
    >
      <LocationProbe />
      <Routes>
        <Route path="/segments/*" element={<SegmentsRouter />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/segments': rootRouteRef },
    },
  );
}

import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { DefaultSegmentsService } from './DefaultSegmentsService';

describe('DefaultSegmentsService', () => {
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async () => 'http://segments.test/api/segments',
  });
  const auth = mockServices.auth();

  it('calls the REST API with a token on behalf of the caller and maps segments', async () => {
    const calls: Array<{ url: string; auth?: string }> = [];
    const fetchFn = (async (url: string, init: any) => {
      calls.push({ url, auth: init.headers.Authorization });
      return new Response(
        JSON.stringify({
          items: [
            { id: 'r1', name: 'VIP', status: 'active', priority: 1, latestResult: { customerCount: 12 } },
            { id: 'r2', name: 'New', status: 'draft', priority: 5, parentSegmentId: 'r1' },
          ],
          totalCount: 2,
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    }) as unknown as typeof fetch;
    const service = DefaultSegmentsService.create({ discovery, auth, fetch: fetchFn });
    const segments = await service.listSegments({ credentials: mockCredentials.user(), status: 'active' });
    expect(segments).toEqual([
      { id: 'r1', name: 'VIP', status: 'active', priority: 1, memberCount: 12 },
      { id: 'r2', name: 'New', status: 'draft', priority: 5, parentSegmentId: 'r1' },
    ]);
    expect(calls[0].url).toBe('http://segments.test/api/segments/rules?limit=1000&status=active');
    expect(calls[0].auth).toMatch(/^Bearer .+/);
  });

  it('turns error responses into ResponseError', async () => {
    const fetchFn = (async () =>
      new Response(JSON.stringify({
          error: { name: 'NotFoundError', message: 'No segment rule with id x' },
          request: { method: 'GET', url: '/api/segments/rules/x' },
          response: { statusCode: 404 },
        }), {
        status: 404,
        statusText: 'Not Found',
        headers: { 'content-type': 'application/json' },
      })) as unknown as typeof fetch;
    const service = DefaultSegmentsService.create({ discovery, auth, fetch: fetchFn });
    await expect(
      service.listMembers({ credentials: mockCredentials.user(), segmentId: 'x' }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 404,
      cause: { name: 'NotFoundError', message: 'No segment rule with id x' },
    });
  });
});

import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { DefaultSegmentsService } from './DefaultSegmentsService';

describe('DefaultSegmentsService.listMembers and marketing opt-outs', () => {
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async () => 'http://segments.test/api/segments',
  });

  function serviceRecording(urls: string[]) {
    const fetchFn = (async (url: string) => {
      urls.push(url);
      const body = url.includes('/rules/') ? { id: 'r1', latestResult: { resultId: 'res1' } } : { items: [], totalCount: 0 };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return DefaultSegmentsService.create({ discovery, auth: mockServices.auth(), fetch: fetchFn });
  }

  it('leaves opted-out customers out by default, and includes them only when asked', async () => {
    const urls: string[] = [];
    const service = serviceRecording(urls);
    await service.listMembers({ credentials: mockCredentials.user(), segmentId: 'r1' });
    await service.listMembers({ credentials: mockCredentials.user(), segmentId: 'r1', forMarketing: false, limit: 10 });
    expect(urls.filter(u => u.includes('/results/'))).toEqual([
      'http://segments.test/api/segments/results/res1/customers?limit=50&offset=0&forMarketing=true',
      'http://segments.test/api/segments/results/res1/customers?limit=10&offset=0&forMarketing=false',
    ]);
  });
});

import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { registerMswTestHooks } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API, makeRule } from './__testUtils__/fixtures';
import segmentsPlugin from './alpha';

const server = setupServer();
registerMswTestHooks(server);

describe('segments plugin (new frontend system)', () => {
  it('mounts the Segments page at /segments with its API client', async () => {
    server.use(
      http.get(`${API}/rules`, () =>
        HttpResponse.json({ items: [makeRule()], totalCount: 1 }),
      ),
      http.get(`${API}/data/stats`, () =>
        HttpResponse.json({ customers: 20000, orders: 5, ordersByStatus: {} }),
      ),
    );
    renderTestApp({
      features: [segmentsPlugin],
      initialRouteEntries: ['/segments'],
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
        mockApis.permission(),
      ],
    });
    // Answered through the plugin's own ApiBlueprint client and msw.
    expect(await screen.findByText('VIP customers')).toBeInTheDocument();
    expect(screen.getByText('20,000')).toBeInTheDocument();
  });

  it('declares the routes of its pages', () => {
    expect(Object.keys(segmentsPlugin.routes)).toEqual(
      expect.arrayContaining(['root', 'newSegment', 'segment', 'editSegment']),
    );
  });
});

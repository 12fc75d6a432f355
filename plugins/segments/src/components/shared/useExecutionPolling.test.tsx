import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { signalApiRef, SignalApi } from '@backstage/plugin-signals-react';
import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API } from '../../__testUtils__/fixtures';
import { SegmentsClient, segmentsApiRef } from '../../api';
import { RunProgress } from '../SegmentDetailPage/RunProgress';
import { useExecutionPolling } from './useExecutionPolling';

const server = setupServer();
registerMswTestHooks(server);

/** A signals API whose messages the test pushes. */
function mockSignals() {
  const listeners = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      listeners.set(channel, onMessage as any);
      return { unsubscribe: () => listeners.delete(channel) };
    },
  };
  const push = (channel: string, message: any) =>
    act(() => listeners.get(channel)?.(message));
  return { api, push, listeners };
}

function Probe(props: { onFinished(status: string): void }) {
  const { execution } = useExecutionPolling('exec-1', {
    intervalMs: 60_000,
    onFinished: e => props.onFinished(e.status),
  });
  return (
    <>
      <RunProgress execution={execution} />
      <span data-testid="status">{execution?.status}</span>
    </>
  );
}

describe('useExecutionPolling with signals', () => {
  it('moves the progress bar from signals and asks REST once the run ends', async () => {
    let status = 'running';
    let polls = 0;
    server.use(
      http.get(`${API}/executions/exec-1`, () => {
        polls += 1;
        return HttpResponse.json({
          id: 'exec-1',
          segmentRuleId: 'rule-vip',
          status,
          asOf: '2026-11-20T10:00:00.000Z',
          progress: { processed: status === 'running' ? 0 : 4, total: 4 },
          startedAt: '2026-11-20T10:00:00.000Z',
          log: [],
        });
      }),
    );
    const signals = mockSignals();
    const discoveryApi = mockApis.discovery({
      baseUrl: 'http://localhost:7007',
    });
    const fetchApi = new MockFetchApi();
    const finished: string[] = [];
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [discoveryApiRef, discoveryApi],
          [fetchApiRef, fetchApi],
          [signalApiRef, signals.api],
          [segmentsApiRef, new SegmentsClient({ discoveryApi, fetchApi })],
        ]}
      >
        <Probe onFinished={s => finished.push(s)} />
      </TestApiProvider>,
    );
    expect(await screen.findByText(/0 of 4 segment/)).toBeInTheDocument();
    expect(signals.listeners.has('segments:execution')).toBe(true);

    // Another run's progress is ignored.
    await signals.push('segments:execution', {
      executionId: 'exec-other',
      status: 'running',
      processed: 3,
      total: 4,
    });
    expect(screen.getByText(/0 of 4 segment/)).toBeInTheDocument();

    await signals.push('segments:execution', {
      executionId: 'exec-1',
      segmentRuleId: 'rule-vip',
      status: 'running',
      processed: 2,
      total: 4,
    });
    // No poll in between (the interval is a minute): the signal moved it.
    expect(screen.getByText(/2 of 4 segment/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '50',
    );
    expect(polls).toBe(1);

    // The end comes from REST, asked at once when the signal says so.
    status = 'success';
    await signals.push('segments:execution', {
      executionId: 'exec-1',
      status: 'success',
      processed: 4,
      total: 4,
    });
    await waitFor(() => expect(finished).toEqual(['success']));
    expect(polls).toBe(2);
    expect(screen.getByTestId('status')).toHaveTextContent('success');
  });
});

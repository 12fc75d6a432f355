import { Worker } from 'worker_threads';

/** One request of the hammer: when it started (ms since the epoch), how long it took, and how it ended. */
export interface HammerSample {
  at: number;
  ms: number;
  /** HTTP status, or the error code (ECONNRESET, TIMEOUT, ...) when no answer came. */
  outcome: number | string;
}

// Plain JS in a worker thread: the clients keep their own event loop, so a
// blocked server loop shows up as server latency, not as a stalled client.
const WORKER = `
const { parentPort, workerData } = require('worker_threads');
const http = require('http');
const { url, clients, timeoutMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const samples = [];
let stopping = false;
const now = () => performance.timeOrigin + performance.now();
function once() {
  return new Promise(resolve => {
    const at = now();
    const done = outcome => { samples.push({ at, ms: now() - at, outcome }); resolve(); };
    const req = http.get(url, { agent, timeout: timeoutMs }, res => {
      res.resume();
      res.on('end', () => done(res.statusCode));
      res.on('error', e => done(e.code || 'ERROR'));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', e => done(e.code || 'ERROR'));
  });
}
async function client() { while (!stopping) await once(); }
const running = Array.from({ length: clients }, client);
parentPort.on('message', async () => {
  stopping = true;
  await Promise.all(running);
  agent.destroy();
  parentPort.postMessage(samples);
});
`;

/**
 * Starts `clients` keep-alive HTTP clients, each sending GET `url` again as
 * soon as its previous answer arrived, in a worker thread. `stop()` ends them
 * (after their requests in flight) and returns every request made.
 */
export function startHammer(url: string, clients: number, timeoutMs = 60_000) {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { url, clients, timeoutMs },
  });
  return {
    stop: () =>
      new Promise<HammerSample[]>((resolve, reject) => {
        worker.once('message', samples => {
          worker.terminate().then(() => resolve(samples), reject);
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

/** Latency figures of the requests started in [from, to]. */
export interface HammerFigures {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  /** Requests without a 2xx answer (errors, timeouts, resets, 5xx). */
  failed: number;
  failures: Record<string, number>;
}

/** Figures of the samples that started in the window. */
export function hammerFigures(
  samples: HammerSample[],
  from: number,
  to: number,
): HammerFigures {
  const inside = samples.filter(s => s.at >= from && s.at <= to);
  const ms = inside.map(s => s.ms).sort((a, b) => a - b);
  const rank = (q: number) =>
    ms.length ? ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] : NaN;
  const failures: Record<string, number> = {};
  for (const s of inside) {
    if (typeof s.outcome === 'number' && s.outcome >= 200 && s.outcome < 300)
      continue;
    failures[String(s.outcome)] = (failures[String(s.outcome)] ?? 0) + 1;
  }
  return {
    requests: inside.length,
    p50: rank(0.5),
    p99: rank(0.99),
    max: ms.length ? ms[ms.length - 1] : NaN,
    failed: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
  };
}

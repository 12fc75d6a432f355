import { databases } from '../__testUtils__/testBackend';
import { fuzzDatabase, RUNS } from './__testUtils__/fuzzRun';

/**
 * Schema-driven fuzzing of every route in openapi.yaml on SQLite, over real HTTP
 * with the real permission framework (see fuzzRun.ts). `npm run fuzz -- --runs
 * N --seed S` runs longer or replays a finding.
 */

// Every log line of the backend, at every level, goes to capturedLogs.
jest.mock('@backstage/backend-test-utils', () => {
  const actual = jest.requireActual('@backstage/backend-test-utils');
  const { capturingRootLogger } = require('./fuzzHarness');
  return {
    ...actual,
    startTestBackend: (o: any) =>
      actual.startTestBackend({
        ...o,
        features: [...o.features, capturingRootLogger],
      }),
  };
});
jest.setTimeout(120_000 + RUNS.SQLITE_3 * 100);

describe('schema-driven fuzzing on SQLITE_3', () => {
  const run = databases.eachSupportedId().some(([id]) => id === 'SQLITE_3')
    ? it
    : it.skip;
  run(
    'answers every generated request without a 5xx, a personal-data leak or a change by a refused request',
    () => fuzzDatabase('SQLITE_3'),
  );
});

import { databases } from '../__testUtils__/testBackend';
import { describeFuzz } from './__testUtils__/fuzzRun';

/**
 * Schema-driven fuzzing of every route in openapi.yaml on SQLite, over real
 * HTTP with the real permission framework (see __testUtils__/fuzzRun.ts).
 * `npm run fuzz -- --runs N --seed S` runs longer or replays a finding.
 */
describeFuzz(
  'SQLITE_3',
  databases.eachSupportedId().map(([id]) => id),
);

#!/usr/bin/env node
/* eslint-disable no-console */
// Runs the schema-driven fuzz test of the segments API (src/schema/fuzz.*.test.ts)
// on SQLite and PostgreSQL 15. Usage:
//   npm run fuzz -- [--runs N] [--runs-pg N] [--seed S] [--db sqlite|postgres]
// --runs: requests on SQLite (default 4000; PostgreSQL gets a quarter unless --runs-pg);
// --seed: the generator's seed (default fixed, as in CI); a finding prints its
// seed and run number, and `--seed S --runs RUN` replays the sequence up to it.
const { spawnSync } = require('child_process');
const path = require('path');

const args = process.argv.slice(2);
const opt = name => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = {
  ...process.env,
  CI: 'true',
  BACKSTAGE_TEST_DISABLE_DOCKER: '1',
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
};
if (opt('runs')) env.SEGMENTS_FUZZ_RUNS = opt('runs');
if (opt('runs-pg')) env.SEGMENTS_FUZZ_RUNS_PG = opt('runs-pg');
if (opt('seed')) env.SEGMENTS_FUZZ_SEED = opt('seed');
const files = opt('db') ? `src/schema/fuzz.${opt('db')}` : 'src/schema/fuzz\\.';
console.log(
  `fuzz: seed ${env.SEGMENTS_FUZZ_SEED ?? 'default'}, runs ${
    env.SEGMENTS_FUZZ_RUNS ?? 'default'
  }`,
);
const run = spawnSync(
  'npx',
  ['backstage-cli', 'package', 'test', '--no-watch', files],
  {
    stdio: 'inherit',
    env,
    cwd: path.resolve(__dirname, '../plugins/segments-backend'),
  },
);
process.exit(run.status ?? 1);

#!/usr/bin/env node
/* eslint-disable no-console */
// Runs every unit and integration test of the repo once (no watch mode), on
// SQLite and on PostgreSQL 15, and ends with one "N passed, N failed" line.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const env = {
  ...process.env,
  CI: 'true',
  BACKSTAGE_TEST_DISABLE_DOCKER: '1',
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
};
const out = path.join(os.tmpdir(), `segments-jest-${process.pid}.json`);
const args = ['backstage-cli', 'repo', 'test', '--json', `--outputFile=${out}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit', env, cwd: path.resolve(__dirname, '..') });

let summary = 'tests did not report';
if (fs.existsSync(out)) {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
  if (r.numPendingTests) summary += `, ${r.numPendingTests} skipped`;
  fs.unlinkSync(out);
}
console.log(summary);
process.exit(run.status ?? 1);

import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createRule, execute, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';
import { readBackupConfig, scheduleBackup } from './backupTask';
import { checkBackup, restoreSqliteBackup } from './restoreSqlite';
import { backupFileName, backupTime, pruneBackups } from './sqliteBackup';

jest.setTimeout(180_000);

const CUSTOMERS = Array.from({ length: 30 }, (_, i) => ({
  id: `b-${i}`,
  name: `Backup Person ${i}`,
  email: `backup.${i}@example.com`,
  birthDate: `19${60 + i}-05-1${i % 10}`,
  country: i % 3 ? 'TW' : 'JP',
  createdAt: '2024-01-01T00:00:00Z',
}));

/** Customers, orders, two segments run twice (membership history), audited reads. */
async function workload(server: any) {
  await ingest(server, {
    customers: CUSTOMERS,
    orders: CUSTOMERS.map((c, i) => ({
      id: `o-${i}`,
      customerId: c.id,
      orderedAt: '2025-01-10T00:00:00Z',
      amount: 10 * i,
      status: 'completed',
    })),
  });
  await createRule(server, {
    name: 'Taiwan',
    conditions: [leaf('country', 'eq', 'TW', 'string')],
  });
  await createRule(server, {
    name: 'Adults',
    priority: 1,
    conditions: [leaf('age', 'gte', 40, 'number')],
  });
  expect(
    (await execute(server, { asOf: '2025-06-01T00:00:00.000Z' })).status,
  ).toBe('success');
  // Some customers move to Japan: the second run removes them from "Taiwan".
  await ingest(server, {
    customers: CUSTOMERS.slice(0, 6).map(c => ({ ...c, country: 'JP' })),
  });
  expect(
    (await execute(server, { asOf: '2025-07-01T00:00:00.000Z' })).status,
  ).toBe('success');
  expect(
    (
      await request(server).get(
        `/api/segments/data/customers/${CUSTOMERS[1].id}`,
      )
    ).status,
  ).toBe(200);
  expect(
    (
      await request(server).get(
        `/api/segments/data/customers/${CUSTOMERS[2].id}/export`,
      )
    ).status,
  ).toBe(200);
}

/** Every row of every table, rows sorted (PostgreSQL returns them in any order). */
async function dumpTables(knex: Knex) {
  const pg = knex.client.config.client === 'pg';
  const tables: string[] = pg
    ? (
        await knex.raw(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      ).rows.map((r: any) => r.name)
    : (
        await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      ).map((r: any) => r.name);
  const dump: Record<string, string[]> = {};
  for (const table of tables.sort()) {
    dump[table] = (await knex(table).select())
      .map(r => JSON.stringify(r))
      .sort();
  }
  for (const t of [
    'segment_rules',
    'segment_results',
    'segment_memberships',
    'segment_audit_events',
    'customers',
  ]) {
    if (t in dump) expect(dump[t].length).toBeGreaterThan(0);
  }
  expect(Object.keys(dump)).toEqual(
    expect.arrayContaining([
      'segment_rules',
      'segment_results',
      'segment_memberships',
      'segment_audit_events',
    ]),
  );
  return dump;
}

/** What the API shows of the segments, their results and the audit trail. */
async function apiView(server: any) {
  const rules = (await request(server).get('/api/segments/rules')).body;
  const audit = (await request(server).get('/api/segments/audit?limit=500'))
    .body;
  const customer = (
    await request(server).get(`/api/segments/data/customers/${CUSTOMERS[1].id}`)
  ).body;
  return { rules, auditCount: audit.totalCount, customer };
}

async function startOnFile(file: string, backupDirectory: string) {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  const scheduler = mockServices.scheduler.mock();
  const { backend } = await startSegmentsBackend(
    'SQLITE_3',
    { segments: { backup: { directory: backupDirectory, retentionDays: 30 } } },
    { knex, features: [scheduler.factory] },
  );
  const task = (scheduler.scheduleTask as jest.Mock).mock.calls
    .map(c => c[0])
    .find(t => t.id === 'segments-backup');
  return { backend, knex, task };
}

describe('SQLite backup and restore', () => {
  it('restores a backup taken by the scheduled task to the same tables, results, history and audit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-backup-'));
    const file = path.join(dir, 'segments.sqlite');
    const backups = path.join(dir, 'backups');
    const first = await startOnFile(file, backups);
    expect(first.task).toMatchObject({
      id: 'segments-backup',
      frequency: { hours: 1 },
      scope: 'global',
    });
    await workload(first.backend.server);
    const viewBefore = await apiView(first.backend.server);
    expect(viewBefore.auditCount).toBeGreaterThan(3);
    // After the API reads, which are audited too.
    const tablesBefore = await dumpTables(first.knex);

    await first.task.fn(new AbortController().signal);
    const [name] = fs.readdirSync(backups);
    expect(backupTime(name)).toBeGreaterThan(Date.now() - 60_000);
    const backup = path.join(backups, name);
    expect((await checkBackup(backup)).keyIds).toEqual(['test-a']);
    // Refused while this process (the running backend) holds the database.
    await expect(restoreSqliteBackup({ backup, target: file })).rejects.toThrow(
      /open in process/,
    );

    await first.backend.stop();
    await first.knex.destroy();
    fs.rmSync(file);
    const restored = await restoreSqliteBackup({ backup, target: file });
    expect(restored).toEqual({ keptAside: [], keyIds: ['test-a'] });

    const second = await startOnFile(file, backups);
    expect(await dumpTables(second.knex)).toEqual(tablesBefore);
    const viewAfter = await apiView(second.backend.server);
    expect(viewAfter).toEqual({
      ...viewBefore,
      auditCount: expect.any(Number),
    });
    expect(viewAfter.customer.email).toBe(CUSTOMERS[1].email);

    // Restoring over an existing database keeps it aside.
    await second.backend.stop();
    await second.knex.destroy();
    const again = await restoreSqliteBackup({
      backup,
      target: file,
      now: new Date('2026-12-05T10:00:00Z'),
    });
    expect(again.keptAside).toEqual([`${file}.replaced-20261205T100000Z`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a damaged or foreign backup and leaves the database alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-restore-'));
    const target = path.join(dir, 'segments.sqlite');
    fs.writeFileSync(target, 'the current database');
    const junk = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(junk, Buffer.alloc(8192, 7));
    await expect(restoreSqliteBackup({ backup: junk, target })).rejects.toThrow(
      /Backup check failed/,
    );
    const other = path.join(dir, 'other.sqlite');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: other },
      useNullAsDefault: true,
    });
    await knex.schema.createTable('t', t => t.integer('x'));
    await knex.destroy();
    await expect(
      restoreSqliteBackup({ backup: other, target }),
    ).rejects.toThrow(/not a Segments database/);
    expect(fs.readFileSync(target, 'utf8')).toBe('the current database');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('backup retention', () => {
  it('keeps every backup of the last 48 h, then the first of each UTC day up to 30 days, and nothing else is touched', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-retention-'));
    const now = Date.parse('2026-12-05T12:00:00Z');
    const name = (iso: string) => backupFileName(new Date(iso));
    const kept = [
      '2026-12-05T11:00:00Z', // 1 h old
      '2026-12-03T13:00:00Z', // 47 h: within 48 h, though not the first of its day
      '2026-12-03T01:00:00Z', // first of 12-03
      '2026-12-02T00:00:00Z', // first of 12-02
      '2026-11-06T00:00:00Z', // 29.5 days, first of its day
    ].map(name);
    const deleted = [
      '2026-10-01T00:00:00Z', // past 30 days
      '2026-11-05T11:00:00Z', // 30 days and an hour
      '2026-12-02T05:00:00Z', // second of 12-02
      '2026-12-03T11:00:00Z', // 49 h, second of 12-03
    ].map(name);
    const others = ['notes.txt', 'segments-20200101T000000Z.sqlite.partial'];
    for (const n of [...kept, ...deleted, ...others])
      fs.writeFileSync(path.join(dir, n), '');
    expect(
      await pruneBackups({
        directory: dir,
        retentionDays: 30,
        keepAllHours: 48,
        now,
      }),
    ).toEqual(deleted);
    expect(fs.readdirSync(dir).sort()).toEqual([...kept, ...others].sort());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads segments.backup with hourly and 30-day defaults', () => {
    expect(readBackupConfig(new ConfigReader({}))).toBeUndefined();
    expect(
      readBackupConfig(
        new ConfigReader({ segments: { backup: { directory: '/b' } } }),
      ),
    ).toEqual({
      directory: '/b',
      frequency: { hours: 1 },
      retentionDays: 30,
      keepAllHours: 48,
    });
    expect(
      readBackupConfig(
        new ConfigReader({
          segments: {
            backup: { directory: '/b', frequency: { cron: '5 * * * *' } },
          },
        }),
      )?.frequency,
    ).toEqual({ cron: '5 * * * *' });
    expect(() =>
      readBackupConfig(
        new ConfigReader({
          segments: { backup: { directory: '/b', retentionDays: 0 } },
        }),
      ),
    ).toThrow(/retentionDays/);
  });
  it('schedules nothing on PostgreSQL, which is backed up outside the backend', async () => {
    const scheduler = mockServices.scheduler.mock();
    const logger = mockServices.logger.mock();
    await scheduleBackup({
      scheduler,
      logger,
      config: new ConfigReader({ segments: { backup: { directory: '/b' } } }),
      knex: { client: { driverName: 'pg' } } as unknown as Knex,
    });
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('docs/operations.md'),
    );
  });
});

const hasPg = databases.eachSupportedId().some(([id]) => id === 'POSTGRES_15');
const hasPgDump = (() => {
  try {
    execFileSync('pg_dump', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

(hasPg && hasPgDump ? describe : describe.skip)(
  'PostgreSQL pg_dump / pg_restore',
  () => {
    it('round-trips every table of the plugin database', async () => {
      const { server, knex } = await startSegmentsBackend('POSTGRES_15');
      await workload(server);
      const before = await dumpTables(knex);
      const c: any = knex.client.config.connection;
      const url = (db: string) =>
        `postgresql://${encodeURIComponent(c.user)}${
          c.password ? `:${encodeURIComponent(c.password)}` : ''
        }@${c.host}:${c.port ?? 5432}/${db}`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-pgdump-'));
      const dumpFile = path.join(dir, 'segments.dump');
      execFileSync('pg_dump', [
        '--format=custom',
        '--file',
        dumpFile,
        '-d',
        url(c.database),
      ]);
      const restoredDb = `${c.database}_restored`;
      await knex.raw(`CREATE DATABASE ??`, [restoredDb]);
      execFileSync('pg_restore', [
        '--no-owner',
        '--exit-on-error',
        '-d',
        url(restoredDb),
        dumpFile,
      ]);
      const restored = knexFactory({
        client: 'pg',
        connection: url(restoredDb),
      });
      try {
        expect(await dumpTables(restored)).toEqual(before);
      } finally {
        await restored.destroy();
        await knex.raw(`DROP DATABASE ??`, [restoredDb]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

import fs from 'fs';
import os from 'os';
import { Knex } from 'knex';

/** What the figures were measured on: cores, CPU model, memory, Node, database versions and settings. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverage: string;
  postgres?: string;
  postgresSettings?: string;
  sqlite?: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Static facts of this machine plus the versions of the databases behind the given clients. */
export async function describeMachine(dbs: { pg?: Knex; sqlite?: Knex }): Promise<MachineInfo> {
  const info: MachineInfo = {
    cores: os.cpus().length,
    cpuModel: cpuModel(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map(l => l.toFixed(2)).join(' '),
  };
  if (dbs.pg) {
    const { rows } = await dbs.pg.raw(`SELECT current_setting('server_version') AS v`);
    info.postgres = `PostgreSQL ${rows[0].v}`;
    const names = [
      'shared_buffers',
      'work_mem',
      'effective_cache_size',
      'max_parallel_workers_per_gather',
      'jit',
      'random_page_cost',
      'autovacuum',
    ];
    const settings = await dbs.pg.raw(
      `SELECT name, current_setting(name) AS v FROM pg_settings WHERE name IN (${names.map(() => '?').join(', ')}) ORDER BY name`,
      names,
    );
    info.postgresSettings = settings.rows.map((r: any) => `${r.name}=${r.v}`).join(', ');
  }
  if (dbs.sqlite) {
    const [{ v }] = await dbs.sqlite.raw('SELECT sqlite_version() AS v');
    let driver = '';
    try {
      driver = ` via better-sqlite3 ${require('better-sqlite3/package.json').version}`;
    } catch {
      // unknown driver version
    }
    info.sqlite = `SQLite ${v}${driver}`;
  }
  return info;
}

/** One line for reports. */
export function machineLine(m: MachineInfo): string {
  return [
    `${m.cores} cores (${m.cpuModel})`,
    `${m.memoryGiB} GiB RAM`,
    m.kernel,
    `Node ${m.node}`,
    m.postgres && `${m.postgres} (${m.postgresSettings})`,
    m.sqlite,
  ]
    .filter(Boolean)
    .join('; ');
}

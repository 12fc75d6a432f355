import { Knex } from 'knex';

/**
 * Write-ahead logging for the embedded SQLite database, with `synchronous =
 * NORMAL`: a commit no longer waits for the disk (runs on SQLite commit a
 * slice at a time so that the API stays responsive, and each commit cost
 * ~18 ms of fsync in rollback-journal mode), readers never wait for the
 * writer's fsync, and a crash of the process loses nothing committed. A power
 * failure may lose the last commits; the hourly backups bound the rest.
 * Does nothing on other databases or in-memory ones.
 */
export async function tuneSqlite(db: Knex): Promise<void> {
  if (db.client.config.client !== 'better-sqlite3') return;
  const set = (connection: any) => {
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
  };
  // The pool keeps one connection; a replaced one gets the same settings.
  db.client.pool.on('createSuccess', (_id: unknown, connection: any) =>
    set(connection),
  );
  const connection = await db.client.acquireConnection();
  try {
    set(connection);
  } finally {
    await db.client.releaseConnection(connection);
  }
}

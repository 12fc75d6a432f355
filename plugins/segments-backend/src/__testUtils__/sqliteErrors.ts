import path from 'path';

/**
 * Makes the SQLite errors thrown in this test file real `Error`s of this test
 * file.
 *
 * Jest runs every test file in its own realm (its own `Error`) and loads its
 * own copy of every JS module, but a native addon is loaded once per worker
 * process and shared by all the files the worker runs. better-sqlite3 gives
 * its addon the constructor of its errors (`SqliteError`, a subclass of the
 * realm's `Error`) only once, for the first database opened in the process
 * (`addon.isInitialized`, lib/database.js). Every later test file in the same
 * worker then receives errors whose prototype chain ends in an earlier file's
 * `Error`: not `instanceof Error`, and `Object.prototype.toString` gives
 * `[object Object]`. `expect(promise).rejects.toThrow()` only treats a
 * rejection as thrown when it is an `Error` of the test's realm, so a
 * duplicate key that SQLite did reject was reported as "Received function did
 * not throw" — only in runs where another file had used SQLite first in that
 * worker (the whole-repo run, or any `--runInBand` run). Production has one
 * realm and is not affected. Upstream: WiseLibs/better-sqlite3#162, #1159.
 *
 * Called when the shared test utilities load, which happens once per test
 * file (each file has its own module registry). Checks itself: throws if
 * errors still come from another realm.
 */
export function useThisRealmForSqliteErrors(): void {
  const root = path.dirname(require.resolve('better-sqlite3/package.json'));
  // The addon object better-sqlite3 itself loads (lib/database.js): Jest hands
  // `.node` files to Node's own require, so this is the process-wide instance.
  const bindings = require(require.resolve('bindings', { paths: [root] }));
  const addon = bindings({
    bindings: 'better_sqlite3.node',
    module_root: root,
  });
  const Database = require('better-sqlite3');
  addon.setErrorConstructor(Database.SqliteError);
  addon.isInitialized = true;

  const db = new Database(':memory:');
  let error: unknown;
  try {
    db.exec('SELECT * FROM "no such table"');
  } catch (e) {
    error = e;
  } finally {
    db.close();
  }
  if (!(error instanceof Error) || !(error instanceof Database.SqliteError)) {
    const got = String(error);
    throw new Error(
      `useThisRealmForSqliteErrors: expected an Error of this realm, got ${got}`,
    );
  }
}

const PG_SQLSTATE = /^[0-9A-Z]{5}$/;
const STATEMENT =
  /^\s*(select|insert|update|delete|with|create|alter|drop|analyze|pragma|set|begin|commit|rollback|lock)\b/i;
const NODE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * What a run records about an error: the execution's `error` and its log are
 * read by everyone who may see the segment, so they carry no statement and no
 * bound value. Knex prefixes a driver's message with the statement, its
 * values interpolated (customer ids of an incremental run, the execution id),
 * and drivers quote values in their own messages ("invalid input syntax for
 * type numeric: \"x\""); database errors are therefore described by their
 * code, and other messages lose any statement prefix and quoted text.
 */
export function runErrorMessage(e: unknown): string {
  const error = e as { code?: unknown; message?: unknown };
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (code && PG_SQLSTATE.test(code))
    return `database error ${code}: ${pgDescription(code)}`;
  if (code?.startsWith('SQLITE_'))
    return `database error ${code}: ${sqliteDescription(code)}`;
  if (code && NODE_NETWORK_CODES.has(code))
    return `database connection failed (${code})`;
  let message = typeof error?.message === 'string' ? error.message : String(e);
  // "<statement> - <driver message>": keep the driver's part.
  if (STATEMENT.test(message) && message.includes(' - '))
    message = message.slice(message.lastIndexOf(' - ') + 3);
  else if (STATEMENT.test(message)) message = 'database statement failed';
  message = message
    .split('\n')[0]
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .trim();
  return message.length > 200 ? `${message.slice(0, 199)}…` : message;
}

/**
 * Errors of the database rather than of a segment: a dropped connection, a
 * cancelled or timed-out statement, a busy or failing database. A run stops
 * at one (and is retried, resuming from its checkpoint) instead of recording
 * the segment as failed and going on with the next, whose statements would
 * most likely fail the same way.
 */
export function isDatabaseFault(e: unknown): boolean {
  const error = e as { code?: unknown; message?: unknown };
  const code = typeof error?.code === 'string' ? error.code : '';
  if (/^(08|53|57|58)/.test(code) && PG_SQLSTATE.test(code)) return true; // connection, resources, operator intervention, system
  if (code === '40001' || code === '40P01' || code === '55P03') return true; // serialization failure, deadlock, lock not available
  if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|PROTOCOL)/.test(code))
    return true;
  if (NODE_NETWORK_CODES.has(code)) return true;
  const message = typeof error?.message === 'string' ? error.message : '';
  return /Connection terminated|Connection ended unexpectedly|Client has encountered a connection error|Timeout acquiring a connection|The database connection is not open/i.test(
    message,
  );
}

/**
 * What may be logged of an error: its class, its driver code and, for database
 * errors, the statement's shape with every literal replaced by `?`. Never the
 * message of a driver (it quotes values) nor the bindings.
 */
export function describeError(error: unknown): string {
  const e = error as {
    name?: string;
    code?: unknown;
    message?: unknown;
    constructor?: { name?: string };
  };
  const cls = e?.constructor?.name ?? e?.name ?? typeof error;
  const code =
    typeof e?.code === 'string' || typeof e?.code === 'number'
      ? ` ${e.code}`
      : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  // Knex prefixes driver errors with the statement, values interpolated: "<sql> - <driver message>".
  const sql =
    STATEMENT.test(message) && message.includes(' - ')
      ? ` in: ${statementShape(message.slice(0, message.lastIndexOf(' - ')))}`
      : '';
  return `${cls}${code}${sql}`;
}

/** A statement with its string, number and blob literals replaced by `?`, at most 300 characters. */
export function statementShape(sql: string): string {
  const shape = sql
    .replace(/\b[xX]'[0-9a-fA-F]*'/g, '?')
    .replace(/'(?:[^']|'')*'?/g, '?')
    .replace(/(?<![\w$"`])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return shape.length > 300 ? `${shape.slice(0, 300)}…` : shape;
}

function pgDescription(code: string): string {
  const known: Record<string, string> = {
    '57014': 'statement cancelled (statement timeout or cancel request)',
    '57P01': 'connection terminated by an administrator',
    '57P02': 'connection terminated (crash shutdown)',
    '57P03': 'the database cannot accept connections now',
    '55P03': 'lock not available (lock timeout)',
    '40001': 'serialization failure',
    '40P01': 'deadlock detected',
    '53100': 'disk full',
    '53200': 'out of memory',
    '53300': 'too many connections',
  };
  if (known[code]) return known[code];
  const byClass: Record<string, string> = {
    '08': 'connection failure',
    '22': 'invalid data',
    '23': 'integrity constraint violated',
    '42': 'invalid statement',
    '53': 'insufficient resources',
    '57': 'operator intervention',
    '58': 'system error',
    XX: 'internal error',
  };
  return byClass[code.slice(0, 2)] ?? 'statement failed';
}

function sqliteDescription(code: string): string {
  const known: Array<[string, string]> = [
    ['SQLITE_BUSY', 'database is locked by another connection'],
    ['SQLITE_LOCKED', 'table is locked'],
    ['SQLITE_IOERR', 'disk I/O error'],
    ['SQLITE_FULL', 'disk full'],
    ['SQLITE_CANTOPEN', 'cannot open the database file'],
    ['SQLITE_NOMEM', 'out of memory'],
    ['SQLITE_CONSTRAINT', 'constraint violated'],
    ['SQLITE_ERROR', 'statement failed'],
  ];
  return (
    known.find(([prefix]) => code.startsWith(prefix))?.[1] ?? 'statement failed'
  );
}

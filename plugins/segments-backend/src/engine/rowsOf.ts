/** Rows of a raw query on either driver (better-sqlite3 gives an array, pg a result object). */
export function rowsOf(result: any): any[] {
  return Array.isArray(result) ? result : result.rows;
}

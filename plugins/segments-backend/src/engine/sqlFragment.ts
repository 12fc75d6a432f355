import { SqlFragment } from './types';

/** Marks a value to be bound as a parameter, with the SQL type the database should read it as (`CAST(? AS type)`). */
export class Param {
  constructor(
    readonly value: unknown,
    readonly pgType?: string,
  ) {}
}

type Part = SqlFragment | Param | string | number;

function isFragment(p: unknown): p is SqlFragment {
  return typeof p === 'object' && p !== null && 'sql' in p && 'bindings' in p;
}

/**
 * Tagged template that keeps SQL text and its `?` bindings in step:
 * fragments are inlined with their bindings, `Param`s become placeholders,
 * and plain strings/numbers are inlined as trusted SQL (column names, literals
 * the engine computes).
 */
export function sql(strings: TemplateStringsArray, ...parts: Part[]): SqlFragment {
  let text = strings[0];
  const bindings: any[] = [];
  parts.forEach((p, i) => {
    if (isFragment(p)) {
      text += p.sql;
      bindings.push(...p.bindings);
    } else if (p instanceof Param) {
      text += p.pgType ? `CAST(? AS ${p.pgType})` : '?';
      bindings.push(p.value);
    } else {
      text += String(p);
    }
    text += strings[i + 1];
  });
  return { sql: text, bindings };
}

/** Joins fragments with a separator. */
export function joinSql(fragments: SqlFragment[], separator: string): SqlFragment {
  return {
    sql: fragments.map(f => f.sql).join(separator),
    bindings: fragments.flatMap(f => f.bindings),
  };
}

/* eslint-disable @backstage/no-undeclared-imports */
// (Test-only code: its dev dependencies are used by the fuzz tests alone.)
import fc from 'fast-check';
import {
  anyHostile,
  GenContext,
  hostileString,
  IdRef,
  idRef,
  invalid,
  Operation,
  Pool,
  POOL_OF_KEY,
  valid,
} from './fuzzGenerator';

/** Principals of securedBackend.ts's `as`. */
export type Role =
  | 'admin'
  | 'editor'
  | 'viewer'
  | 'norole'
  | 'service'
  | 'ingestOnly'
  | 'anonymous'
  | 'forged';

/** A generated request, before its id references are resolved. */
export interface FuzzRequest {
  op: string;
  role: Role;
  pathId?: IdRef;
  query: Array<[string, unknown]>;
  body?: { json: unknown } | { type: string; raw: string | number[] };
  requestId?: string;
}

/** The same request, ready to send and to print. */
export interface ResolvedRequest {
  op: string;
  role: Role;
  method: string;
  url: string;
  body?: { json: unknown } | { type: string; raw: string | number[] };
  requestId?: string;
}

const POOL_OF_PATH: Array<[RegExp, Pool]> = [
  [/^\/rules\//, 'rule'],
  [/^\/results\//, 'result'],
  [/^\/executions\//, 'execution'],
  [/^\/(data\/)?customers\//, 'customer'],
];

const role: fc.Arbitrary<Role> = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Role>('admin') },
  { weight: 2, arbitrary: fc.constant<Role>('editor') },
  { weight: 2, arbitrary: fc.constant<Role>('service') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Role>(
      'viewer',
      'norole',
      'ingestOnly',
      'anonymous',
      'forged',
    ),
  },
);

/** Bodies that are not JSON, not an object, or sent with the wrong content type. */
function rawBody(
  validJson: fc.Arbitrary<unknown>,
): fc.Arbitrary<{ type: string; raw: string | number[] }> {
  const json = 'application/json';
  return fc.oneof(
    fc.constantFrom<{ type: string; raw: string | number[] }>(
      { type: json, raw: '{"name":' },
      { type: json, raw: '"rule"' },
      { type: json, raw: 'null' },
      { type: json, raw: '42' },
      { type: json, raw: '{"a":1,"a":2' },
      { type: json, raw: `${'['.repeat(20_000)}${']'.repeat(20_000)}` },
      { type: json, raw: `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}` },
      {
        type: json,
        raw: [0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d],
      },
      {
        type: 'application/x-www-form-urlencoded',
        raw: 'name=x&items[0][id]=c1',
      },
      { type: 'application/json; charset=latin1', raw: '{}' },
    ),
    validJson.map(v => ({ type: 'text/plain', raw: JSON.stringify(v ?? {}) })),
    validJson.map(v => ({
      type: json,
      raw: `{"__proto__":{"isAdmin":true},"constructor":{"prototype":1},${JSON.stringify(
        v ?? {},
      ).slice(1)}`,
    })),
  );
}

/** Arbitrary requests to one operation: valid and invalid parameters and bodies, as various principals. */
export function requestsFor(
  op: Operation,
  ctx: GenContext,
): fc.Arbitrary<FuzzRequest> {
  const pool = POOL_OF_PATH.find(([re]) => re.test(op.path))?.[1];
  const withPii = op.path.includes('preview');
  const param = (
    p: Operation['query'][number],
  ): fc.Arbitrary<[string, unknown] | undefined> => {
    let value: fc.Arbitrary<unknown> = fc.oneof(
      { weight: 3, arbitrary: valid(p.schema, ctx) },
      invalid(p.schema, ctx),
    );
    if (POOL_OF_KEY[p.name]) value = idRef(POOL_OF_KEY[p.name]);
    if (p.name === 'ids')
      value = fc.oneof(
        fc.array(idRef('rule'), { minLength: 2, maxLength: 5 }),
        fc.constantFrom<unknown>(
          '',
          ',',
          Array.from({ length: 51 }, (_, i) => `r${i}`).join(','),
        ),
      );
    return fc.option(
      value.map(v => [p.name, v] as [string, unknown]),
      { freq: p.required ? 8 : 2, nil: undefined },
    );
  };
  const extras = fc.array(
    fc.oneof(
      fc.tuple(
        fc.constantFrom(
          'unknown',
          'limit',
          'search[$ne]',
          '__proto__',
          'type[]',
        ),
        anyHostile,
      ),
      fc.constant<[string, unknown]>(['limit', '1']),
    ),
    { maxLength: 1 },
  );
  const query = fc
    .tuple(
      fc.tuple(...op.query.map(param)),
      fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, extras),
    )
    .map(([ps, ex]) => [
      ...(ps.filter(Boolean) as Array<[string, unknown]>),
      ...ex,
    ]);
  const anyJson = fc.oneof(fc.constant({}), fc.jsonValue({ maxDepth: 2 }));
  const body = op.body
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: valid(op.body.schema, ctx, 3, withPii).map(json => ({
            json,
          })),
        },
        {
          weight: 4,
          arbitrary: valid(op.body.schema, ctx, 3, withPii, true).map(json => ({
            json,
          })),
        },
        {
          weight: 4,
          arbitrary: invalid(op.body.schema, ctx).map(json => ({ json })),
        },
        { weight: 2, arbitrary: rawBody(valid(op.body.schema, ctx, 2)) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: anyJson.map(json => ({ json })) },
        { weight: 1, arbitrary: rawBody(anyJson) },
      );
  const requestId = fc.option(
    fc.oneof(
      fc.uuid(),
      hostileString,
      fc.constant(`<script>${'x'.repeat(300)}`),
    ),
    { freq: 10 },
  );
  return fc
    .record({
      role,
      pathId: pool ? idRef(pool) : fc.constant(undefined),
      query,
      body,
      requestId: requestId.map(r => r ?? undefined),
    })
    .map(r => ({ op: op.key, ...r } as FuzzRequest));
}

/** Percent-encodes, also lone surrogates (which encodeURIComponent refuses) as their raw UTF-8-like bytes. */
export function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map(ch =>
        /[\uD800-\uDFFF]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch),
      )
      .join('');
  }
}

/** Resolves id references against the ids that exist now and builds the URL. */
export function resolve(
  req: FuzzRequest,
  op: Operation,
  pools: Record<Pool, string[]>,
): ResolvedRequest {
  const id = (r: IdRef) =>
    r.pool
      ? pools[r.pool][r.index % Math.max(1, pools[r.pool].length)] ?? 'none'
      : r.literal;
  const deep = (v: unknown): unknown => {
    if (v instanceof IdRef) return id(v);
    if (Array.isArray(v)) return v.map(deep);
    if (!v || typeof v !== 'object') return v;
    // fromEntries keeps an own `__proto__` key.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
  };
  const str = (v: unknown) => {
    const d = deep(v);
    if (Array.isArray(d)) return d.join(',');
    return typeof d === 'string' ? d : JSON.stringify(d) ?? '';
  };
  const path = op.path.replace('{id}', () =>
    encode(req.pathId ? id(req.pathId) : 'none'),
  );
  const qs = req.query
    .map(([k, v]) => `${encode(k)}=${encode(str(v))}`)
    .join('&');
  const body =
    req.body && 'json' in req.body ? { json: deep(req.body.json) } : req.body;
  return {
    op: req.op,
    role: req.role,
    method: op.method,
    url: `/api/segments${path}${qs ? `?${qs}` : ''}`,
    body,
    requestId: req.requestId,
  };
}

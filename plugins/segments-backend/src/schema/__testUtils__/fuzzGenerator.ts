/* eslint-disable @backstage/no-undeclared-imports */
// (Test-only code: its dev dependencies are used by the fuzz tests alone.)
import fc from 'fast-check';
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';

// A compact OpenAPI-schema-to-fast-check generator. The only published JSON
// Schema → fast-check library (json-schema-fast-check 0.0.6) targets
// fast-check 1 and faker 4 and is unmaintained, so the subset openapi.yaml
// uses ($ref, oneOf, allOf, enum, formats, two patterns, ranges, lengths) is
// handled here, with domain knowledge where a schema alone says too little
// (field names of conditions, ids that exist).

/** The parsed openapi.yaml. */
export const spec = YAML.parse(
  fs.readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8'),
);

/** One operation of the spec. */
export interface Operation {
  /** `METHOD /path`, as in the spec. */
  key: string;
  method: string;
  path: string;
  query: Array<{ name: string; required?: boolean; schema: any }>;
  body?: { schema: any; required: boolean };
  /** Documented statuses of 500 and above (allowed to occur). */
  documented5xx: number[];
}

/** Every operation in openapi.yaml. */
export function operations(): Operation[] {
  return Object.entries<any>(spec.paths).flatMap(([p, item]) =>
    Object.keys(item)
      .filter(m => m !== 'parameters')
      .map(m => {
        const op = item[m];
        const params = [
          ...(item.parameters ?? []),
          ...(op.parameters ?? []),
        ].map(deref);
        return {
          key: `${m.toUpperCase()} ${p}`,
          method: m,
          path: p,
          query: params.filter((x: any) => x.in === 'query'),
          body: op.requestBody && {
            schema: op.requestBody.content['application/json'].schema,
            required: !!op.requestBody.required,
          },
          documented5xx: Object.keys(op.responses)
            .map(Number)
            .filter(s => s >= 500),
        };
      }),
  );
}

/** Resolves a local `$ref`. */
export function deref(s: any): any {
  if (!s?.$ref) return s;
  return s.$ref
    .slice(2)
    .split('/')
    .reduce((o: any, k: string) => o[k], spec);
}
const refName = (s: any): string | undefined => s?.$ref?.split('/').pop();

/** Hostile strings: NUL, lone surrogates, long, prototype keys, bad offsets, numbers as text, SQL. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  'x'.repeat(10_001),
  '__proto__',
  'constructor',
  '2024-01-01T00:00:00+99:99',
  '2024-01-01T00:00:00+24:00',
  '2024-02-30T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '1e308',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  '500000000000000000000',
  '',
  ' ',
  "' OR '1'='1",
  '%',
  '../../etc/passwd',
  '😀\u202e',
  'null',
];
/** Hostile numbers (JSON cannot carry NaN or Infinity: those go as strings above). */
export const HOSTILE_NUMBERS = [
  1e308,
  -1e308,
  -0,
  500_000_000,
  5e15,
  9007199254740993,
  -1,
  0,
  1.5,
  2 ** 63,
  5e-324,
];

/** What the generator draws from besides schemas. */
export interface GenContext {
  /** Fields of GET /fields. */
  fields: Array<{
    name: string;
    dataType: string;
    operators: string[];
    values?: string[];
  }>;
  /** Personal-data values of the seeded customers, by kind. */
  pii: {
    name: string[];
    email: string[];
    phone: string[];
    birthDate: string[];
  };
}

/** Kinds of ids the server hands out. */
export type Pool = 'rule' | 'result' | 'execution' | 'customer';
/** An id that exists when the request is sent (the index-th of its pool, resolved then), or a literal. */
export class IdRef {
  constructor(
    readonly pool: Pool | undefined,
    readonly index: number,
    readonly literal = '',
  ) {}
}

const dateTime = fc
  .integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2030, 0, 1) })
  .chain(t =>
    fc.constantFrom(
      new Date(t).toISOString(),
      `${new Date(t).toISOString().slice(0, 19)}+08:00`,
    ),
  );
/** One of HOSTILE_STRINGS. */
export const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
/** A hostile string, number or odd JSON value. */
export const anyHostile = fc.oneof(
  hostileString,
  fc.constantFrom<unknown>(...HOSTILE_NUMBERS, null, true, [], {}, [[[]]]),
);

/** An id ref: mostly ids that exist, sometimes a made-up or hostile one. */
export function idRef(pool: Pool): fc.Arbitrary<IdRef> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.nat(50).map(index => new IdRef(pool, index)) },
    {
      weight: 1,
      arbitrary: fc.uuid().map(literal => new IdRef(undefined, 0, literal)),
    },
    {
      weight: 2,
      arbitrary: hostileString.map(literal => new IdRef(undefined, 0, literal)),
    },
  );
}
/** Body and query keys whose values are ids of a pool. */
export const POOL_OF_KEY: Record<string, Pool> = {
  parentSegmentId: 'rule',
  ruleId: 'rule',
  segmentRuleId: 'rule',
  customerId: 'customer',
};

/**
 * Values of a schema's shape (`withPii`: personal data may appear, e.g. in
 * previews; `spicy`: hostile values where the shape allows any, e.g. huge numbers,
 * odd offsets, deeply nested groups in conditions).
 */
export function valid(
  schema: any,
  ctx: GenContext,
  depth = 3,
  withPii = false,
  spicy = false,
): fc.Arbitrary<unknown> {
  const name = refName(schema);
  if (name === 'Condition') return condition(ctx, depth, withPii, spicy);
  if (name === 'Customer') return customer(ctx, spicy);
  if (name === 'Schedule' && !spicy) {
    // The day a weekly or monthly schedule needs (the schema cannot say so).
    return valid(deref(schema), ctx, depth).map((v: any) => ({
      ...v,
      ...(v.frequency === 'weekly' ? { dayOfWeek: v.dayOfWeek ?? 1 } : {}),
      ...(v.frequency === 'monthly' ? { dayOfMonth: v.dayOfMonth ?? 1 } : {}),
    }));
  }
  const s = deref(schema);
  if (s.oneOf)
    return fc.oneof(
      ...s.oneOf.map((x: any) => valid(x, ctx, depth, withPii, spicy)),
    );
  if (s.allOf)
    return fc
      .tuple(...s.allOf.map((x: any) => valid(x, ctx, depth)))
      .map(p => Object.assign({}, ...p));
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      if (s.format === 'date-time' && spicy)
        return fc.oneof(
          dateTime,
          dateTime.map(d => d.slice(0, 10)),
          hostileString,
        );
      if (s.format === 'date-time') return dateTime;
      if (s.format === 'date') return dateTime.map(d => d.slice(0, 10));
      if (s.format === 'email') return fc.emailAddress();
      if (s.pattern === '^[A-Z]{3}$')
        return fc.constantFrom('TWD', 'USD', 'EUR');
      if (s.pattern)
        return fc
          .tuple(fc.nat(23), fc.nat(59))
          .map(t => t.map(n => String(n).padStart(2, '0')).join(':'));
      if (s.example && !spicy) return fc.constant(s.example);
      return fc.stringMatching(/^[a-z][a-z0-9 -]{0,15}$/);
    case 'integer':
      return fc.integer({
        min: s.minimum ?? -1000,
        max: Math.min(s.maximum ?? 1000, (s.minimum ?? 0) + 1000),
      });
    case 'number':
      return fc.oneof(
        fc.integer({ min: s.minimum ?? -1e4, max: 1e4 }),
        fc.double({ min: s.minimum ?? -1e4, max: 1e4, noNaN: true }),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(s.items, ctx, depth - 1, withPii, spicy), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, 3),
      });
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, p] of Object.entries<any>(s.properties ?? {})) {
        props[k] = POOL_OF_KEY[k]
          ? idRef(POOL_OF_KEY[k])
          : valid(p, ctx, depth - 1, withPii, spicy);
      }
      const record = fc.record(props, { requiredKeys: s.required ?? [] });
      if (typeof s.additionalProperties !== 'object') return record;
      const extra = fc.dictionary(
        fc.stringMatching(/^[a-z]{1,8}$/),
        valid(s.additionalProperties, ctx, depth - 1),
        { maxKeys: 3 },
      );
      return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values that break a schema somewhere: a wrong type, a missing or unknown key, an out-of-range value. */
export function invalid(
  schema: any,
  ctx: GenContext,
  depth = 3,
): fc.Arbitrary<unknown> {
  const s = deref(schema);
  const options: fc.Arbitrary<unknown>[] = [anyHostile];
  if (s.type === 'object' || s.oneOf || s.allOf) {
    const base = valid(schema, ctx, depth).filter(
      v => !!v && typeof v === 'object' && !Array.isArray(v),
    ) as fc.Arbitrary<Record<string, unknown>>;
    const keys = Object.keys(
      s.properties ?? deref(s.oneOf?.[0] ?? s.allOf?.[0])?.properties ?? {},
    );
    options.push(
      // An own `__proto__` key, as JSON.parse would make it.
      fc
        .tuple(
          base,
          fc.constantFrom('__proto__', 'constructor', 'unknownKey', 'isAdmin'),
          anyHostile,
        )
        .map(([o, k, v]) =>
          Object.defineProperty({ ...o }, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          }),
        ),
    );
    if (s.required?.length) {
      options.push(
        fc
          .tuple(base, fc.constantFrom(...s.required))
          .map(([o, k]) => ({ ...o, [k]: undefined })),
      );
    }
    if (keys.length && depth > 0) {
      options.push(
        fc
          .constantFrom(...keys)
          .chain(k =>
            fc
              .tuple(
                base,
                invalid(
                  (s.properties ??
                    deref(s.oneOf?.[0] ?? s.allOf?.[0]).properties)[k],
                  ctx,
                  depth - 1,
                ),
              )
              .map(([o, v]) => ({ ...o, [k]: v })),
          ),
      );
    }
  } else if (s.type === 'array') {
    options.push(
      fc.constant([]),
      fc.array(invalid(s.items, ctx, depth - 1), {
        minLength: 1,
        maxLength: 3,
      }),
    );
    if (s.maxItems && s.maxItems <= 100)
      options.push(fc.constant(Array(s.maxItems + 1).fill('group:default/x')));
  } else if (s.type === 'string') {
    options.push(
      fc.constant('x'.repeat((s.maxLength ?? 1000) + 1)),
      fc.integer(),
    );
    if (s.enum)
      options.push(
        fc.constantFrom('deleted', s.enum[0].toUpperCase(), ` ${s.enum[0]}`),
      );
  } else if (s.type === 'integer' || s.type === 'number') {
    options.push(
      fc.constantFrom(...HOSTILE_NUMBERS),
      fc.constant(String(s.minimum ?? 1)),
    );
    if (s.maximum !== undefined) options.push(fc.constant(s.maximum + 1));
    if (s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
  }
  return fc.oneof(...options);
}

/** A customer row to ingest, carrying the seeded customers' personal data (`spicy`: also bad values). */
function customer(ctx: GenContext, spicy: boolean): fc.Arbitrary<unknown> {
  const pick = (values: string[], bad: fc.Arbitrary<unknown>) =>
    spicy
      ? fc.oneof(fc.constantFrom(...values), bad)
      : fc.constantFrom(...values);
  return fc.record(
    {
      id: fc.oneof(
        fc.constantFrom('c1', 'c2', 'c3', 'c4'),
        fc.stringMatching(/^fz[a-z0-9]{1,6}$/),
      ),
      name: pick(ctx.pii.name, hostileString),
      email: pick(
        ctx.pii.email,
        fc.constantFrom('not-an-email', 'a@b', `${ctx.pii.email[0]}\u0000`),
      ),
      phone: pick(ctx.pii.phone, fc.constant('12')),
      birthDate: pick(
        ctx.pii.birthDate,
        fc.constantFrom(
          '1990-02-30',
          '2024-01-01T00:00:00+24:00',
          `${ctx.pii.birthDate[0]}T00:00:00+99:99`,
        ),
      ),
      createdAt: spicy ? fc.oneof(dateTime, hostileString) : dateTime,
      country: fc.constantFrom('TW', 'JP', 'US'),
      tier: fc.constantFrom('gold', 'silver'),
      attributes: fc.dictionary(
        spicy
          ? fc.constantFrom('vip', 'score', '__proto__', 'constructor')
          : fc.constantFrom('vip', 'score'),
        fc.oneof(fc.boolean(), fc.integer(), fc.string()),
      ),
      marketingOptOut: fc.boolean(),
    },
    { requiredKeys: spicy ? [] : ['id', 'createdAt'] },
  );
}

/** A rule condition over a real field (leaf or nested group), with hostile values now and then. */
function condition(
  ctx: GenContext,
  depth: number,
  withPii: boolean,
  spicy: boolean,
): fc.Arbitrary<unknown> {
  const odd = (good: fc.Arbitrary<string>, bad: string[]) =>
    spicy
      ? fc.oneof({ weight: 9, arbitrary: good }, fc.constantFrom(...bad))
      : good;
  const leaf = fc.constantFrom(...ctx.fields).chain(f =>
    fc
      .record(
        {
          field: odd(fc.constant(f.name), [
            'password',
            'attributes.__proto__',
            'constructor',
          ]),
          operator: odd(fc.constantFrom(...f.operators), ['regex', 'between']),
          dataType: odd(fc.constant(f.dataType), ['number']),
          not: fc.boolean(),
        },
        { requiredKeys: ['field', 'operator', 'dataType'] },
      )
      .chain(c =>
        fieldValue(f, c.operator, ctx, withPii, spicy).map(value =>
          value === undefined ? c : { ...c, value },
        ),
      ),
  );
  if (depth <= 0) return leaf;
  const group = fc.record(
    {
      logicalOperator: fc.constantFrom('AND', 'OR'),
      subConditions: fc.array(condition(ctx, depth - 1, withPii, spicy), {
        minLength: 1,
        maxLength: 3,
      }),
      not: fc.boolean(),
    },
    { requiredKeys: ['logicalOperator', 'subConditions'] },
  );
  // Groups nested 6 to 80 levels deep (the limit is lower).
  const deep = fc.tuple(leaf, fc.integer({ min: 6, max: 80 })).map(([l, n]) => {
    let c: unknown = l;
    for (let i = 0; i < n; i++)
      c = { logicalOperator: 'AND', subConditions: [c] };
    return c;
  });
  if (!spicy)
    return fc.oneof(
      { weight: 6, arbitrary: leaf },
      { weight: 1, arbitrary: group },
    );
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: group },
    { weight: 1, arbitrary: deep },
  );
}

function fieldValue(
  f: GenContext['fields'][number],
  operator: string,
  ctx: GenContext,
  withPii: boolean,
  spicy: boolean,
): fc.Arbitrary<unknown> {
  const pii = withPii
    ? [...ctx.pii.name, ...ctx.pii.email, ...ctx.pii.birthDate]
    : [];
  const spice = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
    spicy ? fc.oneof(good, bad) : good;
  const str = spice(
    fc.constantFrom('TW', 'gold', ...(f.values ?? []), ...pii),
    hostileString,
  );
  const num = spice(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 5000 }) },
      fc.constantFrom(500_000_000, 1e15),
    ),
    fc.constantFrom(...HOSTILE_NUMBERS),
  );
  const date = spice(
    fc.oneof(
      dateTime,
      fc.constantFrom(...(withPii ? ctx.pii.birthDate : ['2024-01-01'])),
    ),
    hostileString,
  );
  const byType: Record<string, fc.Arbitrary<unknown>> = {
    number: num,
    date,
    boolean: fc.boolean(),
  };
  const one = byType[f.dataType] ?? str;
  // The value's shape follows the operator.
  let right: fc.Arbitrary<unknown> = one;
  if (['isEmpty', 'isNotEmpty'].includes(operator))
    right = fc.constant(undefined);
  if (['between', 'notBetween'].includes(operator))
    right = fc.tuple(one, one).map(v => [...v].sort());
  if (['in', 'notIn', 'containsAll'].includes(operator))
    right = fc.array(one, { minLength: 1, maxLength: 3 });
  return spicy
    ? fc.oneof({ weight: 4, arbitrary: right }, one, anyHostile)
    : right;
}

import { createHash } from 'crypto';
import { Knex } from 'knex';
import request from 'supertest';
import { databases } from '../__testUtils__/testBackend';
import { as, startSecuredBackend } from './__testUtils__/securedBackend';
import { Fixtures, ruleBody, seedFixtures, waitForIdle } from './__testUtils__/fixtures';

jest.setTimeout(600_000);

/**
 * Hostile and malformed requests against the whole API, with the real
 * permission framework: wrong types, huge payloads, deep nesting, SQL
 * metacharacters in names, values, ids and searches, unknown fields, bad ids,
 * missing and forged tokens, other users' segments. Each must answer the
 * expected 4xx (or a harmless 200: an empty search, a rejected row, an
 * invalid preview), never a 5xx, and the database must be unchanged
 * afterwards (every table but the audit trail, which records the attempts).
 */
interface Case {
  name: string;
  who?: Record<string, string>;
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  body?: unknown;
  /** A raw body with this content type, sent as is. */
  raw?: { type: string; data: string | Buffer };
  headers?: Record<string, string>;
  expect: number | number[];
  check?: (res: request.Response) => void;
}

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE segment_rules; --",
  '" OR 1=1 --',
  "1; DELETE FROM customers",
  "%' UNION SELECT * FROM customers --",
  '%',
  '_',
  '\\',
  "\\'; --",
  '$1',
  '?',
  ':name',
  '`id`',
  '/*',
  'ÿ 😀 \u202e',
];

const enc = encodeURIComponent;
const validRule = () => ruleBody('hostile');

/** Rule bodies POST /rules and PUT /rules/:id must refuse with 400. */
function badRuleBodies(): Array<[string, unknown]> {
  const leaf = { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' };
  let deep: any = leaf;
  for (let i = 0; i < 60; i++) deep = { logicalOperator: 'AND', subConditions: [deep] };
  const wide = Array.from({ length: 300 }, () => leaf);
  return [
    ['array body', []],
    ['empty object', {}],
    ['name is a number', { ...validRule(), name: 123 }],
    ['name is an object', { ...validRule(), name: { $gt: '' } }],
    ['name is an array', { ...validRule(), name: ['a'] }],
    ['name is empty', { ...validRule(), name: '   ' }],
    ['name of 201 characters', { ...validRule(), name: 'x'.repeat(201) }],
    ['name of 1 MB', { ...validRule(), name: 'x'.repeat(1_000_000) }],
    ['SQL in the name with a bad operator', { ...validRule(), name: SQL[1], logicalOperator: 'XOR' }],
    ['logicalOperator XOR', { ...validRule(), logicalOperator: 'XOR' }],
    ['conditions is a string', { ...validRule(), conditions: 'country = TW' }],
    ['conditions is empty', { ...validRule(), conditions: [] }],
    ['condition is null', { ...validRule(), conditions: [null] }],
    ['unknown field', { ...validRule(), conditions: [{ ...leaf, field: 'password' }] }],
    ['SQL as field name', { ...validRule(), conditions: [{ ...leaf, field: SQL[1] }] }],
    ['SQL as attribute name', { ...validRule(), conditions: [{ ...leaf, field: `attributes.${SQL[0]}` }] }],
    ['unknown operator', { ...validRule(), conditions: [{ ...leaf, operator: 'regex' }] }],
    ['SQL as operator', { ...validRule(), conditions: [{ ...leaf, operator: 'eq; DROP' }] }],
    ['number for a string field', { ...validRule(), conditions: [{ ...leaf, value: 7 }] }],
    ['string for a number field', { ...validRule(), conditions: [{ field: 'totalSpent', operator: 'gt', value: '1 OR 1=1', dataType: 'number' }] }],
    ['wrong dataType', { ...validRule(), conditions: [{ ...leaf, dataType: 'sql' }] }],
    ['between with one value', { ...validRule(), conditions: [{ field: 'totalSpent', operator: 'between', value: [1], dataType: 'number' }] }],
    ['in with 5,000 values', { ...validRule(), conditions: [{ ...leaf, operator: 'in', value: Array(5000).fill('TW') }] }],
    ['value is an object', { ...validRule(), conditions: [{ ...leaf, value: { $ne: null } }] }],
    ['groups nested 60 deep', { ...validRule(), conditions: [deep] }],
    ['300 conditions', { ...validRule(), conditions: wide }],
    ['unknown key on a condition', { ...validRule(), conditions: [{ ...leaf, sql: '1=1' }] }],
    ['unknown top-level field', { ...validRule(), isAdmin: true }],
    ['createdBy is not accepted', { ...validRule(), createdBy: 'user:default/ada' }],
    ['id is not accepted', { ...validRule(), id: 'x' }],
    ['__proto__ key', JSON.parse(`{"name":"p","logicalOperator":"AND","conditions":[{"field":"country","operator":"eq","value":"TW","dataType":"string"}],"__proto__":{"admin":true}}`)],
    ['priority -1', { ...validRule(), priority: -1 }],
    ['priority 1.5', { ...validRule(), priority: 1.5 }],
    ['priority as string', { ...validRule(), priority: '1' }],
    ['status deleted', { ...validRule(), status: 'deleted' }],
    ['schedule with a bad time', { ...validRule(), schedule: { frequency: 'daily', time: '25:00', timezone: 'Asia/Taipei' } }],
    ['schedule with SQL as zone', { ...validRule(), schedule: { frequency: 'daily', time: '10:00', timezone: SQL[1] } }],
    ['parent is a number', { ...validRule(), parentSegmentId: 42 }],
    ['parent with SQL', { ...validRule(), parentSegmentId: SQL[0] }],
    ['unknown parent', { ...validRule(), parentSegmentId: '00000000-0000-0000-0000-000000000000' }],
    ['visibility is a string', { ...validRule(), visibility: 'group:default/sales' }],
    ['visibility with a bad ref', { ...validRule(), visibility: ['sales'] }],
    ['visibility with SQL', { ...validRule(), visibility: [`group:default/${SQL[1]}`] }],
    ['visibility with a number', { ...validRule(), visibility: [1] }],
    ['visibility with 101 groups', { ...validRule(), visibility: Array.from({ length: 101 }, (_, i) => `group:default/g${i}`) }],
    ['NUL in the name', { ...validRule(), name: 'a\u0000b' }],
    ['NUL in a value', { ...validRule(), conditions: [{ ...leaf, value: 'T\u0000W' }] }],
  ];
}

function cases(f: Fixtures): Case[] {
  const out: Case[] = [];
  const api = '/api/segments';

  // Missing, malformed, forged and misdirected tokens: 401 everywhere.
  const tokens: Array<[string, Record<string, string>]> = [
    ['no token', {}],
    ['forged unsigned JWT', as.forged],
    ['empty bearer', { Authorization: 'Bearer ' }],
    ['basic auth', { Authorization: 'Basic YWRhOmFkYQ==' }],
    ['invalid user token', { Authorization: 'Bearer mock-invalid-user-token' }],
    ['service token for another plugin', { Authorization: `Bearer mock-service-token:${JSON.stringify({ sub: 'plugin:x', target: 'catalog' })}` }],
  ];
  const routes: Array<[Case['method'], string, unknown?]> = [
    ['get', '/rules'],
    ['post', '/rules', validRule()],
    ['get', `/rules/${f.own}`],
    ['put', `/rules/${f.own}`, validRule()],
    ['delete', `/rules/${f.own}`],
    ['post', `/rules/${f.own}/execute`, {}],
    ['post', '/execute', {}],
    ['post', '/rules/preview', { rule: validRule() }],
    ['get', `/results/${f.results.own}/customers`],
    ['get', `/results/${f.results.own}/changes?type=added`],
    ['post', '/data/customers', { items: [{ id: 'evil', createdAt: '2024-01-01T00:00:00Z' }] }],
    ['post', '/data/orders', { items: [] }],
    ['get', `/data/customers/${f.customerId}`],
    ['delete', `/data/customers/${f.customerId}`],
    ['get', `/customers/${f.customerId}/segments`],
    ['get', '/audit'],
    ['get', '/executions'],
    ['get', '/fields'],
  ];
  for (const [tokenName, headers] of tokens) {
    for (const [method, path, body] of routes) {
      out.push({ name: `${tokenName}: ${method} ${path}`, who: headers, method, path: `${api}${path}`, body, expect: 401 });
    }
  }

  // Other users' segments and missing roles: 403.
  const erinsBody = ruleBody('erin for sales', { visibility: ['group:default/sales'] });
  const forbidden: Array<[string, Record<string, string>, Case['method'], string, unknown?]> = [
    ["editor updates erin's rule", as.editor, 'put', `/rules/${f.erins}`, erinsBody],
    ["editor shares erin's rule with himself", as.editor, 'put', `/rules/${f.erins}`, { ...erinsBody, visibility: ['group:default/marketing'] }],
    ["editor deletes erin's rule", as.editor, 'delete', `/rules/${f.erins}`],
    ["editor deletes erin's rule with its children", as.editor, 'delete', `/rules/${f.erins}?children=delete`],
    ["editor runs erin's rule", as.editor, 'post', `/rules/${f.erins}/execute`, {}],
    ['editor runs every segment', as.editor, 'post', '/execute', {}],
    ["editor reads erin's members", as.editor, 'get', `/results/${f.results.erins}/customers`],
    ["editor reads erin's change list", as.editor, 'get', `/results/${f.results.erins}/changes?type=added`],
    ["editor reads ada's segment rule then updates it", as.editor, 'put', `/rules/${f.shared}`, ruleBody('ada for marketing')],
    ['editor ingests customers', as.editor, 'post', '/data/customers', { items: [{ id: 'evil', createdAt: '2024-01-01T00:00:00Z' }] }],
    ['editor erases a customer', as.editor, 'delete', `/data/customers/${f.customerId}`],
    ['editor reads a customer', as.editor, 'get', `/data/customers/${f.customerId}`],
    ['editor reads the audit trail', as.editor, 'get', '/audit'],
    ['viewer creates a rule', as.viewer, 'post', '/rules', validRule()],
    ['viewer previews a rule', as.viewer, 'post', '/rules/preview', { rule: validRule() }],
    ['viewer updates a shared rule', as.viewer, 'put', `/rules/${f.shared}`, ruleBody('x')],
    ['viewer deletes a shared rule', as.viewer, 'delete', `/rules/${f.shared}`],
    ['viewer runs a shared rule', as.viewer, 'post', `/rules/${f.shared}/execute`, {}],
    ['viewer reads members of a shared rule', as.viewer, 'get', `/results/${f.results.shared}/customers`],
    ['viewer reads a change list', as.viewer, 'get', `/results/${f.results.shared}/changes?type=added`],
    ['viewer reads results of all rules', as.viewer, 'get', '/results'],
    ['viewer reads executions', as.viewer, 'get', '/executions'],
    ["viewer reads a customer's segments", as.viewer, 'get', `/customers/${f.customerId}/segments`],
    ['no role lists rules', as.norole, 'get', '/rules'],
    ['no role reads fields', as.norole, 'get', '/fields'],
    ['no role reads stats', as.norole, 'get', '/data/stats'],
    ['no role ingests orders', as.norole, 'post', '/data/orders', { items: [] }],
    ['ingest-only token erases a customer', as.ingestOnly, 'delete', `/data/customers/${f.customerId}`],
    ['ingest-only token reads the audit trail', as.ingestOnly, 'get', '/audit'],
  ];
  for (const [name, who, method, path, body] of forbidden) {
    out.push({ name, who, method, path: `${api}${path}`, body, expect: 403 });
  }

  // Segments the caller may not even read answer like unknown ids (404), so ids cannot be probed.
  const hidden: Array<[string, Record<string, string>, Case['method'], string, unknown?]> = [
    ['viewer reads an unshared rule', as.viewer, 'get', `/rules/${f.own}`],
    ["viewer reads results of an unshared rule", as.viewer, 'get', `/results?segmentRuleId=${f.own}`],
    ["viewer reads a result of an unshared rule", as.viewer, 'get', `/results/${f.results.own}`],
    ['viewer reads results of a made-up id', as.viewer, 'get', `/results?segmentRuleId=${enc(SQL[0])}`],
    ['no role reads a shared rule', as.norole, 'get', `/rules/${f.shared}`],
    ['ingest-only token reads members', as.ingestOnly, 'get', `/results/${f.results.own}/customers`],
    ['ingest-only token deletes a rule', as.ingestOnly, 'delete', `/rules/${f.own}`],
    ['viewer reads an unknown rule', as.viewer, 'get', '/rules/no-such-rule'],
    ['no role reads an unknown rule', as.norole, 'get', '/rules/no-such-rule'],
  ];
  for (const [name, who, method, path, body] of hidden) {
    out.push({ name, who, method, path: `${api}${path}`, body, expect: 404 });
  }

  // Bad rule bodies on create and update (400), and on preview (200, invalid).
  for (const [name, body] of badRuleBodies()) {
    const isNul = name.startsWith('NUL');
    out.push({ name: `create: ${name}`, who: as.admin, method: 'post', path: `${api}/rules`, body, expect: 400 });
    out.push({ name: `update: ${name}`, who: as.editor, method: 'put', path: `${api}/rules/${f.own}`, body, expect: 400 });
    if (!Array.isArray(body) && name !== 'empty object') {
      out.push({
        name: `preview: ${name}`,
        who: as.editor,
        method: 'post',
        path: `${api}/rules/preview`,
        body: { rule: body },
        expect: isNul ? 400 : 200,
        check: res => {
          if (!isNul) expect(res.body.validation.valid).toBe(false);
        },
      });
    }
  }

  // Malformed bodies.
  const rawBodies: Array<[string, { type: string; data: string | Buffer }, number]> = [
    ['truncated JSON', { type: 'application/json', data: '{"name":' }, 400],
    ['JSON string at top level', { type: 'application/json', data: '"rule"' }, 400],
    ['JSON number at top level', { type: 'application/json', data: '42' }, 400],
    ['JSON null', { type: 'application/json', data: 'null' }, 400],
    ['arrays nested 100,000 deep', { type: 'application/json', data: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }, 400],
    ['objects nested 20,000 deep', { type: 'application/json', data: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}` }, 400],
    ['form-encoded body', { type: 'application/x-www-form-urlencoded', data: 'name=x&logicalOperator=AND' }, 415],
    ['text body', { type: 'text/plain', data: JSON.stringify(validRule()) }, 415],
    ['26 MB body', { type: 'application/json', data: `{"name":"${'x'.repeat(26 * 1024 * 1024)}"}` }, 413],
    ['invalid UTF-8', { type: 'application/json', data: Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }, 400],
  ];
  for (const [name, raw, status] of rawBodies) {
    out.push({ name: `create with ${name}`, who: as.admin, method: 'post', path: `${api}/rules`, raw, expect: status });
    out.push({ name: `ingest with ${name}`, who: as.service, method: 'post', path: `${api}/data/customers`, raw, expect: status });
  }

  // Ingestion: wrong shapes are refused (400), bad rows rejected one by one (200, nothing stored).
  const ingestBad: Array<[string, unknown, number]> = [
    ['items is a string', { items: 'all' }, 400],
    ['items is an object', { items: { id: 'x' } }, 400],
    ['10,001 items', { items: Array.from({ length: 10_001 }, (_, i) => ({ id: `n${i}` })) }, 400],
    ['rows of wrong types', { items: [1, 'two', null, [], true] }, 200],
    ['rows with SQL ids and no createdAt', { items: SQL.map(id => ({ id })) }, 200],
    ['row with an unknown field', { items: [{ id: 'u1', createdAt: '2024-01-01T00:00:00Z', role: 'admin' }] }, 200],
    ['row with an id of 101 characters', { items: [{ id: 'x'.repeat(101), createdAt: '2024-01-01T00:00:00Z' }] }, 200],
    ['row with NUL in the id', { items: [{ id: 'a\u0000', createdAt: '2024-01-01T00:00:00Z' }] }, 400],
  ];
  for (const [name, body, status] of ingestBad) {
    out.push({
      name: `ingest customers: ${name}`,
      who: as.service,
      method: 'post',
      path: `${api}/data/customers`,
      body,
      expect: status,
      check: res => {
        if (status === 200) expect(res.body.accepted).toBe(0);
      },
    });
  }
  out.push({
    name: 'ingest orders of unknown customers with SQL ids',
    who: as.service,
    method: 'post',
    path: `${api}/data/orders`,
    body: { items: SQL.map((id, i) => ({ id: `x${i}`, customerId: id, orderedAt: '2024-03-01T00:00:00Z', amount: 1, status: 'completed' })) },
    expect: 200,
    check: res => expect(res.body.accepted).toBe(0),
  });

  // SQL metacharacters and odd characters in ids, searches and filters.
  for (const s of SQL) {
    const id = enc(s);
    out.push({ name: `rule id ${s}`, who: as.admin, method: 'get', path: `${api}/rules/${id}`, expect: 404 });
    out.push({ name: `update rule id ${s}`, who: as.admin, method: 'put', path: `${api}/rules/${id}`, body: validRule(), expect: 404 });
    out.push({ name: `delete rule id ${s}`, who: as.admin, method: 'delete', path: `${api}/rules/${id}`, expect: 404 });
    out.push({ name: `customer id ${s}`, who: as.admin, method: 'get', path: `${api}/data/customers/${id}`, expect: 404 });
    out.push({ name: `erase customer id ${s}`, who: as.admin, method: 'delete', path: `${api}/data/customers/${id}`, expect: 404 });
    out.push({ name: `result id ${s}`, who: as.admin, method: 'get', path: `${api}/results/${id}/customers`, expect: 404 });
    out.push({
      name: `search rules for ${s}`,
      who: as.viewer,
      method: 'get',
      path: `${api}/rules?search=${id}`,
      expect: 200,
      check: res => expect(res.body.items).toEqual([]),
    });
    out.push({
      name: `search members for ${s}`,
      who: as.editor,
      method: 'get',
      path: `${api}/results/${f.results.own}/customers?search=${id}`,
      expect: 200,
      check: res => expect(res.body.totalCount).toBe(0),
    });
    out.push({
      name: `audit actor ${s}`,
      who: as.admin,
      method: 'get',
      path: `${api}/audit?actor=${id}`,
      expect: 200,
      check: res => expect(res.body.items).toEqual([]),
    });
    out.push({
      name: `preview with ${s} as a value`,
      who: as.editor,
      method: 'post',
      path: `${api}/rules/preview`,
      body: { rule: { ...validRule(), conditions: [{ field: 'country', operator: 'in', value: [s], dataType: 'string' }] } },
      expect: 200,
      check: res => {
        expect(res.body.validation.valid).toBe(true);
        expect(res.body.estimatedCount).toBe(0);
      },
    });
  }
  const oddIds: Array<[string, string, number]> = [
    ['NUL', '%00', 400],
    ['bad percent-encoding', '%E0%A4%A', 400],
    ['10,000 characters', 'x'.repeat(10_000), 400],
    ['dot dot', '..%2F..%2Fetc%2Fpasswd', 404],
  ];
  for (const [name, id, status] of oddIds) {
    out.push({ name: `rule id with ${name}`, who: as.admin, method: 'get', path: `${api}/rules/${id}`, expect: status });
    out.push({ name: `customer id with ${name}`, who: as.admin, method: 'get', path: `${api}/data/customers/${id}`, expect: status });
    out.push({ name: `erase customer id with ${name}`, who: as.admin, method: 'delete', path: `${api}/data/customers/${id}`, expect: status });
    out.push({ name: `execution id with ${name}`, who: as.admin, method: 'get', path: `${api}/executions/${id}`, expect: status });
  }
  out.push({ name: 'search with NUL', who: as.admin, method: 'get', path: `${api}/rules?search=a%00b`, expect: 400 });
  out.push({ name: 'email lookup with SQL', who: as.admin, method: 'post', path: `${api}/data/customers/lookup`, body: { email: SQL[0] }, expect: [200, 400, 404] });

  // Query parameters of the wrong type or range.
  const badQueries: Array<[string, number]> = [
    ['/rules?limit=-1', 400],
    ['/rules?limit=0', 400],
    ['/rules?limit=100000', 400],
    ['/rules?limit=abc', 400],
    ['/rules?limit=1e400', 400],
    ['/rules?offset=-5', 400],
    ['/rules?limit=1&limit=2', 400],
    ['/rules?limit[]=1', 400],
    ['/rules?status=deleted', 400],
    [`/rules?search=${'x'.repeat(201)}`, 400],
    ['/rules?search[$ne]=x', 400],
    ['/executions?limit=0', 400],
    ['/executions?limit=201', 400],
    [`/results?segmentRuleId=${'x'.repeat(101)}`, 400],
    [`/results/${f.results.own}/changes`, 400],
    [`/results/${f.results.own}/changes?type=all`, 400],
    [`/results/${f.results.own}/customers?limit=5000`, 400],
    ['/audit?from=yesterday', 400],
    ['/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', 400],
    ['/audit?action=DROP%20TABLE', 400],
    ['/audit?limit=501', 400],
    ['/audit?outcome=maybe', 400],
    ['/audit?nonsense=1', 400],
    [`/rules/${f.own}?children=maybe`, 400],
  ];
  for (const [path, status] of badQueries) {
    const method = path.includes('children=') ? 'delete' : 'get';
    out.push({ name: `query ${method} ${path.slice(0, 60)}`, who: as.admin, method, path: `${api}${path}`, expect: status });
  }

  // Execute requests with bad bodies (valid ones would start a run).
  const badExecute: unknown[] = [{ asOf: 'yesterday' }, { asOf: 12 }, { force: true }, { asOf: '2024-01-01T00:00:00Z', extra: 1 }, []];
  for (const body of badExecute) {
    out.push({ name: `execute own rule with ${JSON.stringify(body)}`, who: as.editor, method: 'post', path: `${api}/rules/${f.own}/execute`, body, expect: 400 });
    out.push({ name: `execute all with ${JSON.stringify(body)}`, who: as.admin, method: 'post', path: `${api}/execute`, body, expect: 400 });
  }

  // Unknown methods and paths.
  out.push({ name: 'PATCH a rule', who: as.admin, method: 'patch', path: `${api}/rules/${f.own}`, body: { name: 'x' }, expect: 404 });
  out.push({ name: 'unknown path', who: as.admin, method: 'get', path: `${api}/admin/dump`, expect: 404 });
  out.push({
    name: 'apply-conditions called directly by a user',
    who: as.editor,
    method: 'post',
    path: `${api}/.well-known/backstage/permissions/apply-conditions`,
    body: { items: [{ id: '1', resourceRef: f.erins, resourceType: 'segments-rule', conditions: { rule: 'IS_OWNER', resourceType: 'segments-rule', params: { claims: ['user:default/eddie'] } } }] },
    expect: 403,
  });
  out.push({
    name: 'hostile request id header is replaced',
    who: as.admin,
    method: 'get',
    path: `${api}/fields`,
    headers: { 'x-request-id': `<script>${'x'.repeat(500)}` },
    expect: 200,
    check: res => expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/),
  });
  return out;
}

/** A checksum of every row of every table but the audit trail and Knex's own. */
async function snapshot(knex: Knex): Promise<Record<string, string>> {
  const isPg = knex.client.config.client === 'pg';
  const tables: string[] = isPg
    ? (
        await knex('information_schema.tables')
          .where({ table_schema: knex.raw('current_schema()'), table_type: 'BASE TABLE' })
          .select('table_name')
      ).map((r: any) => r.table_name)
    : (await knex('sqlite_master').where('type', 'table').andWhereNot('name', 'like', 'sqlite_%').select('name')).map(
        (r: any) => r.name,
      );
  const out: Record<string, string> = {};
  for (const table of tables.sort()) {
    if (table.startsWith('knex_') || table === 'segment_audit_events') continue;
    const rows = (await knex(table).select('*')).map(r => JSON.stringify(r)).sort();
    out[table] = `${rows.length} rows ${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

describe.each(databases.eachSupportedId())('hostile requests on %s', databaseId => {
  it('answer the right 4xx, never a 5xx, and change nothing', async () => {
    const { server, knex } = await startSecuredBackend(databaseId);
    const fixtures = await seedFixtures(server);
    await waitForIdle(server);
    const all = cases(fixtures);
    expect(all.length).toBeGreaterThanOrEqual(300);

    const before = await snapshot(knex);
    // The snapshot covers the data the requests aim at.
    for (const table of ['customers', 'orders', 'segment_rules', 'segment_rule_visibility', 'segment_results', 'segment_memberships']) {
      expect([table, before[table]]).toEqual([table, expect.stringMatching(/^[1-9]\d* rows/)]);
    }
    const auditBefore = Number((await knex('segment_audit_events').count({ n: '*' }))[0].n);
    const failures: string[] = [];
    for (const c of all) {
      let r = (request(server) as any)[c.method](c.path);
      for (const [k, v] of Object.entries({ ...(c.who ?? {}), ...(c.headers ?? {}) })) r = r.set(k, v);
      if (c.raw) r = r.set('Content-Type', c.raw.type).send(c.raw.data);
      else if (c.body !== undefined) r = r.send(c.body);
      const res = await r;
      const expected = Array.isArray(c.expect) ? c.expect : [c.expect];
      if (!expected.includes(res.status)) {
        failures.push(`${c.name}: expected ${expected.join('|')}, got ${res.status} ${JSON.stringify(res.body?.error?.message ?? '').slice(0, 200)}`);
        continue;
      }
      try {
        c.check?.(res);
      } catch (e) {
        failures.push(`${c.name}: ${String(e).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    await waitForIdle(server);
    expect(await snapshot(knex)).toEqual(before);

    // The attempts that reached an audited route are in the audit trail (denied or failed), none as a success.
    const attempts = await knex('segment_audit_events').where('id', '>', 0).orderBy('id').offset(auditBefore).select('*');
    expect(attempts.length).toBeGreaterThan(100);
    const successes = attempts.filter((a: any) => a.outcome === 'success' && !['audit-read', 'members-read', 'rule-preview', 'changes-read', 'customer-ingest', 'order-ingest', 'customer-lookup'].includes(a.action));
    expect(successes).toEqual([]);
  });
});

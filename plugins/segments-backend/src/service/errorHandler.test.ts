import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import express from 'express';
import knexFactory from 'knex';
import request from 'supertest';
import { statementShape } from '../engine/runErrors';
import { errorHandler } from './errorHandler';
import { requestIdMiddleware } from './requestHelpers';

const SECRET = 'v1:key:ciphertext-of-Ada';

async function realDatabaseError(): Promise<unknown> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  try {
    await knex.schema.createTable('customers', t =>
      t.string('id').primary().notNullable(),
    );
    await knex('customers').insert({ id: SECRET });
    await knex('customers').insert({ id: SECRET }); // UNIQUE constraint, values in the message
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await knex.destroy();
  }
}

describe('errorHandler', () => {
  it('answers a database error with a generic 500 and logs its shape, never its values', async () => {
    const dbError = await realDatabaseError();
    expect(String((dbError as Error).message)).toContain(SECRET); // what knex would have leaked
    const lines: string[] = [];
    const logger = mockServices.logger.mock({
      error: (m: string) => void lines.push(m),
    } as any);
    const app = express();
    app.use(requestIdMiddleware());
    app.get('/boom', () => {
      throw dbError;
    });
    app.get('/bad', () => {
      throw new InputError('limit: must be a whole number');
    });
    app.use(errorHandler(logger));

    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({
      name: 'InternalError',
      message: `Internal error; quote request id ${res.headers['x-request-id']} when reporting it`,
    });
    expect(JSON.stringify(res.body)).not.toContain('ciphertext');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(res.headers['x-request-id']);
    expect(lines[0]).toMatch(
      /SQLITE_CONSTRAINT.* in: insert into `customers` \(`id`\) values \(\?\)/,
    );
    expect(lines[0]).not.toContain('ciphertext');

    const bad = await request(app).get('/bad');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      name: 'InputError',
      message: 'limit: must be a whole number',
    });
    expect(bad.body.error.stack).toBeUndefined();
    expect(lines).toHaveLength(1); // caller errors are not logged as failures
  });

  it('replaces every literal of a statement', () => {
    expect(
      statementShape(
        `select * from "t" where a = 'it''s' and b = 12.5 and c = -3e2 and d = X'00ff'`,
      ),
    ).toBe(`select * from "t" where a = ? and b = ? and c = ? and d = ?`);
    expect(statementShape('update t2 set col1 = 5')).toBe(
      'update t2 set col1 = ?',
    );
  });
});

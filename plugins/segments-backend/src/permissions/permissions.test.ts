import { segmentsPermissions } from '@internal/plugin-segments-common';
import request from 'supertest';
import { databases } from '../__testUtils__/testBackend';
import { as, startSecuredBackend } from './__testUtils__/securedBackend';

jest.setTimeout(120_000);

const rule = (name: string, extra: object = {}) => ({
  name,
  logicalOperator: 'AND',
  conditions: [{ field: 'country', operator: 'eq', value: 'TW', dataType: 'string' }],
  ...extra,
});

describe.each(databases.eachSupportedId())('segments permissions on %s', databaseId => {
  it('serves every permission and rule at .well-known/backstage/permissions/metadata', async () => {
    const { server } = await startSecuredBackend(databaseId);
    const res = await request(server).get('/api/segments/.well-known/backstage/permissions/metadata').set(as.service);
    expect(res.status).toBe(200);
    const names = res.body.permissions.map((p: any) => p.name).sort();
    expect(names).toEqual(segmentsPermissions.map(p => p.name).sort());
    expect(names).toEqual(
      expect.arrayContaining([
        'segments.rule.create',
        'segments.rule.update',
        'segments.rule.delete',
        'segments.rule.execute',
        'segments.rule.read',
        'segments.member.read',
        'segments.member.export',
        'segments.rfm.manage',
        'segments.audit.read',
        'segments.customer.erase',
      ]),
    );
    const resourcePermissions = res.body.permissions.filter((p: any) => p.type === 'resource');
    expect(resourcePermissions.every((p: any) => p.resourceType === 'segments-rule')).toBe(true);
    expect(res.body.rules.map((r: any) => r.name).sort()).toEqual(['HAS_STATUS', 'HAS_VISIBILITY', 'IS_OWNER']);
    const isOwner = res.body.rules.find((r: any) => r.name === 'IS_OWNER');
    expect(isOwner).toMatchObject({
      resourceType: 'segments-rule',
      paramsSchema: { type: 'object', properties: { claims: { type: 'array', items: { type: 'string' } } } },
    });
  });

  it('lists only the segments a viewer may read, filtered and counted in SQL', async () => {
    const { server } = await startSecuredBackend(databaseId);
    const mk = async (who: Record<string, string>, body: object) => {
      const res = await request(server).post('/api/segments/rules').set(who).send(body);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const privateOne = await mk(as.editor, rule('eddie private'));
    const marketing = await mk(as.editor, rule('eddie for marketing', { visibility: ['group:default/Marketing'] }));
    const sales = await mk(as.admin, rule('ada for sales', { visibility: ['group:default/sales'] }));
    const both = await mk(as.admin, rule('ada for both', { visibility: ['group:default/sales', 'group:default/marketing'] }));

    const list = async (who: Record<string, string>, query = '') => {
      const res = await request(server).get(`/api/segments/rules${query}`).set(who);
      expect(res.status).toBe(200);
      return { ids: res.body.items.map((r: any) => r.id).sort(), total: res.body.totalCount };
    };
    expect(await list(as.viewer)).toEqual({ ids: [marketing, both].sort(), total: 2 });
    expect(await list(as.viewer2)).toEqual({ ids: [sales, both].sort(), total: 2 });
    expect(await list(as.editor)).toEqual({ ids: [privateOne, marketing, sales, both].sort(), total: 4 });
    // Paging and search apply on top of the permission filter.
    expect((await list(as.viewer, '?limit=1')).total).toBe(2);
    expect(await list(as.viewer, '?search=both')).toEqual({ ids: [both], total: 1 });
    const none = await request(server).get('/api/segments/rules').set(as.norole);
    expect(none.status).toBe(403);

    // Visibility is stored lower-cased and returned with the rule.
    const got = await request(server).get(`/api/segments/rules/${marketing}`).set(as.viewer);
    expect(got.status).toBe(200);
    expect(got.body.visibility).toEqual(['group:default/marketing']);
    // Hidden like an unknown id, so that ids cannot be probed.
    expect((await request(server).get(`/api/segments/rules/${privateOne}`).set(as.viewer)).status).toBe(404);
  });
});

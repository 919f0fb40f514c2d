import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP, USER, scimClient, scimError, type ScimClient } from './helpers.ts';

let c: ScimClient;
beforeAll(async () => {
  c = await scimClient();
});
afterAll(() => c.close());

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe('Bulk', () => {
  it('runs operations with bulkId references, including forward ones', async () => {
    const res = await c.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP], displayName: 'Bulk Group', members: [{ value: 'bulkId:u1' }] } },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: 'bulk1@acme.com' } },
        { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER], userName: 'bulk2@acme.com' } },
        { method: 'PATCH', path: '/Users/bulkId:u2', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'T' }] } },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER], userName: 'BULK1@acme.com' } },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    const byId = Object.fromEntries(body.Operations.map((o: { bulkId?: string; method: string }) => [o.bulkId ?? o.method, o]));
    expect(byId.u1.status).toBe('201');
    expect(byId.g1.status).toBe('201');
    expect(byId.PATCH.status).toBe('200');
    expect(byId.dup.status).toBe('409');
    expect(byId.dup.response.scimType).toBe('uniqueness');
    const group = (await c.req('GET', byId.g1.location.replace(/^.*\/scim\/v2\/[^/]+/, ''))).json();
    expect(group.members.map((m: { display: string }) => m.display)).toEqual(['bulk1@acme.com']);
  });

  it('stops after failOnErrors errors', async () => {
    const res = await c.req('POST', '/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'DELETE', path: '/Users/directory_user_missing' },
        { method: 'POST', path: '/Users', bulkId: 'never', data: { schemas: [USER], userName: 'never@acme.com' } },
      ],
    });
    const body = res.json();
    expect(body.Operations).toHaveLength(1);
    expect(body.Operations[0].status).toBe('404');
    expect((await c.req('GET', `/Users?filter=${encodeURIComponent('userName eq "never@acme.com"')}`)).json().totalResults).toBe(0);
  });

  it('reports circular references as 409', async () => {
    const res = await c.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'x', data: { schemas: [GROUP], displayName: 'X', members: [{ value: 'bulkId:y' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'y', data: { schemas: [GROUP], displayName: 'Y', members: [{ value: 'bulkId:x' }] } },
      ],
    });
    expect(res.json().Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409']);
  });

  it('rejects malformed Bulk requests', async () => {
    scimError(await c.req('POST', '/Bulk', { Operations: [] }), 400, 'invalidSyntax');
    scimError(await c.req('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }] }), 400, 'invalidValue');
    scimError(await c.req('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', data: {} }] }), 400, 'invalidValue');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    scimError(await c.req('POST', '/Bulk', { schemas: [BULK], Operations: tooMany }), 413, 'tooMany');
  });
});

describe('discovery', () => {
  it('ServiceProviderConfig advertises what is implemented', async () => {
    const spc = (await c.req('GET', '/ServiceProviderConfig')).json();
    expect(spc).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
    });
    expect(spc.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('ResourceTypes and Schemas', async () => {
    const types = (await c.req('GET', '/ResourceTypes')).json();
    expect(types.totalResults).toBe(2);
    expect(types.Resources.map((r: { name: string }) => r.name).sort()).toEqual(['Group', 'User']);
    const user = (await c.req('GET', '/ResourceTypes/User')).json();
    expect(user).toMatchObject({ endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] });
    scimError(await c.req('GET', '/ResourceTypes/Widget'), 404);

    const schemas = (await c.req('GET', '/Schemas')).json();
    expect(schemas.Resources.map((s: { id: string }) => s.id).sort()).toEqual([ENTERPRISE, GROUP, USER].sort());
    const userSchema = (await c.req('GET', `/Schemas/${USER}`)).json();
    const userName = userSchema.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    scimError(await c.req('GET', '/Schemas/urn:nope'), 404);
  });
});

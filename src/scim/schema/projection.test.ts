import { describe, expect, it, vi } from 'vitest';
import { compileProjection, project } from './projection.ts';
import { USER_RESOURCE_TYPE } from './definitions.ts';

const parsed = vi.hoisted(() => ({ count: 0 }));
vi.mock('../filter/parser.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../filter/parser.ts')>();
  return { ...original, parseAttrPath: (...args: Parameters<typeof original.parseAttrPath>) => (parsed.count++, original.parseAttrPath(...args)) };
});

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = (i: number) => ({
  schemas: [USER_RESOURCE_TYPE.schema],
  id: `u${i}`,
  userName: `user${i}`,
  title: 'Engineer',
  emails: [{ value: `u${i}@x.com`, type: 'work' }],
  [ENTERPRISE]: { department: 'R&D', costCenter: '7' },
  meta: { resourceType: 'User' },
});

describe('projection', () => {
  it('resolves the names once for a whole page, not once per resource', () => {
    parsed.count = 0;
    const projected = compileProjection(USER_RESOURCE_TYPE, { attributes: ['userName', 'emails.value', `${ENTERPRISE}:department`] });
    const page = Array.from({ length: 50 }, (_, i) => projected(user(i)));
    expect(parsed.count).toBe(3);
    expect(page[7]).toEqual({ schemas: [USER_RESOURCE_TYPE.schema], id: 'u7', userName: 'user7', emails: [{ value: 'u7@x.com' }], [ENTERPRISE]: { department: 'R&D' } });
  });

  it('resolves each distinct name once, whatever its spelling or repetition', () => {
    parsed.count = 0;
    const names = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'USERNAME' : 'userName'));
    expect(project(USER_RESOURCE_TYPE, user(1), { attributes: [...names, 'Emails', 'emails'] })).toEqual({
      schemas: [USER_RESOURCE_TYPE.schema],
      id: 'u1',
      userName: 'user1',
      emails: [{ value: 'u1@x.com', type: 'work' }],
    });
    expect(parsed.count).toBe(2);
  });

  it('excludes the same way', () => {
    const projected = compileProjection(USER_RESOURCE_TYPE, { excludedAttributes: ['emails', 'EMAILS', ENTERPRISE, 'nonsense', 'id'] });
    expect(projected(user(2))).toEqual({ schemas: [USER_RESOURCE_TYPE.schema], id: 'u2', userName: 'user2', title: 'Engineer', meta: { resourceType: 'User' } });
  });
});

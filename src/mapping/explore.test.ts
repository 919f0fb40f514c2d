import { describe, expect, it } from 'vitest';
import { MAX_PATHS, PathExplorer } from './explore.ts';
import { ENTERPRISE, ENTRA_CUSTOM, OKTA_CUSTOM, entraFlatUser, entraUser, googleUser, oktaUser } from './fixtures.ts';
import { compileSourcePath } from './paths.ts';

const explore = (...users: unknown[]) => {
  const explorer = new PathExplorer();
  for (const u of users) explorer.add(u);
  return explorer;
};

describe('PathExplorer', () => {
  it('writes an Entra user’s paths in the source syntax', () => {
    expect(explore(entraUser).result().map((p) => p.path)).toEqual(
      [
        'active',
        'addresses[type eq "work"].country',
        'addresses[type eq "work"].formatted',
        'addresses[type eq "work"].locality',
        'addresses[type eq "work"].postalCode',
        'addresses[type eq "work"].region',
        'addresses[type eq "work"].streetAddress',
        'displayName',
        'emails[type eq "work"].primary',
        'emails[type eq "work"].value',
        'externalId',
        'name.familyName',
        'name.formatted',
        'name.givenName',
        'phoneNumbers[type eq "mobile"].value',
        'phoneNumbers[type eq "work"].value',
        'preferredLanguage',
        'title',
        `${ENTRA_CUSTOM}:costCenter`,
        `${ENTERPRISE}:costCenter`,
        `${ENTERPRISE}:department`,
        `${ENTERPRISE}:employeeNumber`,
        `${ENTERPRISE}:manager.value`,
        'userName',
      ].sort(),
    );
  });

  it('reports samples and types', () => {
    const result = explore(oktaUser).result();
    const at = (path: string) => result.find((p) => p.path === path);
    expect(at('emails[type eq "work"].value')).toEqual({ path: 'emails[type eq "work"].value', users: 1, samples: ['test.user@okta.local'], type: 'string' });
    expect(at('emails[type eq "home"].primary')).toEqual({ path: 'emails[type eq "home"].primary', users: 1, samples: [false], type: 'boolean' });
    expect(at(`${OKTA_CUSTOM}:badgeNumber`)).toEqual({ path: `${OKTA_CUSTOM}:badgeNumber`, users: 1, samples: [88], type: 'number' });
    expect(at(`${OKTA_CUSTOM}:skills`)).toEqual({ path: `${OKTA_CUSTOM}:skills`, users: 1, samples: [['typescript', 'scim']], type: 'list' });
    expect(at(`${ENTERPRISE}:manager.displayName`)?.samples).toEqual(['Pat Boss']);
    expect(at('groups')).toBeUndefined();
    expect(at('meta.resourceType')).toBeUndefined();
  });

  it('keys untyped elements by the attribute, and reads URN-qualified top-level keys', () => {
    const result = explore(entraFlatUser, { emails: [{ value: 'a@x' }, { value: 'b@x', primary: true }], roles: [{ value: 'admin' }] }).result();
    expect(result.map((p) => [p.path, p.users])).toEqual([
      ['emails[type eq "work"].value', 1],
      ['emails.primary', 1],
      ['emails.value', 1],
      ['roles.value', 1],
      ['active', 1],
      ['externalId', 1],
      [`${ENTRA_CUSTOM}:costCenter`, 1],
      [`${ENTERPRISE}:department`, 1],
      [`${ENTERPRISE}:manager`, 1],
      ['userName', 1],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    expect(result.find((p) => p.path === 'emails.value')?.samples).toEqual(['a@x', 'b@x']);
  });

  it('counts users once per path, most common first, with up to 3 distinct samples cut at 100 characters', () => {
    const explorer = explore(
      { userName: 'a', emails: [{ type: 'work', value: 'a1' }, { type: 'work', value: 'a2' }] },
      { userName: 'b', emails: [{ type: 'work', value: 'b1' }] },
      { userName: 'a', title: 'x'.repeat(150) },
      { userName: 'c' },
      { userName: 'd' },
    );
    expect(explorer.result()).toEqual([
      { path: 'userName', users: 5, samples: ['a', 'b', 'c'], type: 'string' },
      { path: 'emails[type eq "work"].value', users: 2, samples: ['a1', 'a2', 'b1'], type: 'string' },
      { path: 'title', users: 1, samples: ['x'.repeat(100)], type: 'string' },
    ]);
    expect(explorer.result(1).map((p) => p.path)).toEqual(['userName']);
  });

  it('skips absent and empty values, and what cannot be written as a path', () => {
    const result = explore({ title: null, nickName: '', roles: [], name: {}, 'first name': 'x', $weird: 1, schemas: [ENTERPRISE], id: 'x', password: 'p', Meta: {} }, 42, null, [oktaUser]).result();
    expect(result).toEqual([]);
  });

  it('gives only paths that compile and reach a value on the user they came from', () => {
    for (const user of [entraUser, entraFlatUser, oktaUser, googleUser]) {
      for (const { path } of explore(user).result()) {
        const compiled = compileSourcePath(path);
        expect(compiled.ok, path).toBe(true);
        if (compiled.ok) expect(compiled.value(user), path).not.toBeUndefined();
      }
    }
  });

  it('tracks at most MAX_PATHS paths, and says so', () => {
    const explorer = new PathExplorer();
    explorer.add(Object.fromEntries(Array.from({ length: MAX_PATHS + 50 }, (_, i) => [`a${i}`, i])));
    expect(explorer.result(10_000)).toHaveLength(MAX_PATHS);
    expect(explorer.truncated).toBe(true);
    expect(explore(oktaUser).truncated).toBe(false);
  });

  it('stops at the depth the syntax reaches, reporting deeper data as one value', () => {
    const result = explore({ [ENTERPRISE]: { manager: { value: 'm', nested: { deep: { deeper: { x: 1 } }, flat: 2 } } }, x: [{ type: 'a', y: [{ z: 1 }] }] }).result();
    expect(result).toEqual([
      { path: `${ENTERPRISE}:manager.nested`, users: 1, samples: [{ deep: { deeper: '{…}' }, flat: 2 }], type: 'object' },
      { path: `${ENTERPRISE}:manager.value`, users: 1, samples: ['m'], type: 'string' },
      { path: 'x[type eq "a"].y', users: 1, samples: [[{ z: 1 }]], type: 'list' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { resolveRoles } from './roles.ts';
import type { RoleDef } from './types.ts';

const role = (slug: string, priority: number, isDefault = false): RoleDef => ({ slug, name: slug, priority, default: isDefault });
const roles = [role('member', 0, true), role('admin', 100), role('billing', 50), role('support', 50)];

describe('resolveRoles', () => {
  it('is null when no role is defined', () => {
    expect(resolveRoles([], ['admin'])).toBeNull();
  });

  it('gives the default role to a user whose groups map to none', () => {
    expect(resolveRoles(roles, [])).toEqual({ role: 'member', roles: ['member'] });
  });

  it('ranks the roles of conflicting groups by priority', () => {
    expect(resolveRoles(roles, ['billing', 'admin'])).toEqual({ role: 'admin', roles: ['admin', 'billing'] });
    expect(resolveRoles(roles, ['member', 'billing'])).toEqual({ role: 'billing', roles: ['billing', 'member'] });
  });

  it('breaks equal priorities by slug, whatever the groups’ order', () => {
    expect(resolveRoles(roles, ['support', 'billing'])).toEqual({ role: 'billing', roles: ['billing', 'support'] });
    expect(resolveRoles(roles, ['billing', 'support'])).toEqual({ role: 'billing', roles: ['billing', 'support'] });
    expect(resolveRoles([...roles].reverse(), ['support', 'billing'])).toEqual({ role: 'billing', roles: ['billing', 'support'] });
  });

  it('lists a role once, however many groups map to it', () => {
    expect(resolveRoles(roles, ['admin', 'admin', 'billing', 'admin'])).toEqual({ role: 'admin', roles: ['admin', 'billing'] });
  });

  it('ignores slugs of roles that no longer exist', () => {
    expect(resolveRoles(roles, ['deleted', 'support'])).toEqual({ role: 'support', roles: ['support'] });
    expect(resolveRoles(roles, ['deleted'])).toEqual({ role: 'member', roles: ['member'] });
  });

  it('falls back to the highest priority role when none is flagged default', () => {
    expect(resolveRoles([role('viewer', 1), role('editor', 5), role('author', 5)], [])).toEqual({ role: 'author', roles: ['author'] });
  });

  it('handles negative priorities', () => {
    expect(resolveRoles([role('guest', -10, true), role('blocked', -100)], ['blocked', 'guest'])).toEqual({ role: 'guest', roles: ['guest', 'blocked'] });
  });
});

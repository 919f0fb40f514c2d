/** `/roles`: the roles the application grants, which each directory's groups map to (API.md §7). */
import type { HttpClient } from '../http.js';
import type { Role } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { CreateRoleParams, UpdateRoleParams } from '../params.js';
import { path } from '../query.js';
import { wholeListOf } from './list.js';

/** Roles are addressed by their `slug`, which never changes. */
export class Roles {
  constructor(private readonly http: HttpClient) {}

  /** The first role created is the default one. ConflictError `role_exists` for a slug already defined. */
  create(params: CreateRoleParams): Promise<Role> {
    return this.http.request('POST', '/roles', { body: params });
  }

  /** Every role, highest priority first, on one page (the API does not page them; the cursors are null). */
  list(): AutoPaginatable<Role> {
    return wholeListOf(this.http, '/roles');
  }

  /** `default: true` makes this the default role; `default: false` on the default is UnprocessableEntityError `default_required`. */
  update(slug: string, params: UpdateRoleParams): Promise<Role> {
    return this.http.request('PATCH', path`/roles/${slug}`, { body: params });
  }

  /** Groups mapped to it map to nothing. The default role: ConflictError `default_role` while other roles exist. */
  async delete(slug: string): Promise<void> {
    await this.http.request('DELETE', path`/roles/${slug}`);
  }
}

/** `/organizations`: the host app's customers and the email domains they own. */
import type { HttpClient } from '../http.js';
import type { Organization } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { CreateOrganizationParams, ListOrganizationsParams, UpdateOrganizationParams } from '../params.js';
import { path } from '../query.js';
import { listOf } from './list.js';

export class Organizations {
  constructor(private readonly http: HttpClient) {}

  create(params: CreateOrganizationParams): Promise<Organization> {
    return this.http.request('POST', '/organizations', { body: params });
  }

  list(params: ListOrganizationsParams = {}): AutoPaginatable<Organization> {
    return listOf(this.http, '/organizations', params);
  }

  get(id: string): Promise<Organization> {
    return this.http.request('GET', path`/organizations/${id}`);
  }

  update(id: string, params: UpdateOrganizationParams): Promise<Organization> {
    return this.http.request('PUT', path`/organizations/${id}`, { body: params });
  }

  /** Deletes the organization and its directories (each emits `dsync.deleted`). */
  async delete(id: string): Promise<void> {
    await this.http.request('DELETE', path`/organizations/${id}`);
  }
}

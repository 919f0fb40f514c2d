/** `/custom_attributes`: the attributes the application wants on every Directory User (API.md §7). */
import type { HttpClient } from '../http.js';
import type { CustomAttribute } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { CreateCustomAttributeParams } from '../params.js';
import { path } from '../query.js';
import { wholeListOf } from './list.js';

export class CustomAttributes {
  constructor(private readonly http: HttpClient) {}

  /**
   * Defines an attribute; every directory's users are re-evaluated in the background (a directory type that maps
   * the name by default fills it). ConflictError `attribute_exists` for a name already defined.
   */
  create(params: CreateCustomAttributeParams): Promise<CustomAttribute> {
    return this.http.request('POST', '/custom_attributes', { body: params });
  }

  /** Every custom attribute, oldest first, on one page (the API does not page them; the cursors are null). */
  list(): AutoPaginatable<CustomAttribute> {
    return wholeListOf(this.http, '/custom_attributes');
  }

  /** Deletes the attribute; users lose it in the background. */
  async delete(id: string): Promise<void> {
    await this.http.request('DELETE', path`/custom_attributes/${id}`);
  }
}

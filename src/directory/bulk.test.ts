import { describe, expect, it } from 'vitest';
import { ScimError } from '../scim/errors.ts';
import { BULK_REQUEST_SCHEMA } from '../scim/schema/types.ts';
import { parseBulkRequest, runBulk } from './bulk.ts';
import type { ScimService } from './scim-service.ts';
import type { DirectoryRecord } from '../store/store.ts';

const op = { method: 'DELETE', path: '/Users/x' };
const bulk = (extra: Record<string, unknown>, operations: unknown[] = [op]) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations: operations, ...extra });
const refusal = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('parseBulkRequest', () => {
  it('reads failOnErrors 0 (what clients send for "not set") as no limit', () => {
    expect(parseBulkRequest(bulk({ failOnErrors: 0 }), 10).failOnErrors).toBeUndefined();
    expect(parseBulkRequest(bulk({}), 10).failOnErrors).toBeUndefined();
    expect(parseBulkRequest(bulk({ failOnErrors: 3 }), 10).failOnErrors).toBe(3);
  });

  it('refuses a negative or non-integer failOnErrors', () => {
    for (const failOnErrors of [-1, 1.5, '1', true]) {
      const error = refusal(() => parseBulkRequest(bulk({ failOnErrors }), 10));
      expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    }
  });

  it('refuses operation data nested deeper than 64 levels with 400 invalidValue', () => {
    const nested = (depth: number) => {
      let value: unknown = 'x';
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    const post = (data: unknown) => ({ method: 'POST', bulkId: 'a', path: '/Users', data });
    expect(parseBulkRequest(bulk({}, [post(nested(64))]), 10).operations).toHaveLength(1);
    for (const depth of [65, 10_000]) {
      const error = refusal(() => parseBulkRequest(bulk({}, [post(nested(depth))]), 10));
      expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
      expect(error.message).toContain('64');
    }
  });

  it('refuses 10,000 nested arrays before running anything (never a stack overflow)', async () => {
    let data: unknown = { userName: 'bulkId:a' };
    for (let i = 0; i < 10_000; i++) data = [data];
    const service = {} as ScimService;
    const run = runBulk(service, {} as DirectoryRecord, bulk({}, [{ method: 'POST', bulkId: 'a', path: '/Users', data }]), { maxOperations: 10, baseUrl: '' });
    await expect(run).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

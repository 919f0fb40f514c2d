import { describe, expect, it } from 'vitest';
import { ScimError, badRequest } from './errors.ts';

describe('ScimError', () => {
  it('renders status as a string with scimType', () => {
    expect(badRequest('invalidFilter', 'bad').toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'bad',
    });
  });
  it('omits scimType when the RFC names none', () => {
    expect(new ScimError(404, undefined, 'gone').toJSON()).not.toHaveProperty('scimType');
  });
});

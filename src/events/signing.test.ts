import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from './signing.ts';

describe('signatureHeaders', () => {
  it('sends the WorkOS form once, signed by the current secret alone, also during a rotation', () => {
    const headers = signatureHeaders(['whsec_current', 'whsec_previous'], 'event_1', '{"a":1}', 1_700_000_000_123);
    const expected = `t=1700000000123, v1=${createHmac('sha256', 'whsec_current').update('1700000000123.{"a":1}').digest('hex')}`;
    expect(headers['workos-signature']).toBe(expected);
    expect(headers['guestlist-signature']).toBe(expected);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
  });
});

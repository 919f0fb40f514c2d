import { describe, expect, it } from 'vitest';
import { hashSecret } from '../secrets.ts';
import { credentialEpoch, credentialsValid, type KeyVerifier } from './credentials.ts';

const KEY = 'sk_test_0123456789abcdefghijklmnop';
const keys = (key = KEY): KeyVerifier => ({ verify: (presented) => presented === key, fingerprint: hashSecret(key) });
const SECRET = 's'.repeat(32);

describe('credentialsValid', () => {
  it('takes the API key, and the password only when one is set', () => {
    expect(credentialsValid({ api_key: KEY }, keys(), undefined)).toBe(true);
    expect(credentialsValid({ api_key: 'sk_other' }, keys(), undefined)).toBe(false);
    expect(credentialsValid({ password: 'correct horse' }, keys(), 'correct horse')).toBe(true);
    expect(credentialsValid({ password: 'correct horse ' }, keys(), 'correct horse')).toBe(false);
    expect(credentialsValid({ password: '' }, keys(), undefined)).toBe(false);
    expect(credentialsValid({ password: 'undefined' }, keys(), undefined)).toBe(false);
  });
});

describe('credentialEpoch', () => {
  it('changes with the keys, the password (or its absence) and the secret key, and reveals none', () => {
    const epoch = credentialEpoch(SECRET, keys(), 'pw-one-long-enough');
    expect(credentialEpoch(SECRET, keys(), 'pw-one-long-enough')).toBe(epoch);
    const others = [
      credentialEpoch(SECRET, keys('sk_test_another_key_0123456789ab'), 'pw-one-long-enough'),
      credentialEpoch(SECRET, keys(), 'pw-two-long-enough'),
      credentialEpoch(SECRET, keys(), undefined),
      credentialEpoch('t'.repeat(32), keys(), 'pw-one-long-enough'),
    ];
    expect(new Set([epoch, ...others]).size).toBe(5);
    expect(epoch).not.toContain(hashSecret('pw-one-long-enough'));
    expect(epoch).not.toContain(hashSecret(KEY));
  });
});

import { describe, expect, it } from 'vitest';
import { REDACTED, TRUNCATED } from './redact.ts';
import { LIMITS, errorText, toRow, type ScimRequestCapture } from './request-entry.ts';

const base: ScimRequestCapture = {
  directoryId: 'directory_x',
  method: 'POST',
  url: '/scim/v2/directory_x/Users',
  status: 201,
  durationMs: 2.6,
  userAgent: undefined,
  receivedAt: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  body: undefined,
  errorPayload: undefined,
  write: true,
};

describe('toRow', () => {
  it('makes a row: new id, rounded duration, arrival time, nulls for what was not there', () => {
    expect(toRow(base)).toEqual({
      id: expect.stringMatching(/^scim_request_[0-9A-Z]{26}$/),
      directory_id: 'directory_x',
      method: 'POST',
      path: '/scim/v2/directory_x/Users',
      status: 201,
      duration_ms: 3,
      user_agent: null,
      request_body: null,
      error: null,
      created_at: '2024-01-02T03:04:05.006Z',
    });
  });

  it('keeps the error only for a status of 400 or more', () => {
    const payload = JSON.stringify({ status: '400', scimType: 'invalidValue', detail: 'Bad.' });
    expect(toRow({ ...base, status: 400, errorPayload: payload }).error).toBe('invalidValue: Bad.');
    expect(toRow({ ...base, status: 200, errorPayload: payload }).error).toBeNull();
  });

  it('keeps a body that is not JSON as a JSON string of its first characters, unless it names a secret', () => {
    const long = `{"userName": "${'a'.repeat(2000)}`;
    expect(JSON.parse(toRow({ ...base, body: { text: long } }).request_body!)).toBe(long.slice(0, LIMITS.rawBody) + TRUNCATED);
    expect(toRow({ ...base, body: { text: '{"userName": "a", "password": "p"' } }).request_body).toBeNull();
  });

  it('redacts JSON bodies and secret query parameters', () => {
    const row = toRow({ ...base, url: `${base.url}?access_token=t`, body: { json: { userName: 'a', password: 'p' } } });
    expect(JSON.parse(row.request_body!)).toEqual({ userName: 'a', password: REDACTED });
    expect(row.path).toBe(`${base.url}?access_token=${REDACTED}`);
  });
});

describe('errorText', () => {
  it('reads scimType and detail, or the detail alone, or keeps the first characters of anything else', () => {
    expect(errorText(JSON.stringify({ detail: 'No such user.' }))).toBe('No such user.');
    expect(errorText('<html>502</html>')).toBe('<html>502</html>');
    expect(errorText(JSON.stringify({ message: 'x' }))).toBe('{"message":"x"}');
    expect(errorText('e'.repeat(5000))).toBe('e'.repeat(LIMITS.error) + TRUNCATED);
  });
});

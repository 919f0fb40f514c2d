/**
 * `workos.adminPortal.generateLink` of the official Node SDK against a real Guestlist: the call an app written for
 * WorkOS makes to open the admin portal for a customer's IT admin.
 */
import { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, TEST_API_KEY } from '../support/harness.ts';
import { listen, type Server } from '../workos/support.ts';
import { open } from './support.ts';

let server: Server;
let workos: WorkOS;
beforeAll(async () => {
  server = await listen();
  workos = new WorkOS(TEST_API_KEY, { apiHostname: '127.0.0.1', port: server.port, https: false, maxRetries: 0 });
});
afterAll(() => server.close());

describe('workos.adminPortal.generateLink', () => {
  it('answers a link that opens the portal once', async () => {
    const org = (await server.t.api('POST', '/organizations', { name: 'Acme' })).json();
    const { link } = await workos.adminPortal.generateLink({ intent: 'dsync', organization: org.id, returnUrl: 'https://app.example.com/settings' });
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/portal/link/[A-Za-z0-9_-]{43}$`));
    expect((await open(server.t, link)).headers.location).toBe('/portal/');
    expect((await open(server.t, link)).headers.location).toBe('/portal/?error=link_invalid');
  });

  it('refuses an unknown organization with the 422 the SDK raises', async () => {
    await expect(workos.adminPortal.generateLink({ intent: 'dsync', organization: 'org_01J00000000000000000000000' })).rejects.toMatchObject({ status: 422 });
  });

  it('refuses an intent Guestlist does not serve, and takes none', async () => {
    const org = (await server.t.api('POST', '/organizations', { name: 'Beta' })).json();
    await expect(workos.adminPortal.generateLink({ intent: 'sso', organization: org.id })).rejects.toMatchObject({ status: 422 });
    const { link } = await workos.adminPortal.generateLink({ organization: org.id });
    expect((await open(server.t, link)).headers.location).toBe('/portal/');
  });
});

/**
 * Portal links (docs/portal.md § Links): a setup link (`POST /portal/generate_link`) opens the portal once,
 * within 5 minutes; an invite opens it any number of times until it expires (1 to 90 days) or is revoked.
 * The token in the link is 32 random bytes; only its SHA-256 is stored.
 */
import { newId } from '../ids.ts';
import { hashSecret, randomSecret } from '../secrets.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import * as rows from '../store/portal.ts';
import type { LinkKind, LinkRecord } from '../store/portal.ts';
import type { Page, PageQuery } from '../store/store.ts';
import { systemClock, type Clock } from './clock.ts';
import type { NewSession, Sessions } from './sessions.ts';

export const SETUP_LINK_TTL_MS = 5 * 60_000;
export const INVITE_DAYS = { default: 30, min: 1, max: 90 } as const;
const DAY = 86_400_000;

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** Why a link cannot be opened at `at`, or undefined when it can (the store claims it atomically still). */
export function linkProblem(link: LinkRecord, at: Date): 'revoked' | 'expired' | 'used' | undefined {
  if (link.revoked_at !== null) return 'revoked';
  if (at.getTime() >= Date.parse(link.expires_at)) return 'expired';
  if (link.kind === 'setup' && link.used_at !== null) return 'used';
  return undefined;
}

/** `return_url` and `success_url`: where the portal sends the IT admin back, so absolute http(s) only. */
export function redirectUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return undefined;
}

export interface IssuedLink {
  link: LinkRecord;
  /** Goes into the URL; never stored. */
  token: string;
}

export type OpenResult = { ok: true; link: LinkRecord; started: NewSession } | { ok: false; reason: string };

export class PortalLinks {
  constructor(
    private readonly store: KyselyStore,
    private readonly sessions: Sessions,
    private readonly clock: Clock = systemClock,
  ) {}

  async generateSetupLink(organizationId: string, urls: { return_url?: string; success_url?: string }): Promise<IssuedLink> {
    const at = this.clock();
    // Setup links past their time can never be opened again, and no list shows them.
    await rows.pruneSetupLinks(this.store.db, new Date(at.getTime() - DAY).toISOString());
    return this.issue('setup', organizationId, at, SETUP_LINK_TTL_MS, urls);
  }

  createInvite(organizationId: string, days: number): Promise<IssuedLink> {
    return this.issue('invite', organizationId, this.clock(), days * DAY, {});
  }

  listInvites(page: PageQuery, filter: { organization_id?: string }): Promise<Page<LinkRecord>> {
    return rows.listLinks(this.store.db, 'invite', page, filter);
  }

  /** The link a portal session was started with. */
  get(id: string): Promise<LinkRecord | undefined> {
    return rows.getLink(this.store.db, id);
  }

  /** Revokes the invite and ends its sessions, in one transaction; undefined when there is no such invite. */
  async revokeInvite(id: string): Promise<LinkRecord | undefined> {
    const at = this.clock().toISOString();
    const found = await this.store.transaction((trx) => rows.revokeLink(trx, id, 'invite', at));
    return found ? rows.getLink(this.store.db, id, 'invite') : undefined;
  }

  /** Opens the link behind `token`: claims it and starts its portal session, in one transaction. */
  async open(token: string): Promise<OpenResult> {
    if (!TOKEN_FORMAT.test(token)) return { ok: false, reason: 'malformed' };
    const link = await rows.findLinkByTokenHash(this.store.db, hashSecret(token));
    if (!link) return { ok: false, reason: 'unknown' };
    const problem = linkProblem(link, this.clock());
    if (problem) return { ok: false, reason: problem };
    const started = await this.store.transaction(async (trx) => {
      if (!(await rows.claimLink(trx, link, this.clock().toISOString()))) return undefined;
      return this.sessions.start('portal', { organization_id: link.organization_id, link_id: link.id }, trx);
    });
    // Lost to a concurrent open of the same setup link, or to a revocation in between.
    if (!started) return { ok: false, reason: 'used' };
    return { ok: true, link, started };
  }

  private async issue(kind: LinkKind, organizationId: string, at: Date, ttlMs: number, urls: { return_url?: string; success_url?: string }): Promise<IssuedLink> {
    const token = randomSecret('');
    const link: LinkRecord = {
      id: newId(kind === 'setup' ? 'portal_link' : 'portal_invite'),
      organization_id: organizationId,
      kind,
      return_url: urls.return_url ?? null,
      success_url: urls.success_url ?? null,
      expires_at: new Date(at.getTime() + ttlMs).toISOString(),
      used_at: null,
      revoked_at: null,
      created_at: at.toISOString(),
    };
    await rows.insertLink(this.store.db, { ...link, token_hash: hashSecret(token) });
    return { link, token };
  }
}

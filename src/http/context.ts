import type { Config } from '../config.ts';
import type { MappingAdmin } from '../directory/mapping-admin.ts';
import type { SourcesAdmin } from '../sources/admin.ts';
import type { KeyVerifier } from '../portal/credentials.ts';
import type { PortalLinks } from '../portal/links.ts';
import type { FailureLimiter } from '../portal/rate-limit.ts';
import type { Sessions } from '../portal/sessions.ts';
import type { KyselyStore } from '../store/kysely-store.ts';

/** What management and SCIM routes need from the composition root. */
export interface AppContext {
  config: Config;
  store: KyselyStore;
  /** Encrypts stored webhook secrets (GUESTLIST_SECRET_KEY, or the generated one). */
  secretKey: string;
}

/** What the browser-facing parts add: sessions, portal links, the sign-in limiter, the API key check. */
export interface BrowserContext extends AppContext {
  /** Custom attributes, attribute and role mappings (API.md §7). */
  mapping: MappingAdmin;
  /** Pulled directories' connections and syncs, and the deprovision guard (API.md §8). */
  sources: SourcesAdmin;
  sessions: Sessions;
  links: PortalLinks;
  signInFailures: FailureLimiter;
  apiKeys: KeyVerifier;
}

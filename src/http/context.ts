import type { Config } from '../config.ts';
import type { KyselyStore } from '../store/kysely-store.ts';

/** What management and SCIM routes need from the composition root. */
export interface AppContext {
  config: Config;
  store: KyselyStore;
  /** Encrypts stored webhook secrets (GUESTLIST_SECRET_KEY, or the generated one). */
  secretKey: string;
}

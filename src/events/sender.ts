/**
 * Sending one claimed head: its endpoint's signing secrets, the signed POST, and what the answer means. The
 * secrets are decrypted once per stored ciphertext, not once per delivery: a backlog sends thousands of
 * deliveries with the same secret, and AES-GCM with its key setup would be most of a send's own CPU.
 */
import type { Logger } from 'pino';
import type { Job } from './claims.ts';
import { UndecryptableSecret } from './crypto.ts';
import { EVENT_GONE, outcomeOf, type Outcome } from './outcomes.ts';
import { postEvent, type PostOptions } from './post-event.ts';
import { eventObject } from './reads.ts';
import type { RetryDelays } from './retry-policy.ts';
import { DISABLED_REASONS, type SecretColumns, type SigningSecrets, type WebhookStore } from './webhooks-store.ts';

/** Decrypted secrets kept, by endpoint; past this many the cache starts over. */
const SECRETS_KEPT = 1000;

interface Kept {
  /** The ciphertexts they were decrypted from: a rotation or re-encryption changes them, and misses. */
  stored: string;
  secrets: SigningSecrets;
  /** When the previous secret stops signing (then they are decrypted again without it). */
  until: number;
}

export class Sender {
  private readonly kept = new Map<string, Kept>();
  /** Endpoints already warned about (once per process) for an unreadable previous secret. */
  private readonly warnedPrevious = new Set<string>();

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly logger: Logger,
    private readonly post: PostOptions,
    private readonly delays: RetryDelays,
  ) {}

  /**
   * POSTs the head's event to its endpoint and judges the answer; undefined when the endpoint's secret cannot be
   * decrypted (then it has just been disabled, and its queue is to be given back untouched).
   */
  async send({ head }: Job): Promise<Outcome | undefined> {
    const secrets = await this.signingSecrets(head.endpoint);
    if (!secrets) return undefined;
    if (!head.event) return EVENT_GONE;
    const body = JSON.stringify(eventObject(head.event));
    const started = Date.now();
    const posted = await postEvent(head.endpoint.endpoint_url, secrets, head.event.id, body, this.post);
    const attempt = { attempted_at: new Date(started).toISOString(), status: posted.status, error: posted.error, duration_ms: Date.now() - started };
    return outcomeOf(posted, attempt, head.delivery, this.delays);
  }

  /**
   * The secrets that sign the endpoint's deliveries; undefined when its secret cannot be decrypted, in which case
   * this endpoint alone stops: disabled with its reason, its delivery left pending for when it is fixed.
   */
  private async signingSecrets(endpoint: SecretColumns): Promise<SigningSecrets | undefined> {
    const stored = `${endpoint.secret_ciphertext} ${endpoint.previous_secret_ciphertext} ${endpoint.previous_secret_expires_at}`;
    const kept = this.kept.get(endpoint.id);
    if (kept && kept.stored === stored && Date.now() < kept.until) return kept.secrets;
    let secrets: SigningSecrets;
    try {
      secrets = await this.webhooks.secretsOf(endpoint);
    } catch (error) {
      if (!(error instanceof UndecryptableSecret)) throw error;
      this.kept.delete(endpoint.id);
      if (await this.webhooks.disableUndecryptable(endpoint.id)) {
        this.logger.error(
          { endpoint: endpoint.id, reason: DISABLED_REASONS.secretUndecryptable },
          'webhook endpoint disabled: its secret cannot be decrypted with GUESTLIST_SECRET_KEY (or GUESTLIST_SECRET_KEY_PREVIOUS); rotate its secret, then re-enable it',
        );
      }
      return undefined;
    }
    if (secrets.previous_unreadable && !this.warnedPrevious.has(endpoint.id)) {
      this.warnedPrevious.add(endpoint.id);
      this.logger.warn({ endpoint: endpoint.id }, 'webhook endpoint previous secret cannot be decrypted; signing with the current secret only');
    }
    if (this.kept.size >= SECRETS_KEPT) this.kept.clear();
    const expires = endpoint.previous_secret_expires_at ? Date.parse(endpoint.previous_secret_expires_at) : Infinity;
    this.kept.set(endpoint.id, { stored, secrets, until: expires > Date.now() ? expires : Infinity });
    return secrets;
  }
}

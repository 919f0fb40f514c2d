/**
 * Commits made by other processes sharing the PostgreSQL database, heard through LISTEN: one connection per
 * store however many subscribe. When lost, it is reconnected with backoff and LISTENs again; its subscribers are
 * woken once it is back, for the commits they may have missed meanwhile (dispatchers poll in between).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { DEFAULT_CONNECTION_TIMEOUT_MS, type ConnectionOptions } from './postgres-pool.ts';

/** Backoff of the LISTEN connection's reconnects: from the first delay, doubling, up to the last. */
const LISTEN_RECONNECT_MS = { first: 100, max: 5000 };

const LOST = 'LISTEN connection lost; reconnecting (dispatchers poll meanwhile)';

/** Reports a lost or failed LISTEN connection (the store counts and logs it). */
export type ListenFault = (err: unknown, message: string, context: Record<string, unknown>) => void;

export class CommitListener {
  private readonly notified = new Set<(due: boolean) => void>();
  /** The LISTEN connection while it is up. */
  private client: pg.Client | undefined;
  /** The connection attempt in progress (the first `listen` waits for it; `close` too). */
  private attempt: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Failed attempts since the connection was last up (sets the backoff). */
  private failures = 0;
  private closing = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly channel: string,
    /** The payload of this process's own NOTIFYs, not passed on (its subscribers heard of those commits already). */
    private readonly origin: string,
    private readonly fault: ListenFault,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Calls `onNotify` for every NOTIFY on the channel. Resolves after the first connection attempt, even a failed
   * one (then retried with backoff, as after any loss of the connection). Returns the unsubscribe function.
   */
  async listen(onNotify: (due: boolean) => void): Promise<() => void> {
    this.notified.add(onNotify);
    if (!this.client && !this.attempt && !this.retry && !this.closing) this.connect();
    await this.attempt;
    return () => this.notified.delete(onNotify);
  }

  /** The backend process id of the LISTEN connection, while it is up (tests terminate it). */
  get pid(): number | undefined {
    return (this.client as { processID?: number } | undefined)?.processID;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.attempt;
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }

  /** `due`: the NOTIFY said a delivery was made due (not only that something committed). */
  private wake(due = false): void {
    for (const f of this.notified) {
      try {
        f(due);
      } catch (err) {
        this.logger?.error({ err }, 'commit listener failed');
      }
    }
  }

  private connect(): void {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (err: unknown, message: string) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.closing) return;
      this.fault(err, message, { attempt: this.failures + 1 });
      this.scheduleRetry();
    };
    client.on('error', (err) => onLost(err, LOST));
    client.on('end', () => onLost(new Error('LISTEN connection ended'), LOST));
    client.on('notification', (msg) => {
      // The payload is the sending store's origin, followed by ' due' for a wake that made a delivery due.
      const [from, kind] = (msg.payload ?? '').split(' ');
      if (from !== this.origin) this.wake(kind === 'due');
    });
    const attempt = (async () => {
      try {
        await client.connect();
        await client.query(`listen ${this.channel}`);
      } catch (err) {
        onLost(err, 'LISTEN connection failed; retrying (dispatchers poll meanwhile)');
        return;
      }
      if (lost) return;
      if (this.closing) {
        lost = true;
        await client.end().catch(() => {});
        return;
      }
      this.up(client);
    })();
    const tracked = attempt.finally(() => {
      if (this.attempt === tracked) this.attempt = undefined;
    });
    this.attempt = tracked;
  }

  private up(client: pg.Client): void {
    this.client = client;
    if (this.failures === 0) return;
    this.logger?.info({ attempts: this.failures }, 'LISTEN connection restored');
    this.failures = 0;
    // Commits made while it was down sent NOTIFYs no one heard: subscribers look now.
    this.wake(true);
  }

  private scheduleRetry(): void {
    if (this.closing || this.retry) return;
    const delay = Math.min(LISTEN_RECONNECT_MS.max, LISTEN_RECONNECT_MS.first * 2 ** this.failures);
    this.failures += 1;
    // Jittered, so that the processes sharing a database do not all reconnect in the same instant.
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, delay * (0.75 + Math.random() / 2));
    this.retry.unref();
  }
}

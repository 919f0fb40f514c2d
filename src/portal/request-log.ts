/**
 * The SCIM request log's writer. A SCIM request only pushes its entry into a bounded in-memory buffer after
 * its response is sent; batches are written here, each in a transaction of its own, so logging never holds up
 * a SCIM request and a failure to log never touches a SCIM write. A batch that fails to write is dropped (and
 * counted): the log is for humans debugging, never worth a retry storm against a struggling database.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db.ts';
import { insertScimRequests, touchDirectories, type DirectoryTouch, type ScimRequestRecord } from '../store/scim-requests.ts';
import { toRow, type ScimRequestCapture } from './request-entry.ts';

export interface RequestLogOptions {
  /** How long the first entry of a batch waits for others. */
  flushIntervalMs?: number;
  /** Entries per write; a full batch is written at once. */
  maxBatch?: number;
  /** Entries held at most; beyond, the oldest are dropped (a storm against a slow database). */
  maxBuffered?: number;
  /** Characters of entry text held at most (bodies are capped at ~16 KB each); beyond, the oldest are dropped. */
  maxBufferedChars?: number;
  logger?: { warn(context: object, message: string): void };
}

/** Running totals, for /metrics. */
export interface RequestLogStats {
  /** Entries stored (an entry for a directory that does not exist is skipped, not stored). */
  written: number;
  /** Entries lost: their batch failed to write, the buffer overflowed, or they came after close. */
  dropped: number;
  failedFlushes: number;
}

interface Entry {
  row: ScimRequestRecord;
  /** A successful write: moves the directory's last_sync_at. */
  sync: boolean;
  chars: number;
}

const DEFAULTS = { flushIntervalMs: 200, maxBatch: 500, maxBuffered: 10_000, maxBufferedChars: 32 * 1024 * 1024 };
/** While the database is down every batch fails: one warning a minute says so, with the count since the last. */
const WARN_EVERY_MS = 60_000;

export class RequestLog {
  readonly stats: RequestLogStats = { written: 0, dropped: 0, failedFlushes: 0 };
  private readonly options: typeof DEFAULTS;
  private buffer: Entry[] = [];
  private bufferedChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** flush() loops running: each writes until the buffer is empty. */
  private draining = 0;
  private lastWarning = Number.NEGATIVE_INFINITY;
  private unwarned = 0;

  /** `db` is the store's Kysely instance (`store.db`): its own transactions, no commit listeners woken. */
  constructor(
    private readonly db: Kysely<Database>,
    options: RequestLogOptions = {},
  ) {
    const { logger, ...sizes } = options;
    this.logger = logger;
    this.options = { ...DEFAULTS, ...sizes };
  }

  private readonly logger: RequestLogOptions['logger'];

  /** Queues one request's entry. Never throws, never waits. */
  record(capture: ScimRequestCapture): void {
    if (this.closed) {
      this.stats.dropped += 1;
      return;
    }
    let row: ScimRequestRecord;
    try {
      row = toRow(capture);
    } catch (err) {
      this.stats.dropped += 1;
      this.warn({ err }, 'SCIM request log: an entry could not be made');
      return;
    }
    const chars = row.path.length + (row.request_body?.length ?? 0) + (row.error?.length ?? 0) + (row.user_agent?.length ?? 0);
    this.buffer.push({ row, sync: capture.write && capture.status >= 200 && capture.status < 300, chars });
    this.bufferedChars += chars;
    this.shed();
    // A flush under way writes until the buffer is empty, this entry included.
    if (this.draining > 0) return;
    if (this.buffer.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs).unref();
  }

  private shed(): void {
    let drop = 0;
    while (
      drop < this.buffer.length - 1 &&
      (this.buffer.length - drop > this.options.maxBuffered || this.bufferedChars > this.options.maxBufferedChars)
    ) {
      this.bufferedChars -= this.buffer[drop]!.chars;
      drop += 1;
    }
    if (drop === 0) return;
    this.buffer.splice(0, drop);
    this.stats.dropped += drop;
  }

  /** Entries waiting for a flush. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything queued so far (and waits for a write under way). Never rejects. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draining += 1;
    try {
      for (;;) {
        while (this.running) await this.running;
        if (this.buffer.length === 0) return;
        const batch = this.buffer.splice(0, this.options.maxBatch);
        for (const entry of batch) this.bufferedChars -= entry.chars;
        this.running = this.write(batch).finally(() => (this.running = undefined));
      }
    } finally {
      this.draining -= 1;
    }
  }

  /** Flushes, then drops whatever comes later: called when the app closes, before the store does. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async write(batch: Entry[]): Promise<void> {
    try {
      this.stats.written += await this.db.transaction().execute((trx) => insertScimRequests(trx, batch.map((e) => e.row)));
    } catch (err) {
      this.stats.failedFlushes += 1;
      this.stats.dropped += batch.length;
      this.warn({ err, entries: batch.length }, 'SCIM request log: a batch failed to write and was dropped');
      return;
    }
    try {
      await touchDirectories(this.db, touches(batch));
    } catch (err) {
      this.warn({ err }, "SCIM request log: directories' last request times not updated");
    }
  }

  private warn(context: object, message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) {
      this.unwarned += 1;
      return;
    }
    this.logger?.warn({ ...context, ...(this.unwarned > 0 ? { warnings_skipped: this.unwarned } : {}) }, message);
    this.lastWarning = now;
    this.unwarned = 0;
  }
}

/** Each directory's latest request, and latest successful write, in the batch. */
export function touches(batch: { row: Pick<ScimRequestRecord, 'directory_id' | 'created_at'>; sync: boolean }[]): DirectoryTouch[] {
  const byDirectory = new Map<string, DirectoryTouch>();
  for (const { row, sync } of batch) {
    const touch = byDirectory.get(row.directory_id) ?? { directory_id: row.directory_id, last_request_at: row.created_at };
    if (row.created_at > touch.last_request_at) touch.last_request_at = row.created_at;
    if (sync && (touch.last_sync_at === undefined || row.created_at > touch.last_sync_at)) touch.last_sync_at = row.created_at;
    byDirectory.set(row.directory_id, touch);
  }
  return [...byDirectory.values()];
}

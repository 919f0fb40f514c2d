/** Timing of every query, for the benchmarks, which measure database time with it. */
import type { LogEvent } from 'kysely';

/** Sees a query's SQL and its duration in ms. */
export type QueryTimer = (sql: string, ms: number) => void;

/** Kysely's `log` option for an optional query timer (absent: no logging overhead at all). */
export function queryLog(onQuery: QueryTimer | undefined): { log?: (event: LogEvent) => void } {
  return onQuery ? { log: (event) => event.level === 'query' && onQuery(event.query.sql, event.queryDurationMillis) } : {};
}

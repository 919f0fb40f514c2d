/**
 * Why an endpoint was disabled by Guestlist itself (its secret cannot be decrypted, or it answered 410 Gone);
 * null while enabled, and when an API caller disabled it.
 */
import type { Kysely } from 'kysely';
import type { ColumnTypes } from './types.ts';

export async function up(db: Kysely<any>, _t: ColumnTypes): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('disabled_reason', 'text').execute();
}

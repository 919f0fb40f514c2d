/** Organizations and their domains. Deleting one deletes its directories, each with its `dsync.deleted`. */
import { now } from './codec.ts';
import type { Executor } from './db.ts';
import { directoryDeleted, toDirectory } from './directories.ts';
import { appendEvents } from './event-log.ts';
import { newId } from '../ids.ts';
import { pageById } from './pagination.ts';
import type { DirectoryRecord, EventData, OrganizationRecord, Page, PageQuery } from './store.ts';

type OrganizationRow = { id: string; name: string; created_at: string; updated_at: string };

export async function insertOrganization(trx: Executor, input: { id: string; name: string; domains: string[] }, at: string): Promise<void> {
  await trx.insertInto('organizations').values({ id: input.id, name: input.name, created_at: at, updated_at: at }).execute();
  await insertDomains(trx, input.id, input.domains, at);
}

async function insertDomains(trx: Executor, organizationId: string, domains: string[], at: string): Promise<void> {
  if (domains.length === 0) return;
  const rows = domains.map((domain) => ({ id: newId('org_domain'), organization_id: organizationId, domain, created_at: at }));
  await trx.insertInto('organization_domains').values(rows).execute();
}

export async function getOrganization(db: Executor, id: string): Promise<OrganizationRecord | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [withDomains] = await withDomainsOf(db, [row]);
  return withDomains;
}

async function withDomainsOf(db: Executor, rows: OrganizationRow[]): Promise<OrganizationRecord[]> {
  if (rows.length === 0) return [];
  const domains = await db
    .selectFrom('organization_domains')
    .select(['id', 'organization_id', 'domain'])
    .where('organization_id', 'in', rows.map((r) => r.id))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    domains: domains.filter((d) => d.organization_id === r.id).map((d) => ({ id: d.id, domain: d.domain })),
    created_at: r.created_at,
    updated_at: r.updated_at,
  }));
}

export async function listOrganizations(db: Executor, page: PageQuery, filter: { domains?: string[] }): Promise<Page<OrganizationRecord>> {
  let q = db.selectFrom('organizations').selectAll();
  if (filter.domains && filter.domains.length > 0) {
    const withDomain = db.selectFrom('organization_domains').select('organization_id').where('domain', 'in', filter.domains);
    q = q.where('id', 'in', withDomain);
  }
  const result = await pageById(q, 'id', page);
  return { ...result, data: await withDomainsOf(db, result.data) };
}

/** True when the organization exists (and was updated). */
export async function updateOrganization(trx: Executor, id: string, patch: { name?: string; domains?: string[] }): Promise<boolean> {
  const at = now();
  const res = await trx
    .updateTable('organizations')
    .set({ updated_at: at, ...(patch.name !== undefined ? { name: patch.name } : {}) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  if (patch.domains !== undefined) await replaceDomains(trx, id, patch.domains, at);
  return true;
}

/** Keeps the ids of domains that stay, so references to them survive an update. */
async function replaceDomains(trx: Executor, organizationId: string, domains: string[], at: string): Promise<void> {
  const current = await trx.selectFrom('organization_domains').select(['id', 'domain']).where('organization_id', '=', organizationId).execute();
  const gone = current.filter((d) => !domains.includes(d.domain)).map((d) => d.id);
  if (gone.length > 0) await trx.deleteFrom('organization_domains').where('id', 'in', gone).execute();
  const kept = new Set(current.map((d) => d.domain));
  await insertDomains(trx, organizationId, domains.filter((d) => !kept.has(d)), at);
}

/** Deletes the organization; each of its directories gets its `dsync.deleted`, in the same transaction. */
export async function deleteOrganization(trx: Executor, id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
  const directories = await trx.selectFrom('directories').selectAll().where('organization_id', '=', id).orderBy('id').execute();
  const res = await trx.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) return false;
  await appendEvents(trx, directories.map((d) => directoryDeleted(toDirectory(d), eventData)), now());
  return true;
}

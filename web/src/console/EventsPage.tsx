/**
 * The event log, newest first, filtered by type, organization and directory (kept in the URL, so a filtered
 * view can be linked). Each row opens to the event's JSON, as webhooks deliver it.
 */
import { ActionIcon, Badge, Group, MultiSelect, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { JsonBlock } from '../components/JsonBlock.tsx';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList, useDebounced, useResource } from '../lib/hooks.ts';
import { navigate, useLocation } from '../lib/router.tsx';
import { EVENT_TYPES, type GuestlistEvent } from '../lib/types.ts';
import { consoleApi } from './api.ts';

const PAGE = 50;

interface Filters {
  events: string[];
  organization_id: string;
  directory_id: string;
}

function useFilters(): [Filters, (next: Partial<Filters>) => void] {
  const { pathname, search } = useLocation();
  const filters: Filters = {
    events: (search.get('events') ?? '').split(',').filter(Boolean),
    organization_id: search.get('organization_id') ?? '',
    directory_id: search.get('directory_id') ?? '',
  };
  const set = (next: Partial<Filters>) => {
    const merged = { ...filters, ...next };
    const params = new URLSearchParams();
    if (merged.events.length) params.set('events', merged.events.join(','));
    if (merged.organization_id) params.set('organization_id', merged.organization_id);
    if (merged.directory_id) params.set('directory_id', merged.directory_id);
    const query = params.toString();
    navigate(query ? `${pathname}?${query}` : pathname, { replace: true });
  };
  return [filters, set];
}

export function EventsPage() {
  const [filters, setFilters] = useFilters();
  const directoryId = useDebounced(filters.directory_id.trim());
  const types = filters.events.join(',');
  const list = useCursorList(
    async (after) => {
      const page = await consoleApi.events({ events: types, organization_id: filters.organization_id, directory_id: directoryId, order: 'desc', limit: PAGE, after });
      // The log's cursor is set on every page; a short page is the end of it.
      return page.data.length < PAGE ? { ...page, list_metadata: { ...page.list_metadata, after: null } } : page;
    },
    [types, filters.organization_id, directoryId],
  );

  return (
    <>
      <PageHeader title="Events" description="Every change Guestlist recorded, newest first: what your application reads from GET /events and receives by webhook." />
      <Stack>
        <EventFilters filters={filters} onChange={setFilters} />
        {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
        {!list.loading && !list.error && list.items.length === 0 ? (
          <EmptyState title="No events match">
            {filters.events.length || filters.organization_id || filters.directory_id ? 'Try removing a filter.' : 'Events appear as identity providers provision users and groups.'}
          </EmptyState>
        ) : (
          list.items.length > 0 && <EventTable events={list.items} />
        )}
        <ListFooter list={list} noun="events" />
      </Stack>
    </>
  );
}

function EventFilters({ filters, onChange }: { filters: Filters; onChange: (next: Partial<Filters>) => void }) {
  const organizations = useResource(() => consoleApi.organizations({ limit: 100 }), []);
  const options = (organizations.data?.data ?? []).map((org) => ({ value: org.id, label: org.name }));
  if (filters.organization_id && !options.some((o) => o.value === filters.organization_id)) options.push({ value: filters.organization_id, label: filters.organization_id });
  return (
    <Paper p="md">
      <Group align="flex-end" gap="md" wrap="wrap">
        <MultiSelect
          label="Event types"
          placeholder={filters.events.length ? undefined : 'All types'}
          data={EVENT_TYPES}
          value={filters.events}
          onChange={(events) => onChange({ events })}
          clearable
          searchable
          miw={260}
          style={{ flex: 2 }}
        />
        <Select
          label="Organization"
          placeholder="All organizations"
          data={options}
          value={filters.organization_id || null}
          onChange={(value) => onChange({ organization_id: value ?? '' })}
          clearable
          searchable
          miw={200}
          style={{ flex: 1 }}
        />
        <TextInput
          label="Directory id"
          placeholder="directory_…"
          value={filters.directory_id}
          onChange={(e) => onChange({ directory_id: e.currentTarget.value })}
          miw={200}
          style={{ flex: 1 }}
        />
      </Group>
    </Paper>
  );
}

function EventTable({ events }: { events: GuestlistEvent[] }) {
  const [open, setOpen] = useState<string>();
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Events" verticalSpacing="xs" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th>Event</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Time</Table.Th>
              <Table.Th visibleFrom="md">Id</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.map((event) => (
              <EventRow key={event.id} event={event} open={open === event.id} toggle={() => setOpen(open === event.id ? undefined : event.id)} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** What the event is about, in a few words: the user's email, the group's name, the directory. */
function subject(event: GuestlistEvent): string {
  const data = event.data as Record<string, Record<string, unknown> | unknown>;
  const pick = (value: unknown, ...keys: string[]) =>
    value && typeof value === 'object' ? keys.map((k) => (value as Record<string, unknown>)[k]).find((v) => typeof v === 'string') : undefined;
  if (event.event.startsWith('dsync.group.user_')) return `${pick(data.user, 'email', 'id') ?? '?'} → ${pick(data.group, 'name', 'id') ?? '?'}`;
  return String(pick(data, 'email', 'name', 'id') ?? '');
}

function EventRow({ event, open, toggle }: { event: GuestlistEvent; open: boolean; toggle: () => void }) {
  return (
    <Fragment>
      <Table.Tr className="gl-clickable-row" onClick={toggle}>
        <Table.Td>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-expanded={open}
            aria-label={`Payload of ${event.event} ${event.id}`}
            onClick={(e) => {
              e.stopPropagation();
              toggle();
            }}
          >
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Badge variant="light" color="ink" tt="none" className="gl-mono">
            {event.event}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Text size="sm" lineClamp={1}>
            {subject(event)}
          </Text>
        </Table.Td>
        <Table.Td style={{ whiteSpace: 'nowrap' }}>
          <TimeAgo value={event.created_at} />
        </Table.Td>
        <Table.Td visibleFrom="md">
          <Text size="xs" c="dimmed" className="gl-mono">
            {event.id}
          </Text>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <JsonBlock value={event} label={`Event ${event.id}`} />
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}


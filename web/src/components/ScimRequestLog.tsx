/**
 * The directory's SCIM request log, newest first, as both the portal and the console show it. The first page
 * refreshes every few seconds (not while the tab is hidden); older pages hold still. A row opens to the
 * redacted request body and the error.
 */
import { ActionIcon, Badge, Button, Group, Paper, SegmentedControl, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { usePolling, useResource } from '../lib/hooks.ts';
import type { Query } from '../lib/http.ts';
import type { List, ScimRequest } from '../lib/types.ts';
import { HttpStatusBadge } from './Badges.tsx';
import { JsonBlock } from './JsonBlock.tsx';
import { EmptyState, ErrorState } from './States.tsx';
import { TimeAgo } from './TimeAgo.tsx';

const PAGE = 25;
const FILTERS = [
  { value: '', label: 'All' },
  { value: 'error', label: 'Errors' },
  { value: '2xx', label: '2xx' },
  { value: '4xx', label: '4xx' },
  { value: '5xx', label: '5xx' },
];

interface Props {
  /** Stable across renders (useCallback): a new function loads again. */
  load: (query: Query) => Promise<List<ScimRequest>>;
  /** Refresh interval of the first page, in ms. */
  pollMs?: number;
  emptyHint?: string;
}

export function ScimRequestLog({ load, pollMs = 3000, emptyHint }: Props) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]); // `after` of each page past the first
  const after = cursors[cursors.length - 1];
  const page = useResource(() => load({ limit: PAGE, status, after }), [load, status, after]);
  usePolling(page.reload, pollMs, after === undefined);

  const filter = (value: string) => {
    setStatus(value);
    setCursors([]);
  };
  const next = page.data?.list_metadata.after;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <SegmentedControl size="xs" data={FILTERS} value={status} onChange={filter} aria-label="Filter requests by status" />
        {after === undefined && (
          <Text size="xs" c="dimmed">
            Updates every few seconds
          </Text>
        )}
      </Group>
      {page.error && <ErrorState error={page.error} title="The request log could not be loaded" onRetry={page.reload} />}
      {page.data && page.data.data.length === 0 ? (
        <EmptyState title={status ? 'No requests match this filter' : 'No requests yet'}>{!status && emptyHint}</EmptyState>
      ) : (
        <RequestTable rows={page.data?.data ?? []} />
      )}
      <Group justify="space-between">
        <Button variant="default" size="xs" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="default" size="xs" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
          Older
        </Button>
      </Group>
    </Stack>
  );
}

function RequestTable({ rows }: { rows: ScimRequest[] }) {
  const [open, setOpen] = useState<string>();
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={340}>
        <Table aria-label="SCIM requests" verticalSpacing="xs" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <VisuallyHidden>Details</VisuallyHidden>
              </Table.Th>
              <Table.Th>Request</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Time</Table.Th>
              <Table.Th visibleFrom="sm">Duration</Table.Th>
              <Table.Th visibleFrom="md">User agent</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <RequestRow key={row.id} row={row} open={open === row.id} toggle={() => setOpen(open === row.id ? undefined : row.id)} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function RequestRow({ row, open, toggle }: { row: ScimRequest; open: boolean; toggle: () => void }) {
  const detailsId = `scim-request-${row.id}`;
  return (
    <Fragment>
      <Table.Tr className="gl-clickable-row" onClick={toggle}>
        <Table.Td>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`Details of ${row.method} ${row.path}`}
            onClick={(event) => {
              event.stopPropagation();
              toggle();
            }}
          >
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Group gap={8} wrap="nowrap" align="baseline">
            <Badge variant="outline" color="gray" className="gl-mono" miw={58} style={{ flexShrink: 0 }}>
              {row.method}
            </Badge>
            <span className="gl-mono">{row.path}</span>
          </Group>
        </Table.Td>
        <Table.Td>
          <HttpStatusBadge status={row.status} />
        </Table.Td>
        <Table.Td style={{ whiteSpace: 'nowrap' }}>
          <TimeAgo value={row.created_at} />
        </Table.Td>
        <Table.Td visibleFrom="sm" style={{ whiteSpace: 'nowrap' }}>
          {row.duration_ms} ms
        </Table.Td>
        <Table.Td visibleFrom="md">
          <Text size="xs" c="dimmed" lineClamp={1} maw={260} title={row.user_agent ?? undefined}>
            {row.user_agent ?? '—'}
          </Text>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr id={detailsId}>
          <Table.Td colSpan={6}>
            <RequestDetails row={row} />
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}

function RequestDetails({ row }: { row: ScimRequest }) {
  return (
    <Stack gap="xs" py="xs">
      {row.error && (
        <Text size="sm" c="red.8">
          <strong>Error:</strong> {row.error}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {row.user_agent ?? 'No user agent'} · {row.duration_ms} ms · {row.id}
      </Text>
      {row.request_body === null || row.request_body === undefined ? (
        <Text size="sm" c="dimmed">
          No request body.
        </Text>
      ) : (
        <JsonBlock value={row.request_body} label="Request body (secrets redacted)" />
      )}
    </Stack>
  );
}

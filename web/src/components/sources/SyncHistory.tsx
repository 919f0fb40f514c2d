/**
 * A pulled directory's syncs, newest first: a Sync now button, then one row per sync with its state, when it
 * ran, what it changed and, when it failed, why. The first page refreshes every few seconds (not while the
 * tab is hidden); older pages hold still.
 */
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { usePolling, useResource } from '../../lib/hooks.ts';
import type { ApiError } from '../../lib/http.ts';
import { SYNC_COUNTS, type DirectorySync, type SyncCounts } from '../../lib/types.ts';
import { EmptyState, ErrorState } from '../States.tsx';
import { TimeAgo } from '../TimeAgo.tsx';
import type { SourcesApi } from './api.ts';

const PAGE = 20;

const STATES: Record<string, [color: string, label: string]> = {
  queued: ['gray', 'Queued'],
  running: ['blue', 'Running'],
  succeeded: ['green', 'Succeeded'],
  failed: ['red', 'Failed'],
  held: ['orange', 'Held by the guard'],
};

export function SyncStateBadge({ state }: { state: string }) {
  const [color, label] = STATES[state] ?? ['gray', state];
  return <Badge color={color}>{label}</Badge>;
}

const WORDS: Record<keyof SyncCounts, [noun: string, verb: string]> = {
  users_created: ['user', 'created'],
  users_updated: ['user', 'updated'],
  users_deactivated: ['user', 'deactivated'],
  users_deleted: ['user', 'deleted'],
  groups_created: ['group', 'created'],
  groups_updated: ['group', 'updated'],
  groups_deleted: ['group', 'deleted'],
  memberships_added: ['membership', 'added'],
  memberships_removed: ['membership', 'removed'],
};

/** "3 users created, 1 user deactivated", or "no changes". */
export function describeCounts(counts: SyncCounts | null | undefined): string {
  if (!counts) return '—';
  const parts = SYNC_COUNTS.filter((k) => (counts[k] ?? 0) > 0).map((k) => {
    const [noun, verb] = WORDS[k];
    return `${counts[k]} ${noun}${counts[k] === 1 ? '' : 's'} ${verb}`;
  });
  return parts.length ? parts.join(', ') : 'no changes';
}

function duration(sync: DirectorySync): string | null {
  if (!sync.started_at || !sync.finished_at) return null;
  const ms = new Date(sync.finished_at).getTime() - new Date(sync.started_at).getTime();
  if (!(ms >= 0)) return null;
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

interface Props {
  api: SourcesApi;
  pollMs?: number;
  /** Why Sync now cannot run yet (no credentials saved), or undefined when it can. */
  syncBlocked?: string;
  /** After a sync was started (the page may refresh the directory). */
  onStarted?: () => void;
}

export function SyncHistory({ api, pollMs = 3000, syncBlocked, onStarted }: Props) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const page = useResource(() => api.syncs({ limit: PAGE, after }), [api, after]);
  usePolling(page.reload, pollMs, after === undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const rows = page.data?.data ?? [];
  const inFlight = after === undefined && rows.some((s) => s.state === 'queued' || s.state === 'running');

  const syncNow = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const started = await api.sync();
      setCursors([]);
      if (page.data && after === undefined) page.setData({ ...page.data, data: [started, ...page.data.data.filter((s) => s.id !== started.id)] });
      onStarted?.();
      void page.reload();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const next = page.data?.list_metadata.after;

  return (
    <Stack gap="sm" component="section" aria-labelledby="sync-history-title">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={2} fz="h4" id="sync-history-title">
            Sync history
          </Title>
          <Text size="sm" c="dimmed">
            {syncBlocked ?? 'Each time Guestlist read the directory, and what changed. Updates every few seconds.'}
          </Text>
        </div>
        <Button onClick={syncNow} loading={busy} disabled={!!syncBlocked || inFlight} leftSection={<IconRefresh size={16} />} title={inFlight ? 'A sync is already under way' : undefined}>
          Sync now
        </Button>
      </Group>
      {error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
          {error.message}
        </Alert>
      )}
      {page.error && <ErrorState error={page.error} title="The sync history could not be loaded" onRetry={page.reload} />}
      {page.data && rows.length === 0 ? (
        <EmptyState title="Never synced">{syncBlocked ? 'The first sync runs once the credentials are saved.' : 'The first sync starts shortly, or press Sync now.'}</EmptyState>
      ) : (
        <SyncTable rows={rows} />
      )}
      {(cursors.length > 0 || next) && (
        <Group justify="space-between">
          <Button variant="default" size="xs" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </Button>
          <Button variant="default" size="xs" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
            Older
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function SyncTable({ rows }: { rows: DirectorySync[] }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Syncs" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>State</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Changes</Table.Th>
              <Table.Th>Took</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((sync) => (
              <Table.Tr key={sync.id} data-sync-id={sync.id}>
                <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                  <SyncStateBadge state={sync.state} />
                  {sync.trigger && (
                    <Text size="xs" c="dimmed" mt={2}>
                      {sync.trigger === 'manual' ? 'started by hand' : sync.trigger === 'schedule' || sync.trigger === 'scheduled' ? 'on schedule' : sync.trigger}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                  <Text size="sm">
                    {sync.started_at ? <TimeAgo value={sync.started_at} /> : sync.state === 'queued' ? 'waiting' : <TimeAgo value={sync.created_at} />}
                  </Text>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Text size="sm">{describeCounts(sync.counts)}</Text>
                  {sync.error && (
                    <Text size="sm" c="red.8" mt={2} style={{ overflowWrap: 'anywhere' }}>
                      {sync.error}
                    </Text>
                  )}
                  {sync.state === 'held' && !sync.error && (
                    <Text size="sm" c="orange.9" mt={2}>
                      Deactivations and deletions held back: see the banner above.
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                  <Text size="sm" c="dimmed">
                    {duration(sync) ?? (sync.state === 'running' ? 'running…' : '—')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

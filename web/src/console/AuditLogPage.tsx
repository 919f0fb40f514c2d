/** Who changed what: every change made through the API key, the console or the portal, newest first. */
import { Badge, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList, useResource } from '../lib/hooks.ts';
import type { AuditLog } from '../lib/types.ts';
import { consoleApi } from './api.ts';

const ACTORS: Record<string, [string, string]> = {
  api_key: ['API key', 'ink'],
  operator: ['Console', 'blue'],
  portal: ['Portal', 'grape'],
};

export function AuditLogPage() {
  const [organization, setOrganization] = useState<string | null>(null);
  const organizations = useResource(() => consoleApi.organizations({ limit: 100 }), []);
  const list = useCursorList((after) => consoleApi.auditLogs({ limit: 50, after, organization_id: organization }), [organization]);

  return (
    <>
      <PageHeader title="Audit log" description="Every change made through the API key, this console or an IT admin's portal session." />
      <Stack>
        <Select
          label="Organization"
          placeholder="All organizations"
          data={(organizations.data?.data ?? []).map((org) => ({ value: org.id, label: org.name }))}
          value={organization}
          onChange={setOrganization}
          clearable
          searchable
          maw={320}
        />
        {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
        {!list.loading && !list.error && list.items.length === 0 ? (
          <EmptyState title="Nothing recorded yet">Changes appear here as soon as someone makes one.</EmptyState>
        ) : (
          list.items.length > 0 && <AuditTable entries={list.items} />
        )}
        <ListFooter list={list} noun="entries" />
      </Stack>
    </>
  );
}

function AuditTable({ entries }: { entries: AuditLog[] }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Audit log" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>IP address</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((entry) => {
              const [actor, color] = ACTORS[entry.actor.type] ?? [entry.actor.type, 'gray'];
              return (
                <Table.Tr key={entry.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <TimeAgo value={entry.created_at} />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={color}>{actor}</Badge>
                    {entry.actor.id && (
                      <Text size="xs" c="dimmed" className="gl-mono">
                        {entry.actor.id}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td className="gl-mono">{entry.action}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{entry.target.type}</Text>
                    <Text size="xs" c="dimmed" className="gl-mono">
                      {entry.target.id}
                    </Text>
                  </Table.Td>
                  <Table.Td className="gl-mono" title={entry.user_agent ?? undefined}>
                    {entry.ip ?? '—'}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

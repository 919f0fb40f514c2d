/**
 * The connection at a glance: linked or still waiting, how many users and groups, when it last heard from the
 * IdP. For a directory Guestlist pulls: Linked, Never synced or Credentials refused, and the last sync.
 */
import { Group, Loader, Paper, SimpleGrid, Text, ThemeIcon } from '@mantine/core';
import { IconCircleCheck, IconKeyOff } from '@tabler/icons-react';
import { PULLED_STATUS_LABELS, pulledStatus } from '../components/sources/SourceStatus.tsx';
import type { ReactNode } from 'react';
import { TimeAgo } from '../components/TimeAgo.tsx';
import type { PortalDirectory } from '../lib/types.ts';

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Paper p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4}>
        {label}
      </Text>
      <Text component="div" fw={650} mt={4}>
        {children}
      </Text>
    </Paper>
  );
}

function waiting(state: string, scim: boolean): string {
  if (state !== 'unlinked') return state.replace(/_/g, ' ');
  return scim ? 'Waiting for the first request' : 'Waiting for your vendor to finish the connection';
}

function PulledState({ directory }: { directory: PortalDirectory }) {
  const status = pulledStatus(directory);
  return (
    <Group gap={8} wrap="nowrap" role="status" aria-live="polite" aria-label="Connection status">
      {status === 'linked' ? (
        <ThemeIcon color="green" variant="light" radius="xl" size="sm" aria-hidden>
          <IconCircleCheck size={16} />
        </ThemeIcon>
      ) : status === 'invalid_credentials' ? (
        <ThemeIcon color="red" variant="light" radius="xl" size="sm" aria-hidden>
          <IconKeyOff size={14} />
        </ThemeIcon>
      ) : (
        <Loader size={14} color="gray" aria-hidden />
      )}
      <span>{PULLED_STATUS_LABELS[status]}</span>
    </Group>
  );
}

function ConnectionState({ state, scim }: { state: string; scim: boolean }) {
  const linked = state === 'linked';
  return (
    <Group gap={8} wrap="nowrap" role="status" aria-live="polite" aria-label="Connection status">
      {linked ? (
        <ThemeIcon color="green" variant="light" radius="xl" size="sm" aria-hidden>
          <IconCircleCheck size={16} />
        </ThemeIcon>
      ) : (
        <Loader size={14} color="gray" aria-hidden />
      )}
      <span>{linked ? 'Linked' : waiting(state, scim)}</span>
    </Group>
  );
}

export function StatusSummary({ directory, scim }: { directory: PortalDirectory; scim: boolean }) {
  const users = directory.metadata?.users ?? { active: 0, inactive: 0 };
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
      <Paper p="md" style={{ gridColumn: 'span 2' }}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4}>
          Status
        </Text>
        <Text component="div" fw={650} mt={4}>
          {scim ? <ConnectionState state={directory.state} scim={scim} /> : <PulledState directory={directory} />}
        </Text>
      </Paper>
      <Stat label="Users">
        {users.active} active
        <Text size="xs" c="dimmed" fw={400}>
          {users.inactive} inactive
        </Text>
      </Stat>
      <Stat label="Groups">{directory.metadata?.groups ?? 0}</Stat>
      {scim && (
        <Stat label="Last request">
          <TimeAgo value={directory.last_request_at} />
        </Stat>
      )}
      <Stat label="Last sync">
        <TimeAgo value={directory.last_sync_at} />
      </Stat>
    </SimpleGrid>
  );
}

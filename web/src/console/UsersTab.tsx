/** A directory's users, searchable, each opening a drawer with its attributes and groups. */
import { Anchor, Badge, Drawer, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { UserStateBadge } from '../components/Badges.tsx';
import { JsonBlock } from '../components/JsonBlock.tsx';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList, useDebounced, useResource } from '../lib/hooks.ts';
import type { DirectoryUser } from '../lib/types.ts';
import { consoleApi } from './api.ts';

export const userName = (user: DirectoryUser) =>
  user.name || [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username || user.email || user.idp_id;

export function UsersTab({ directoryId }: { directoryId: string }) {
  const [query, setQuery] = useState('');
  const search = useDebounced(query.trim());
  const list = useCursorList((after) => consoleApi.users({ directory: directoryId, search, limit: 50, after }), [directoryId, search]);
  const [open, setOpen] = useState<string>();

  return (
    <Stack>
      <TextInput
        label="Search users"
        placeholder="Name, email or username"
        leftSection={<IconSearch size={16} />}
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        maw={420}
      />
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <EmptyState title={search ? 'No user matches this search' : 'No users yet'}>
          {!search && 'Users appear here as the identity provider provisions them.'}
        </EmptyState>
      ) : (
        list.items.length > 0 && <UserTable users={list.items} onOpen={setOpen} />
      )}
      <ListFooter list={list} noun="users" />
      <UserDrawer id={open} onClose={() => setOpen(undefined)} />
    </Stack>
  );
}

function UserTable({ users, onOpen }: { users: DirectoryUser[]; onOpen: (id: string) => void }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Users" verticalSpacing="sm" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th visibleFrom="sm">Groups</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>
                  <Anchor component="button" type="button" fw={600} onClick={() => onOpen(user.id)}>
                    {userName(user)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{user.email ?? '—'}</Table.Td>
                <Table.Td>
                  <UserStateBadge state={user.state} />
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <GroupBadges names={(user.groups ?? []).map((g) => g.name)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function GroupBadges({ names }: { names: string[] }) {
  const shown = names.slice(0, 3);
  return (
    <Group gap={4}>
      {shown.map((name) => (
        <Badge key={name} color="gray" tt="none">
          {name}
        </Badge>
      ))}
      {names.length > shown.length && (
        <Text size="xs" c="dimmed">
          +{names.length - shown.length} more
        </Text>
      )}
    </Group>
  );
}

/** The role that wins, and any others the user's groups give. */
function RoleFact({ user }: { user: DirectoryUser }) {
  if (!user.role) return <Text size="sm" c="dimmed">none</Text>;
  const others = (user.roles ?? []).filter((r) => r.slug !== user.role!.slug);
  return (
    <Group gap={4}>
      <Badge color="blue" variant="light" tt="none">
        {user.role.slug}
      </Badge>
      {others.length > 0 && (
        <Text size="xs" c="dimmed">
          also {others.map((r) => r.slug).join(', ')}
        </Text>
      )}
    </Group>
  );
}

function UserDrawer({ id, onClose }: { id: string | undefined; onClose: () => void }) {
  return (
    <Drawer opened={Boolean(id)} onClose={onClose} position="right" size="lg" title="User">
      {id && <UserDetails id={id} />}
    </Drawer>
  );
}

function UserDetails({ id }: { id: string }) {
  const user = useResource(() => consoleApi.user(id), [id]);
  if (user.error) return <ErrorState error={user.error} onRetry={user.reload} />;
  if (!user.data) return <PageLoader label="Loading the user" />;
  const u = user.data;
  const facts: [string, ReactNode][] = [
    ['Name', userName(u)],
    ['Email', u.email ?? '—'],
    ['Username', u.username ?? '—'],
    ['State', <UserStateBadge key="state" state={u.state} />],
    ...(u.role !== undefined ? ([['Role', <RoleFact key="role" user={u} />]] as [string, ReactNode][]) : []),
    ['IdP id', <span className="gl-mono">{u.idp_id}</span>],
    ['Id', <span className="gl-mono">{u.id}</span>],
    ['Updated', <TimeAgo value={u.updated_at} />],
  ];
  return (
    <Stack>
      <Title order={2} fz="h3">
        {userName(u)}
      </Title>
      <Table variant="vertical" layout="fixed" withTableBorder>
        <Table.Tbody>
          {facts.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={120}>{label}</Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={3} fz="h5">
        Groups
      </Title>
      {(u.groups ?? []).length === 0 ? <Text size="sm" c="dimmed">Not in any group.</Text> : <GroupBadges names={(u.groups ?? []).map((g) => g.name)} />}
      {u.custom_attributes && Object.keys(u.custom_attributes).length > 0 && (
        <>
          <Title order={3} fz="h5">
            Custom attributes
          </Title>
          <JsonBlock value={u.custom_attributes} label="Custom attributes" />
        </>
      )}
      {(u.warnings ?? []).length > 0 && (
        <Group gap={4} aria-label="Warnings">
          {u.warnings!.map((w) => (
            <Badge key={w.attribute + w.code} color="orange" variant="light" tt="none">
              {w.attribute} {w.code === 'missing_required' ? 'missing (required)' : w.code}
            </Badge>
          ))}
        </Group>
      )}
      <Title order={3} fz="h5">
        Raw attributes
      </Title>
      <Text size="xs" c="dimmed">
        The SCIM resource as the identity provider last sent it.
      </Text>
      <JsonBlock value={u.raw_attributes} label="Raw attributes" maxHeight={480} />
    </Stack>
  );
}

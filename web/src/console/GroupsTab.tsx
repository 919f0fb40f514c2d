/** A directory's groups, searchable, each opening a drawer with its members. */
import { Anchor, Drawer, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { UserStateBadge } from '../components/Badges.tsx';
import { JsonBlock } from '../components/JsonBlock.tsx';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList, useDebounced, useResource } from '../lib/hooks.ts';
import type { DirectoryGroup } from '../lib/types.ts';
import { consoleApi } from './api.ts';
import { userName } from './UsersTab.tsx';

export function GroupsTab({ directoryId }: { directoryId: string }) {
  const [query, setQuery] = useState('');
  const search = useDebounced(query.trim());
  const list = useCursorList((after) => consoleApi.groups({ directory: directoryId, search, limit: 50, after }), [directoryId, search]);
  const [open, setOpen] = useState<DirectoryGroup>();

  return (
    <Stack>
      <TextInput
        label="Search groups"
        placeholder="Group name"
        leftSection={<IconSearch size={16} />}
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        maw={420}
      />
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <EmptyState title={search ? 'No group matches this search' : 'No groups yet'}>
          {!search && 'Groups appear here when the identity provider pushes them.'}
        </EmptyState>
      ) : (
        list.items.length > 0 && <GroupTable groups={list.items} onOpen={setOpen} />
      )}
      <ListFooter list={list} noun="groups" />
      <Drawer opened={Boolean(open)} onClose={() => setOpen(undefined)} position="right" size="lg" title="Group">
        {open && <GroupDetails group={open} />}
      </Drawer>
    </Stack>
  );
}

function GroupTable({ groups, onOpen }: { groups: DirectoryGroup[]; onOpen: (group: DirectoryGroup) => void }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={420}>
        <Table aria-label="Groups" verticalSpacing="sm" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th visibleFrom="sm">Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.map((group) => (
              <Table.Tr key={group.id}>
                <Table.Td>
                  <Anchor component="button" type="button" fw={600} onClick={() => onOpen(group)}>
                    {group.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{group.member_count ?? '—'}</Table.Td>
                <Table.Td visibleFrom="sm">
                  <TimeAgo value={group.updated_at} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function GroupDetails({ group }: { group: DirectoryGroup }) {
  const members = useCursorList((after) => consoleApi.users({ group: group.id, limit: 100, after }), [group.id]);
  const full = useResource(() => consoleApi.group(group.id), [group.id]);
  return (
    <Stack>
      <Title order={2} fz="h3">
        {group.name}
      </Title>
      <Text size="sm" c="dimmed" className="gl-mono">
        {group.id} · IdP id {group.idp_id}
      </Text>
      <Title order={3} fz="h5">
        Members {full.data?.member_count !== undefined && `(${full.data.member_count})`}
      </Title>
      {members.error && <ErrorState error={members.error} onRetry={members.reload} />}
      {!members.loading && members.items.length === 0 && !members.error ? (
        <Text size="sm" c="dimmed">
          No members.
        </Text>
      ) : (
        <Table aria-label="Members" verticalSpacing="xs">
          <Table.Tbody>
            {members.items.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>{userName(user)}</Table.Td>
                <Table.Td>{user.email ?? '—'}</Table.Td>
                <Table.Td>
                  <UserStateBadge state={user.state} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ListFooter list={members} noun="members" />
      {full.data?.raw_attributes !== undefined && (
        <>
          <Title order={3} fz="h5">
            Raw attributes
          </Title>
          <JsonBlock value={full.data.raw_attributes} label="Raw attributes" />
        </>
      )}
      {full.loading && !full.data && <PageLoader label="Loading the group" />}
    </Stack>
  );
}

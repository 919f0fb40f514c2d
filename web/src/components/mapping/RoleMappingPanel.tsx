/**
 * A directory's role mapping: the application's roles (read-only here), and the directory's groups, searchable
 * and paged, each given a role or none. Changes collect in a draft that survives searching and paging; Save
 * sends the whole mapping (the saved one with the draft applied), so groups not on screen keep their roles.
 */
import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useCursorList, useDebounced, useResource } from '../../lib/hooks.ts';
import type { ApiError } from '../../lib/http.ts';
import type { Role, RoleMapping } from '../../lib/types.ts';
import { ListFooter } from '../ListFooter.tsx';
import { PageLoader } from '../PageLoader.tsx';
import { EmptyState, ErrorState } from '../States.tsx';
import type { MappingApi } from './api.ts';

export const ROLE_RULE = "A user's role is the highest-priority role among their groups' roles, else the default role.";

export function RoleMappingPanel({ api }: { api: MappingApi }) {
  const roles = useResource(() => api.roles(), [api]);
  const mapping = useResource(() => api.roleMapping(), [api]);

  if (roles.error) return <ErrorState error={roles.error} title="The roles could not be loaded" onRetry={roles.reload} />;
  if (mapping.error && !mapping.data) return <ErrorState error={mapping.error} title="The role mapping could not be loaded" onRetry={mapping.reload} />;
  if (!roles.data || !mapping.data) return <PageLoader label="Loading the role mapping" />;
  const sorted = [...roles.data.data].sort((a, b) => b.priority - a.priority);
  return (
    <Stack gap="lg">
      <div>
        <Title order={2} fz="h3">
          Roles
        </Title>
        <Text size="sm" mt={4} maw={720}>
          {ROLE_RULE}
        </Text>
      </div>
      {sorted.length === 0 ? (
        <EmptyState title="Your application hasn't defined any roles">
          Once it does, you give each group of this directory a role here, and every member gets it.
        </EmptyState>
      ) : (
        <>
          <RolesTable roles={sorted} />
          <GroupRoles api={api} roles={sorted} mapping={mapping.data} onSaved={mapping.setData} />
        </>
      )}
    </Stack>
  );
}

function RolesTable({ roles }: { roles: Role[] }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={320}>
        <Table aria-label="Roles" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th ta="right">Priority</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {roles.map((role) => (
              <Table.Tr key={role.id}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Text size="sm" fw={600}>
                      {role.name}
                    </Text>
                    {role.default && (
                      <Badge size="sm" variant="light" color="blue">
                        default
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td className="gl-mono">{role.slug}</Table.Td>
                <Table.Td ta="right">{role.priority}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

interface GroupRolesProps {
  api: MappingApi;
  roles: Role[];
  mapping: RoleMapping;
  onSaved: (mapping: RoleMapping) => void;
}

function GroupRoles({ api, roles, mapping, onSaved }: GroupRolesProps) {
  const [query, setQuery] = useState('');
  const search = useDebounced(query.trim());
  const groups = useCursorList((after) => api.groups({ search, after, limit: 25 }), [api, search]);
  /** Group id → role slug, or '' for "no role". */
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);

  const savedRoles = useMemo(() => new Map(mapping.mappings.map((m) => [m.group_id, m.role])), [mapping]);
  const dirty = Object.keys(draft).length > 0;

  const save = async () => {
    const next = new Map(savedRoles);
    for (const [group, role] of Object.entries(draft)) {
      if (role) next.set(group, role);
      else next.delete(group);
    }
    setSaving(true);
    setError(undefined);
    try {
      onSaved(await api.saveRoleMapping([...next].map(([group_id, role]) => ({ group_id, role }))));
      setDraft({});
      setSaved(true);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack gap="sm">
      <Title order={3} fz="h4">
        Groups
      </Title>
      <Text size="sm" c="dimmed" mt={-8}>
        Give a group a role and every member of it gets that role. {savedRoles.size === 0 ? 'No group has a role yet.' : `${savedRoles.size} ${savedRoles.size === 1 ? 'group has' : 'groups have'} a role.`}
      </Text>
      <TextInput
        label="Search groups"
        placeholder="Group name"
        leftSection={<IconSearch size={16} />}
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        maw={420}
      />
      {groups.error && <ErrorState error={groups.error} onRetry={groups.reload} />}
      {!groups.loading && !groups.error && groups.items.length === 0 ? (
        <EmptyState title={search ? 'No group matches this search' : 'No groups yet'}>
          {!search && 'Groups appear here once your identity provider has sent them.'}
        </EmptyState>
      ) : (
        groups.items.length > 0 && (
          <Paper p={0}>
            <Table aria-label="Group roles" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Group</Table.Th>
                  <Table.Th w="45%">Role</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {groups.items.map((group) => {
                  const value = group.id in draft ? draft[group.id]! : (savedRoles.get(group.id) ?? '');
                  return (
                    <Table.Tr key={group.id}>
                      <Table.Td style={{ wordBreak: 'break-word' }}>
                        <Text size="sm" fw={600}>
                          {group.name}
                        </Text>
                        {group.member_count !== undefined && (
                          <Text size="xs" c="dimmed">
                            {group.member_count} {group.member_count === 1 ? 'member' : 'members'}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <NativeSelect
                          aria-label={`Role for ${group.name}`}
                          value={value}
                          onChange={(e) => {
                            const role = e.currentTarget.value;
                            const { [group.id]: _, ...rest } = draft;
                            setDraft(role === (savedRoles.get(group.id) ?? '') ? rest : { ...draft, [group.id]: role });
                            setSaved(false);
                          }}
                          data={[{ value: '', label: 'No role' }, ...roles.map((r) => ({ value: r.slug, label: r.name }))]}
                        />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Paper>
        )
      )}
      <ListFooter list={groups} noun="groups" />
      {error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The role mapping was not saved" role="alert">
          {error.message}
          {error.errors.map((e, i) => (
            <div key={i}>{e.message}</div>
          ))}
        </Alert>
      )}
      {saved && !dirty && (
        <Alert color="green" variant="light" icon={<IconCheck size={18} />} role="status">
          Saved. Members' roles are updated.
        </Alert>
      )}
      <Group gap="sm">
        <Button onClick={save} loading={saving} disabled={!dirty}>
          Save roles
        </Button>
        {dirty && (
          <>
            <Button variant="subtle" color="gray" onClick={() => setDraft({})}>
              Discard changes
            </Button>
            <Text size="sm" c="dimmed">
              {Object.keys(draft).length} unsaved {Object.keys(draft).length === 1 ? 'change' : 'changes'}
            </Text>
          </>
        )}
      </Group>
    </Stack>
  );
}

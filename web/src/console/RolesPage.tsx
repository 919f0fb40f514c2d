/**
 * The application's roles (API.md §7), highest priority first: each directory's admin gives groups a role, and a
 * user gets the highest-priority role among their groups', else the default role.
 */
import { Alert, Badge, Button, Checkbox, Group, Modal, NumberInput, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPencil, IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ROLE_RULE } from '../components/mapping/RoleMappingPanel.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useResource } from '../lib/hooks.ts';
import { ApiError } from '../lib/http.ts';
import type { Role } from '../lib/types.ts';
import { consoleApi } from './api.ts';
import { fieldError, shownOnField } from './forms.ts';

const SLUG_RULE = /^[a-z][a-z0-9_-]{0,63}$/;

export function RolesPage() {
  const list = useResource(() => consoleApi.roles(), []);
  const [editing, setEditing] = useState<Role | 'new'>();
  const roles = [...(list.data?.data ?? [])].sort((a, b) => b.priority - a.priority);
  return (
    <>
      <PageHeader
        title="Roles"
        description={`The roles your application gives people. Each organization's IT admin maps their groups to them. ${ROLE_RULE}`}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            New role
          </Button>
        }
      />
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <PageLoader label="Loading roles" />}
      {list.data && roles.length === 0 && <EmptyState title="No roles yet">Define one here, or with POST /roles from your application.</EmptyState>}
      {roles.length > 0 && <RoleTable roles={roles} onEdit={setEditing} onDeleted={list.reload} />}
      {editing && (
        <RoleForm
          role={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined);
            await list.reload();
          }}
        />
      )}
    </>
  );
}

function RoleTable({ roles, onEdit, onDeleted }: { roles: Role[]; onEdit: (role: Role) => void; onDeleted: () => Promise<void> }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Roles" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th ta="right">Priority</Table.Th>
              <Table.Th visibleFrom="sm">Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {roles.map((role) => (
              <Table.Tr key={role.id}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Text fw={600} size="sm">
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
                <Table.Td visibleFrom="sm">
                  <TimeAgo value={role.created_at} />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} aria-label={`Edit ${role.slug}`} onClick={() => onEdit(role)}>
                      Edit
                    </Button>
                    <ConfirmButton
                      size="xs"
                      label="Delete"
                      ariaLabel={`Delete ${role.slug}`}
                      title={`Delete the role ${role.name}?`}
                      confirmLabel="Delete role"
                      onConfirm={async () => {
                        try {
                          await consoleApi.deleteRole(role.slug);
                        } catch (e) {
                          const error = e as ApiError;
                          if (error.code === 'default_role')
                            throw new ApiError('This is the default role. Make another role the default first, then delete this one.', error.status, error.code);
                          throw error;
                        }
                        await onDeleted();
                      }}
                    >
                      Groups mapped to <strong>{role.name}</strong> lose it, and their members get their next role
                      {role.default ? '' : ', else the default role'}.
                    </ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function RoleForm({ role, onClose, onSaved }: { role?: Role; onClose: () => void; onSaved: () => Promise<void> }) {
  const [slug, setSlug] = useState(role?.slug ?? '');
  const [name, setName] = useState(role?.name ?? '');
  const [priority, setPriority] = useState<number | string>(role?.priority ?? 0);
  const [isDefault, setDefault] = useState(role?.default ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [touched, setTouched] = useState(false);
  const slugProblem = !role && touched && slug !== '' && !SLUG_RULE.test(slug) ? 'Lowercase letters, digits, - and _, starting with a letter.' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!role && !SLUG_RULE.test(slug)) return;
    setBusy(true);
    setError(undefined);
    const body = { name: name.trim(), priority: Number(priority) || 0, default: isDefault };
    try {
      if (role) await consoleApi.updateRole(role.slug, body);
      else await consoleApi.createRole({ slug, ...body });
      await onSaved();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={role ? `Edit ${role.name}` : 'New role'} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Slug"
            description={role ? 'The slug is how your application reads the role; it cannot change.' : 'How your application reads it, e.g. admin'}
            value={slug}
            onChange={(e) => setSlug(e.currentTarget.value)}
            onBlur={() => setTouched(true)}
            error={slugProblem ?? fieldError(error, 'slug')}
            disabled={Boolean(role)}
            classNames={{ input: 'gl-mono' }}
            autoComplete="off"
            spellCheck={false}
            required
            data-autofocus={!role}
          />
          <TextInput
            label="Name"
            description="Shown to IT admins"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            required
            data-autofocus={Boolean(role)}
          />
          <NumberInput
            label="Priority"
            description="A user in groups with several roles gets the one with the highest priority."
            value={priority}
            onChange={setPriority}
            allowDecimal={false}
            error={fieldError(error, 'priority')}
          />
          <Checkbox
            label="Default role"
            description="Given to users whose groups have no role. One role is the default."
            checked={isDefault}
            onChange={(e) => setDefault(e.currentTarget.checked)}
          />
          {error && !shownOnField(error, ['slug', 'name', 'priority']) && (
            <Alert color="red" variant="light" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {role ? 'Save role' : 'Create role'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

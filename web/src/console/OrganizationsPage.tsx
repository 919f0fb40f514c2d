/** Every organization, newest first, and a way to add one. */
import { Anchor, Badge, Button, Group, Modal, Paper, Stack, Table, TagsInput, Text, TextInput, Alert } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { Organization } from '../lib/types.ts';
import { consoleApi } from './api.ts';

export function OrganizationsPage() {
  const list = useCursorList((after) => consoleApi.organizations({ limit: 50, after }), []);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Organizations"
        description="Each customer of your application is an organization; its IT admin connects its directories."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            New organization
          </Button>
        }
      />
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <EmptyState title="No organizations yet">Create one here, or with POST /organizations from your application.</EmptyState>
      ) : (
        <OrganizationTable organizations={list.items} />
      )}
      <ListFooter list={list} noun="organizations" />
      <CreateOrganization opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function OrganizationTable({ organizations }: { organizations: Organization[] }) {
  if (organizations.length === 0) return null;
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={520}>
        <Table aria-label="Organizations" verticalSpacing="sm" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Domains</Table.Th>
              <Table.Th visibleFrom="sm">Id</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {organizations.map((org) => (
              <Table.Tr key={org.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/console/organizations/${org.id}`} fw={600}>
                    {org.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {org.domains.map((d) => (
                      <Badge key={d.id} color="gray" variant="outline" tt="none">
                        {d.domain}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Text size="xs" className="gl-mono" c="dimmed">
                    {org.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <TimeAgo value={org.created_at} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function CreateOrganization({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [domains, setDomains] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const org = await consoleApi.createOrganization({ name: name.trim(), domains });
      navigate(`/console/organizations/${org.id}`);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New organization" centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
          <TagsInput label="Domains" description="Press Enter after each domain." value={domains} onChange={setDomains} placeholder="acme.com" />
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create organization
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** One organization: its directories, a setup link for its IT admin, and longer-lived invites. */
import { Anchor, Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { DirectoryStateBadge } from '../components/Badges.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useResource } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import { typeLabel, type Directory } from '../lib/types.ts';
import { consoleApi } from './api.ts';
import { Invites } from './Invites.tsx';
import { SetupLinkButton } from './SetupLinkButton.tsx';

export function OrganizationPage({ id }: { id: string }) {
  const org = useResource(() => consoleApi.organization(id), [id]);
  const directories = useResource(() => consoleApi.directories({ organization_id: id, limit: 100 }), [id]);

  if (org.error) return <ErrorState error={org.error} title="This organization could not be loaded" onRetry={org.reload} />;
  if (!org.data) return <PageLoader label="Loading the organization" />;
  return (
    <>
      <PageHeader
        back={{ href: '/console/organizations', label: 'Organizations' }}
        title={org.data.name}
        description={
          <Group gap={6}>
            <Text span size="sm" className="gl-mono">
              {org.data.id}
            </Text>
            {org.data.domains.map((d) => (
              <Badge key={d.id} color="gray" variant="outline" tt="none">
                {d.domain}
              </Badge>
            ))}
          </Group>
        }
        actions={<SetupLinkButton organization={org.data} />}
      />
      <Stack gap="xl">
        <section aria-labelledby="org-directories">
          <Title order={2} fz="h4" id="org-directories" mb="sm">
            Directories
          </Title>
          {directories.error && <ErrorState error={directories.error} onRetry={directories.reload} />}
          {directories.data &&
            (directories.data.data.length === 0 ? (
              <Paper>
                <EmptyState title="No directories yet">
                  Generate a setup link and send it to the organization's IT admin: they connect their identity provider themselves.
                </EmptyState>
              </Paper>
            ) : (
              <DirectoryTable directories={directories.data.data} />
            ))}
        </section>
        <Invites organization={org.data} />
      </Stack>
    </>
  );
}

function DirectoryTable({ directories }: { directories: Directory[] }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-labelledby="org-directories" verticalSpacing="sm" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Users</Table.Th>
              <Table.Th>Groups</Table.Th>
              <Table.Th visibleFrom="sm">Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {directories.map((dir) => (
              <Table.Tr key={dir.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/console/directories/${dir.id}`} fw={600}>
                    {dir.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{typeLabel(dir.type)}</Table.Td>
                <Table.Td>
                  <DirectoryStateBadge state={dir.state} />
                </Table.Td>
                <Table.Td>
                  {dir.metadata?.users.active ?? 0}
                  <Text span size="xs" c="dimmed">
                    {' '}
                    active · {dir.metadata?.users.inactive ?? 0} inactive
                  </Text>
                </Table.Td>
                <Table.Td>{dir.metadata?.groups ?? 0}</Table.Td>
                <Table.Td visibleFrom="sm">
                  <TimeAgo value={dir.created_at} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

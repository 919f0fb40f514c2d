/** The portal's start: the organization's connections, or the provider choice when there are none yet. */
import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { DirectoryStateBadge } from '../components/Badges.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useResource } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import { isPulled, type PortalDirectory } from '../lib/types.ts';
import { portalApi } from './api.ts';
import { ProviderPicker } from './ProviderPicker.tsx';
import { providerByType } from './providers.ts';

export function Home() {
  const list = useResource(portalApi.directories, []);
  if (list.error && !list.data) return <ErrorState error={list.error} title="Your connections could not be loaded" onRetry={list.reload} />;
  if (!list.data) return <PageLoader label="Loading your connections" />;
  if (list.data.data.length === 0) return <ProviderPicker first />;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} fz="h2">
            Your directory connections
          </Title>
          <Text c="dimmed" mt={4}>
            Open a connection to see its status, requests or syncs, manage its credentials, or disconnect it.
          </Text>
        </div>
        <Button component={Link} href="/portal/setup" leftSection={<IconPlus size={16} />}>
          Add another connection
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {list.data.data.map((directory) => (
          <li key={directory.id}>
            <DirectoryCard directory={directory} />
          </li>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function DirectoryCard({ directory }: { directory: PortalDirectory }) {
  const users = directory.metadata?.users;
  return (
    <Card component={Link} href={`/portal/directories/${directory.id}`} p="lg" className="gl-clickable-row" aria-label={directory.name} aria-describedby={`directory-${directory.id}`}>
      <Group justify="space-between" wrap="nowrap">
        <Text fw={650} truncate>
          {directory.name}
        </Text>
        <DirectoryStateBadge state={directory.state} />
      </Group>
      <div id={`directory-${directory.id}`}>
        <Text size="sm" c="dimmed" mt={4}>
          {providerByType(directory.type).name}
        </Text>
        {users && (
          <Text size="sm" mt="sm">
            {users.active} active users · {directory.metadata?.groups ?? 0} groups
          </Text>
        )}
        <Text size="xs" c="dimmed" mt={4}>
          {isPulled(directory.type) ? (
            <>
              Last sync: <TimeAgo value={directory.last_sync_at} />
            </>
          ) : (
            <>
              Last request: <TimeAgo value={directory.last_request_at} />
            </>
          )}
        </Text>
      </div>
    </Card>
  );
}

/**
 * One directory, as the operator sees it: its users, groups, mapping, SCIM request log, tokens and settings (the
 * deprovision guard), one tab each, with the guard's banner above the tabs when it has tripped. A directory
 * Guestlist pulls (API.md §8) has syncs and its connection instead of the request log and tokens, its schedule
 * among the settings, and the refused-credentials explanation above the tabs.
 */
import { Anchor, Group, Paper, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useCallback, useMemo, type ReactNode } from 'react';
import { DirectoryStateBadge } from '../components/Badges.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { ScimRequestLog } from '../components/ScimRequestLog.tsx';
import { ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { TokenPanel } from '../components/TokenPanel.tsx';
import { useResource } from '../lib/hooks.ts';
import type { Query } from '../lib/http.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { isPulled, typeLabel, type Directory } from '../lib/types.ts';
import { AttributeMappingPanel } from '../components/mapping/AttributeMappingPanel.tsx';
import { RoleMappingPanel } from '../components/mapping/RoleMappingPanel.tsx';
import { ConnectionPanel } from '../components/sources/ConnectionPanel.tsx';
import { GuardBanner } from '../components/sources/GuardBanner.tsx';
import { CredentialsRefused } from '../components/sources/SourceStatus.tsx';
import { SyncHistory } from '../components/sources/SyncHistory.tsx';
import { consoleApi, consoleMappingApi, consoleSourcesApi } from './api.ts';
import { SourceSettings } from './SourceSettings.tsx';
import { GroupsTab } from './GroupsTab.tsx';
import { UsersTab } from './UsersTab.tsx';

const TABS = ['users', 'groups', 'mapping', 'requests', 'tokens', 'settings'];
const PULLED_TABS = ['users', 'groups', 'mapping', 'syncs', 'connection', 'settings'];

export function DirectoryPage({ id }: { id: string }) {
  const directory = useResource(() => consoleApi.directory(id), [id]);
  const { pathname, search } = useLocation();
  const sources = useMemo(() => consoleSourcesApi(id), [id]);
  const pulled = !!directory.data && isPulled(directory.data.type);
  const tabs = pulled ? PULLED_TABS : TABS;
  const tab = tabs.includes(search.get('tab') ?? '') ? search.get('tab')! : 'users';
  const show = (value: string | null) => navigate(`${pathname}?tab=${value}`, { replace: true });

  if (directory.error && !directory.data) return <ErrorState error={directory.error} title="This directory could not be loaded" onRetry={directory.reload} />;
  if (!directory.data) return <PageLoader label="Loading the directory" />;
  const dir = directory.data;
  const type = dir.type;
  return (
    <>
      <PageHeader
        back={{ href: `/console/organizations/${dir.organization_id}`, label: 'Organization' }}
        title={dir.name}
        description={
          <Group gap="xs">
            <span>{typeLabel(dir.type)}</span>
            <DirectoryStateBadge state={dir.state} />
          </Group>
        }
      />
      <Summary directory={dir} />
      <Stack gap="sm" mt="sm">
        {isPulled(type) && dir.state === 'invalid_credentials' && <CredentialsRefused type={type} onFix={() => show('connection')} fixLabel="Open the connection" />}
        <GuardBanner api={sources} sourceName={typeLabel(type)} scim={!pulled} onChanged={() => void directory.reload()} />
      </Stack>
      <Tabs value={tab} onChange={show} keepMounted={false} mt="lg">
        <Tabs.List>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="groups">Groups</Tabs.Tab>
          <Tabs.Tab value="mapping">Mapping</Tabs.Tab>
          {pulled ? (
            <>
              <Tabs.Tab value="syncs">Syncs</Tabs.Tab>
              <Tabs.Tab value="connection">Connection</Tabs.Tab>
            </>
          ) : (
            <>
              <Tabs.Tab value="requests">SCIM requests</Tabs.Tab>
              <Tabs.Tab value="tokens">Tokens</Tabs.Tab>
            </>
          )}
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersTab directoryId={dir.id} />
        </Tabs.Panel>
        <Tabs.Panel value="groups" pt="md">
          <GroupsTab directoryId={dir.id} />
        </Tabs.Panel>
        <Tabs.Panel value="mapping" pt="md">
          <Mapping directoryId={dir.id} />
        </Tabs.Panel>
        <Tabs.Panel value="requests" pt="md">
          <Requests directoryId={dir.id} />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md">
          <Tokens directoryId={dir.id} />
        </Tabs.Panel>
        {isPulled(type) && (
          <>
            <Tabs.Panel value="syncs" pt="md">
              <SyncHistory api={sources} onStarted={() => void directory.reload()} />
            </Tabs.Panel>
            <Tabs.Panel value="connection" pt="md">
              <ConnectionPanel type={type} api={sources} onSaved={() => void directory.reload()} />
            </Tabs.Panel>
          </>
        )}
        <Tabs.Panel value="settings" pt="md">
          <SourceSettings
            directory={dir}
            api={sources}
            save={async (settings) => {
              const updated = await consoleApi.updateSettings(dir.id, settings);
              directory.setData(updated);
              return updated;
            }}
          />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function Summary({ directory }: { directory: Directory }) {
  const users = directory.metadata?.users ?? { active: 0, inactive: 0 };
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
      <Paper p="md">
        {directory.scim_base_url ? (
          <CopyField label="SCIM base URL" value={directory.scim_base_url} />
        ) : (
          <>
            <Text size="xs" c="dimmed">
              Source
            </Text>
            <Text fw={650}>Read from {typeLabel(directory.type)}&apos;s API</Text>
            <Text size="xs" c="dimmed" mt={4}>
              Every {directory.settings?.sync_interval_minutes ?? 30} minutes; no SCIM base URL or token.
            </Text>
          </>
        )}
      </Paper>
      <Paper p="md">
        <SimpleGrid cols={3}>
          <Fact label="Active users">{users.active}</Fact>
          <Fact label="Inactive users">{users.inactive}</Fact>
          <Fact label="Groups">{directory.metadata?.groups ?? 0}</Fact>
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          {directory.id} · created <TimeAgo value={directory.created_at} /> ·{' '}
          <Anchor component={Link} href={`/console/events?directory_id=${directory.id}`} size="xs">
            events
          </Anchor>
        </Text>
      </Paper>
    </SimpleGrid>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={650} fz="lg">
        {children}
      </Text>
    </div>
  );
}

/** The same mapping screens the directory's IT admin sees in the portal; the operator may edit them too. */
function Mapping({ directoryId }: { directoryId: string }) {
  const api = useMemo(() => consoleMappingApi(directoryId), [directoryId]);
  return (
    <Stack gap={48}>
      <AttributeMappingPanel api={api} />
      <RoleMappingPanel api={api} />
    </Stack>
  );
}

function Requests({ directoryId }: { directoryId: string }) {
  const load = useCallback((query: Query) => consoleApi.scimRequests(directoryId, query), [directoryId]);
  return <ScimRequestLog load={load} emptyHint="The identity provider has not sent a request to this directory yet." />;
}

function Tokens({ directoryId }: { directoryId: string }) {
  const tokens = useResource(() => consoleApi.tokens(directoryId), [directoryId]);
  if (tokens.error) return <ErrorState error={tokens.error} onRetry={tokens.reload} />;
  if (!tokens.data) return <PageLoader label="Loading tokens" />;
  return (
    <TokenPanel
      tokens={tokens.data.data}
      create={async () => {
        const created = await consoleApi.createToken(directoryId);
        await tokens.reload();
        return created;
      }}
      revoke={async (tokenId) => {
        await consoleApi.revokeToken(directoryId, tokenId);
        await tokens.reload();
      }}
    />
  );
}

/**
 * One connection: its live status (refreshed every 3 s while the tab is visible), the deprovision guard's banner
 * when it has tripped, the setup guide with the values to paste, the request log, its tokens, where the
 * application's custom attributes and roles come from (attribute and role mapping), and disconnecting it. A
 * directory Guestlist pulls (API.md §8) has no request log or tokens: its guide ends in the credentials form, and
 * it shows its syncs instead.
 */
import { Alert, Anchor, Button, Group, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconArrowRight } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { AttributeMappingPanel } from '../components/mapping/AttributeMappingPanel.tsx';
import { RoleMappingPanel } from '../components/mapping/RoleMappingPanel.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { ScimRequestLog } from '../components/ScimRequestLog.tsx';
import { ErrorState } from '../components/States.tsx';
import { TokenPanel } from '../components/TokenPanel.tsx';
import { ConnectionPanel } from '../components/sources/ConnectionPanel.tsx';
import { GuardBanner } from '../components/sources/GuardBanner.tsx';
import { CredentialsRefused } from '../components/sources/SourceStatus.tsx';
import { SyncHistory } from '../components/sources/SyncHistory.tsx';
import { usePolling, useResource } from '../lib/hooks.ts';
import type { Query } from '../lib/http.ts';
import { Link, navigate } from '../lib/router.tsx';
import { isPulled, type PortalDirectory, type PulledType } from '../lib/types.ts';
import { portalApi, portalMappingApi, portalSourcesApi, revealedTokens } from './api.ts';
import { Guide } from './Guide.tsx';
import { providerByType } from './providers.ts';
import { usePortalSession } from './session.ts';
import { StatusSummary } from './StatusSummary.tsx';

const POLL_MS = 3000;

export function DirectoryPage({ id }: { id: string }) {
  const directory = useResource(() => portalApi.directory(id), [id]);
  usePolling(directory.reload, POLL_MS, !directory.error || directory.error.status !== 404);

  if (directory.error && (!directory.data || directory.error.status === 404))
    return (
      <Stack>
        <BackLink />
        <ErrorState error={directory.error} title="This connection could not be loaded" onRetry={directory.reload} />
      </Stack>
    );
  if (!directory.data) return <PageLoader label="Loading the connection" />;
  if (isPulled(directory.data.type)) return <PulledLoaded directory={directory.data} type={directory.data.type} reload={directory.reload} />;
  return <Loaded directory={directory.data} reload={directory.reload} />;
}

function BackLink() {
  return (
    <Anchor component={Link} href="/portal/" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} /> All connections
      </Group>
    </Anchor>
  );
}

function Loaded({ directory, reload }: { directory: PortalDirectory; reload: () => Promise<void> }) {
  const provider = providerByType(directory.type);
  const session = usePortalSession();
  // Chosen once: a page that switched tabs under the admin's hands when the IdP links would lose their place.
  const [tab, setTab] = useState<string | null>(directory.state === 'linked' && provider.guide.scim ? 'activity' : 'setup');
  const [token, setToken] = useState(revealedTokens.get(directory.id));

  const newToken = async () => {
    const created = await portalApi.createToken(directory.id);
    revealedTokens.set(directory.id, created.token);
    setToken(created.token);
    await reload();
    return created;
  };
  // The guide must not keep offering a token that was just revoked.
  const forgetIfRevoked = (tokenId: string) => {
    const suffix = directory.tokens.find((t) => t.id === tokenId)?.token_suffix;
    if (suffix && token?.endsWith(suffix)) {
      revealedTokens.delete(directory.id);
      setToken(undefined);
    }
  };
  const mappingApi = useMemo(() => portalMappingApi(directory.id), [directory.id]);
  const guardApi = useMemo(() => portalSourcesApi(directory.id), [directory.id]);
  const loadRequests = useCallback((query: Query) => portalApi.scimRequests(directory.id, query), [directory.id]);

  return (
    <Stack gap="lg">
      <BackLink />
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} fz="h2">
            {directory.name}
          </Title>
          <Text c="dimmed" mt={4}>
            {provider.name} · {provider.guide.scim ? 'SCIM provisioning' : `read through ${provider.name}'s API`}
          </Text>
        </div>
        {directory.state === 'linked' && <SuccessLink url={session?.success_url ?? null} />}
      </Group>
      <StatusSummary directory={directory} scim={provider.guide.scim} />
      <GuardBanner api={guardApi} sourceName={provider.name} scim onChanged={() => void reload()} />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="setup">Setup guide</Tabs.Tab>
          {provider.guide.scim && <Tabs.Tab value="activity">Request log</Tabs.Tab>}
          {provider.guide.scim && <Tabs.Tab value="tokens">Tokens</Tabs.Tab>}
          <Tabs.Tab value="attributes">Attributes</Tabs.Tab>
          <Tabs.Tab value="roles">Roles</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="setup" pt="lg">
          <Guide guide={provider.guide} directory={directory} token={token} onNewToken={async () => void (await newToken())} />
        </Tabs.Panel>
        <Tabs.Panel value="activity" pt="lg">
          <ScimRequestLog load={loadRequests} emptyHint={`Requests from ${provider.name} appear here as they arrive, successful or not.`} />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="lg">
          <TokenPanel
            tokens={directory.tokens}
            create={newToken}
            revoke={async (tokenId) => {
              await portalApi.revokeToken(directory.id, tokenId);
              forgetIfRevoked(tokenId);
              await reload();
            }}
            audience={provider.name}
          />
        </Tabs.Panel>
        <Tabs.Panel value="attributes" pt="lg">
          <AttributeMappingPanel api={mappingApi} />
        </Tabs.Panel>
        <Tabs.Panel value="roles" pt="lg">
          <RoleMappingPanel api={mappingApi} />
        </Tabs.Panel>
      </Tabs>
      <Finish directory={directory} />
    </Stack>
  );
}

/** A directory Guestlist pulls: its status, the guard when tripped, its syncs, the guide with the credentials form, mapping. */
function PulledLoaded({ directory, type, reload }: { directory: PortalDirectory; type: PulledType; reload: () => Promise<void> }) {
  const provider = providerByType(directory.type);
  const session = usePortalSession();
  const sources = useMemo(() => portalSourcesApi(directory.id), [directory.id]);
  const mappingApi = useMemo(() => portalMappingApi(directory.id), [directory.id]);
  const connection = useResource(sources.connection, [sources]);
  // Chosen once the connection is known: the guide until credentials are saved, the syncs after.
  const [tab, setTab] = useState<string | null>(null);
  const current = tab ?? (connection.data ? (connection.data.configured ? 'syncs' : 'setup') : connection.error ? 'setup' : null);
  const name = provider.name;
  const consent =
    type === 'gsuite directory' && session?.features?.google_consent
      ? async () => window.location.assign((await portalApi.googleAuthorize(directory.id)).url)
      : undefined;
  // Back from Google's consent screen: `?google=connected|declined|refused` (src/http/portal/google.ts).
  const consented = new URLSearchParams(window.location.search).get('google');

  return (
    <Stack gap="lg">
      <BackLink />
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} fz="h2">
            {directory.name}
          </Title>
          <Text c="dimmed" mt={4}>
            {name} · read through {name}'s API
          </Text>
        </div>
        {directory.state === 'linked' && <SuccessLink url={session?.success_url ?? null} />}
      </Group>
      <StatusSummary directory={directory} scim={false} />
      {consented === 'connected' && (
        <Alert color="green" variant="light" role="status" title="Connected to Google">
          Your consent is saved; the first sync starts shortly and shows under Syncs.
        </Alert>
      )}
      {(consented === 'declined' || consented === 'refused') && (
        <Alert color="red" variant="light" role="alert" title={consented === 'declined' ? 'Google was not connected' : 'Google refused the connection'}>
          {consented === 'declined'
            ? 'The consent was cancelled on Google’s screen. Try again from the Setup guide, signed in as a super admin.'
            : 'Google did not accept the consent (it may have expired, or a permission was unticked). Try again from the Setup guide.'}
        </Alert>
      )}
      {directory.state === 'invalid_credentials' && <CredentialsRefused type={type} onFix={() => setTab('setup')} />}
      <GuardBanner api={sources} sourceName={name} onChanged={() => void reload()} />
      {current === null ? (
        <PageLoader label="Loading the connection" />
      ) : (
        <Tabs value={current} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="syncs">Syncs</Tabs.Tab>
            <Tabs.Tab value="setup">Setup guide</Tabs.Tab>
            <Tabs.Tab value="attributes">Attributes</Tabs.Tab>
            <Tabs.Tab value="roles">Roles</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="syncs" pt="lg">
            <SyncHistory
              api={sources}
              syncBlocked={connection.data && !connection.data.configured ? `Save ${name}'s credentials under Setup guide first.` : undefined}
              onStarted={() => void reload()}
            />
          </Tabs.Panel>
          <Tabs.Panel value="setup" pt="lg">
            <Guide
              guide={provider.guide}
              directory={directory}
              connection={
                <ConnectionPanel
                  type={type}
                  api={sources}
                  {...(consent ? { consent } : {})}
                  onSaved={(saved) => {
                    connection.setData(saved);
                    void reload();
                  }}
                />
              }
            />
          </Tabs.Panel>
          <Tabs.Panel value="attributes" pt="lg">
            <AttributeMappingPanel api={mappingApi} />
          </Tabs.Panel>
          <Tabs.Panel value="roles" pt="lg">
            <RoleMappingPanel api={mappingApi} />
          </Tabs.Panel>
        </Tabs>
      )}
      <Finish directory={directory} pulled />
    </Stack>
  );
}

function Finish({ directory, pulled = false }: { directory: PortalDirectory; pulled?: boolean }) {
  return (
    <Paper p="lg" mt="xl" style={{ borderColor: 'var(--mantine-color-red-2)' }}>
      <Group justify="space-between" wrap="wrap" gap="md">
        <div style={{ maxWidth: 560 }}>
          <Text fw={650}>Disconnect this directory</Text>
          <Text size="sm" c="dimmed">
            {pulled ? 'Stops reading the directory, forgets the saved credentials' : 'Stops provisioning'} and removes the synced users and groups from the application.
          </Text>
        </div>
        <ConfirmButton
          label="Disconnect"
          title={`Disconnect ${directory.name}?`}
          confirmLabel="Disconnect and delete users"
          onConfirm={async () => {
            await portalApi.disconnect(directory.id);
            revealedTokens.delete(directory.id);
            navigate('/portal/', { replace: true });
          }}
        >
          <p style={{ marginTop: 0 }}>
            {pulled ? 'Guestlist stops reading your directory' : 'Guestlist will refuse every further request from your identity provider'}, and <strong>all users and groups synced through this
            connection are deleted from the application</strong>. People may lose access until you connect again.
          </p>
          <p style={{ marginBottom: 0 }}>This cannot be undone. To sync again later, create a new connection.</p>
        </ConfirmButton>
      </Group>
    </Paper>
  );
}

function SuccessLink({ url }: { url: string | null }) {
  if (!url) return null;
  return (
    <Button component="a" href={url} rightSection={<IconArrowRight size={16} />}>
      Finish and return to the app
    </Button>
  );
}

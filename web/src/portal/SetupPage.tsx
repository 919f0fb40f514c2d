/**
 * A provider's guide before its connection exists: reading it creates nothing until the admin asks. For a SCIM
 * provider, the step with the values offers to create the connection; for one Guestlist pulls, the step with
 * the credentials form creates it when the form is first saved, then stores the credentials.
 */
import { Anchor, Group, Stack, Text, Title } from '@mantine/core';
import { useRef } from 'react';
import { portalSourcesApi } from './api.ts';
import { ConnectionForm } from '../components/sources/ConnectionForm.tsx';
import { isPulled, type ConnectionInput } from '../lib/types.ts';
import { IconArrowLeft } from '@tabler/icons-react';
import { EmptyState } from '../components/States.tsx';
import { Link, navigate } from '../lib/router.tsx';
import { portalApi, revealedTokens } from './api.ts';
import { Guide } from './Guide.tsx';
import { usePortalSession } from './session.ts';
import { providerBySlug } from './providers.ts';

export function SetupPage({ slug }: { slug: string }) {
  const provider = providerBySlug(slug);
  // The connection created by a first save whose credentials were refused (422): the next save reuses it.
  const created = useRef<string>(undefined);
  if (!provider)
    return (
      <EmptyState title="We don't have a guide by that name" action={<Anchor component={Link} href="/portal/setup">Choose a provider</Anchor>}>
        The address may be mistyped.
      </EmptyState>
    );

  const create = async () => {
    const directory = await portalApi.createDirectory(provider.type);
    if (directory.bearer_token) revealedTokens.set(directory.id, directory.bearer_token);
    navigate(`/portal/directories/${directory.id}`, { replace: true });
  };

  const saveConnection = async (body: ConnectionInput) => {
    created.current ??= (await portalApi.createDirectory(provider.type)).id;
    await portalSourcesApi(created.current).saveConnection(body);
    navigate(`/portal/directories/${created.current}`, { replace: true });
  };
  const type = provider.type;
  const session = usePortalSession();
  const consent =
    type === 'gsuite directory' && session?.features?.google_consent
      ? async () => {
          created.current ??= (await portalApi.createDirectory(provider.type)).id;
          window.location.assign((await portalApi.googleAuthorize(created.current)).url);
        }
      : undefined;

  return (
    <Stack gap="lg">
      <Anchor component={Link} href="/portal/setup" size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={14} /> Choose another provider
        </Group>
      </Anchor>
      <div>
        <Title order={1} fz="h2">
          Connect {provider.name}
        </Title>
        <Text c="dimmed" mt={4}>
          {provider.guide.summary}
        </Text>
      </div>
      <Guide guide={provider.guide} onCreate={create} connection={isPulled(type) ? <ConnectionForm type={type} save={saveConnection} submitLabel="Save and connect" {...(consent ? { consent } : {})} /> : undefined} />
    </Stack>
  );
}

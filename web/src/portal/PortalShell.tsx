/** The portal's frame: the wordmark, whose setup this is, a way back to the vendor's app, and sign out. */
import { Anchor, Box, Button, Container, Group, Text } from '@mantine/core';
import { IconArrowLeft, IconLogout } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Wordmark } from '../components/Wordmark.tsx';
import { Link } from '../lib/router.tsx';
import { client, portalApi, type PortalSession } from './api.ts';

interface Props {
  session?: PortalSession;
  onSignedOut?: () => void;
  children: ReactNode;
}

export function PortalShell({ session, onSignedOut, children }: Props) {
  const signOut = async () => {
    await portalApi.logout().catch(() => undefined);
    client.csrfToken = undefined;
    onSignedOut?.();
  };
  return (
    <>
      <Box component="header" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Container size="lg" py="sm">
          <Group justify="space-between" wrap="nowrap">
            <Anchor component={Link} href="/portal/" underline="never" aria-label="Guestlist directory setup, home">
              <Wordmark suffix="Directory setup" />
            </Anchor>
            {session && (
              <Group gap="sm" wrap="nowrap">
                <Text size="sm" fw={600} truncate maw={200} title={session.organization.name}>
                  {session.organization.name}
                </Text>
                {session.return_url && (
                  <Button component="a" href={session.return_url} variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} visibleFrom="sm">
                    Back to the app
                  </Button>
                )}
                <Button variant="default" size="xs" leftSection={<IconLogout size={14} />} onClick={signOut}>
                  Sign out
                </Button>
              </Group>
            )}
          </Group>
        </Container>
      </Box>
      <Container size="lg" py="xl" component="main">
        {children}
      </Container>
    </>
  );
}

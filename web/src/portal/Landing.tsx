/** No portal session: the link was used, expired, revoked or mistyped, or the session ended. */
import { Alert, Container, Paper, Stack, Text, Title } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import { Wordmark } from '../components/Wordmark.tsx';

export function Landing({ reason }: { reason: string | null }) {
  const invalid = reason === 'link_invalid';
  const expired = reason === 'expired';
  return (
    <Container size={520} py={80} component="main">
      <Stack gap="lg">
        <Wordmark suffix="Directory setup" />
        <Paper p="xl">
          <Stack>
            <Title order={1} fz="h2">
              {invalid ? 'This setup link no longer works' : expired ? 'Your session has ended' : 'Open your setup link to continue'}
            </Title>
            {invalid ? (
              <Alert color="orange" variant="light" icon={<IconLink size={18} />}>
                Setup links work once and expire a few minutes after they are made, so the link you opened has been used already, has
                expired, or was revoked.
              </Alert>
            ) : expired ? (
              <Text>For your security, a setup session ends after an hour without activity, or when your vendor revokes the link.</Text>
            ) : (
              <Text>This page connects your company's identity provider to an application. It opens from a setup link.</Text>
            )}
            <Text>
              <strong>Ask your vendor for a new link</strong>, usually from the settings page of the application you are connecting, then open it
              in this browser.
            </Text>
            <Text size="sm" c="dimmed">
              If you were in the middle of a setup, nothing is lost: the connection and its settings are kept, and a new link brings you
              back to them.
            </Text>
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}

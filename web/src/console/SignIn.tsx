/** Signing in to the console: the management API key, or GUESTLIST_ADMIN_PASSWORD where the operator set one. */
import { Alert, Button, Container, Paper, PasswordInput, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Wordmark } from '../components/Wordmark.tsx';
import type { ApiError } from '../lib/http.ts';
import { consoleApi } from './api.ts';

type Method = 'api_key' | 'password';

function explain(error: ApiError): string {
  if (error.code === 'invalid_credentials') return 'That key or password is not right. Check for a missing character and try again.';
  if (error.code === 'rate_limited') return 'Too many failed attempts from this address. Wait a minute, then try again.';
  return error.message;
}

export function SignIn({ expired, onSignedIn }: { expired: boolean; onSignedIn: (csrf: string) => void }) {
  const [method, setMethod] = useState<Method>('api_key');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await consoleApi.login(method === 'api_key' ? { api_key: secret.trim() } : { password: secret });
      onSignedIn(session.csrf_token);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container size={440} py={80} component="main">
      <Stack gap="lg">
        <Wordmark suffix="Console" />
        <Paper p="xl" component="form" onSubmit={submit}>
          <Stack>
            <Title order={1} fz="h3">
              Sign in to the console
            </Title>
            {expired && (
              <Alert color="yellow" variant="light">
                Your session has ended. Sign in again to continue where you were.
              </Alert>
            )}
            <SegmentedControl
              fullWidth
              value={method}
              onChange={(value) => setMethod(value as Method)}
              aria-label="Sign in with"
              data={[
                { value: 'api_key', label: 'API key' },
                { value: 'password', label: 'Admin password' },
              ]}
            />
            <PasswordInput
              label={method === 'api_key' ? 'API key' : 'Admin password'}
              description={method === 'api_key' ? 'The management API key, sk_…' : 'GUESTLIST_ADMIN_PASSWORD, where the server sets one.'}
              value={secret}
              onChange={(event) => setSecret(event.currentTarget.value)}
              autoComplete={method === 'api_key' ? 'off' : 'current-password'}
              required
              data-autofocus
              autoFocus
            />
            {error && (
              <Alert color="red" variant="light" role="alert">
                {explain(error)}
              </Alert>
            )}
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
            <Text size="xs" c="dimmed">
              The session lasts 12 hours at most and ends after an hour without activity.
            </Text>
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}

/** Empty and error states, written for the person looking at them. */
import { Alert, Button, Center, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ApiError } from '../lib/http.ts';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" gap="xs" maw={440} ta="center">
        <ThemeIcon variant="light" color="gray" size={44} radius="xl" aria-hidden>
          <IconInbox size={24} />
        </ThemeIcon>
        <Text fw={600}>{title}</Text>
        {children && (
          <Text c="dimmed" size="sm">
            {children}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}

function describe(error: ApiError): string {
  if (error.status === 404) return 'It may have been deleted, or the link you followed is out of date.';
  if (error.status === 403) return 'You are not allowed to do this. Reload the page and try again.';
  return error.message;
}

export function ErrorState({ error, title, onRetry }: { error: ApiError; title?: string; onRetry?: () => void }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title ?? (error.status === 404 ? 'Not found' : 'Something went wrong')}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{describe(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

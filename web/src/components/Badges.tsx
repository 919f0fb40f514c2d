/** Colour and words for states and HTTP statuses, the same everywhere they appear. */
import { Badge } from '@mantine/core';

const DIRECTORY_STATES: Record<string, [string, string]> = {
  linked: ['green', 'Linked'],
  unlinked: ['gray', 'Not linked'],
  deleting: ['red', 'Deleting'],
  invalid_credentials: ['red', 'Credentials refused'],
};

export function DirectoryStateBadge({ state }: { state: string }) {
  const [color, label] = DIRECTORY_STATES[state] ?? ['gray', state];
  return <Badge color={color}>{label}</Badge>;
}

export function UserStateBadge({ state }: { state: string }) {
  return <Badge color={state === 'active' ? 'green' : 'gray'}>{state}</Badge>;
}

export function httpColor(status: number | null | undefined): string {
  if (!status) return 'red';
  if (status < 300) return 'green';
  if (status < 400) return 'blue';
  if (status < 500) return 'orange';
  return 'red';
}

export function HttpStatusBadge({ status }: { status: number | null | undefined }) {
  return (
    <Badge color={httpColor(status)} variant="light" className="gl-mono">
      {status ?? 'no answer'}
    </Badge>
  );
}

const DELIVERY_STATES: Record<string, string> = { succeeded: 'green', failed: 'red', pending: 'yellow', sending: 'blue' };

export function DeliveryStateBadge({ state }: { state: string }) {
  return <Badge color={DELIVERY_STATES[state] ?? 'gray'}>{state}</Badge>;
}

/**
 * Webhook endpoints: where events are delivered. The signing secret is shown once, when the endpoint is made or
 * its secret rotated; reads carry only its last four characters.
 */
import { Alert, Anchor, Badge, Button, Checkbox, Group, Modal, Paper, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { useCursorList } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import { Link } from '../lib/router.tsx';
import { EVENT_TYPES, type WebhookEndpoint } from '../lib/types.ts';
import { consoleApi } from './api.ts';

export function WebhooksPage() {
  const list = useCursorList((after) => consoleApi.webhooks({ limit: 50, after }), []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ endpoint: WebhookEndpoint; verb: string }>();

  const showSecret = (endpoint: WebhookEndpoint, verb: string) => {
    setSecret({ endpoint, verb });
    list.reload();
  };

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Guestlist POSTs each event to the endpoints subscribed to its type, signed with the endpoint's secret, retrying for three days."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            Add endpoint
          </Button>
        }
      />
      <Stack>
        {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
        {!list.loading && !list.error && list.items.length === 0 ? (
          <EmptyState title="No webhook endpoints yet">Add one to receive events as they happen, instead of polling GET /events.</EmptyState>
        ) : (
          list.items.length > 0 && <EndpointTable endpoints={list.items} onChanged={list.reload} onSecret={showSecret} />
        )}
        <ListFooter list={list} noun="endpoints" />
      </Stack>
      <CreateEndpoint opened={creating} onClose={() => setCreating(false)} onCreated={(endpoint) => (setCreating(false), showSecret(endpoint, 'created'))} />
      <SecretModal value={secret} onClose={() => setSecret(undefined)} />
    </>
  );
}

function EndpointTable({ endpoints, onChanged, onSecret }: { endpoints: WebhookEndpoint[]; onChanged: () => void; onSecret: (e: WebhookEndpoint, verb: string) => void }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Webhook endpoints" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Endpoint</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Secret</Table.Th>
              <Table.Th>Enabled</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.map((endpoint) => (
              <EndpointRow key={endpoint.id} endpoint={endpoint} onChanged={onChanged} onSecret={onSecret} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function EndpointRow({ endpoint, onChanged, onSecret }: { endpoint: WebhookEndpoint; onChanged: () => void; onSecret: (e: WebhookEndpoint, verb: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await consoleApi.updateWebhook(endpoint.id, { status: enabled ? 'enabled' : 'disabled' });
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const all = endpoint.events.length >= EVENT_TYPES.length - 2;
  return (
    <Table.Tr>
      <Table.Td maw={320}>
        <Anchor component={Link} href={`/console/webhooks/${endpoint.id}`} fw={600} className="gl-mono" style={{ overflowWrap: 'anywhere' }}>
          {endpoint.endpoint_url}
        </Anchor>
        {endpoint.disabled_reason && (
          <Text size="xs" c="orange.8">
            Disabled by Guestlist: {endpoint.disabled_reason === 'gone' ? 'the endpoint answered 410 Gone' : endpoint.disabled_reason.replace(/_/g, ' ')}
          </Text>
        )}
        {error && (
          <Text size="xs" c="red.8" role="alert">
            {error.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={endpoint.events.join(', ')}>
          {all ? 'All events' : `${endpoint.events.length} types`}
        </Text>
      </Table.Td>
      <Table.Td className="gl-mono">{endpoint.secret_hint ? `…${endpoint.secret_hint}` : '—'}</Table.Td>
      <Table.Td>
        <Switch
          checked={endpoint.status === 'enabled'}
          disabled={busy}
          onChange={(e) => void toggle(e.currentTarget.checked)}
          aria-label={`Deliver to ${endpoint.endpoint_url}`}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <ConfirmButton
            size="xs"
            variant="default"
            color="gray"
            label="Rotate secret"
            ariaLabel={`Rotate the secret of ${endpoint.endpoint_url}`}
            title="Rotate the signing secret?"
            confirmLabel="Rotate secret"
            onConfirm={async () => onSecret(await consoleApi.rotateSecret(endpoint.id), 'rotated')}
          >
            A new secret signs every delivery from now on. The old one keeps signing alongside it for 24 hours, so your receiver can switch
            without dropping events.
          </ConfirmButton>
          <ConfirmButton
            size="xs"
            label="Delete"
            ariaLabel={`Delete ${endpoint.endpoint_url}`}
            title="Delete this endpoint?"
            confirmLabel="Delete endpoint"
            onConfirm={async () => {
              await consoleApi.deleteWebhook(endpoint.id);
              onChanged();
            }}
          >
            Guestlist stops delivering events to <strong>{endpoint.endpoint_url}</strong>, including those still waiting to be retried.
          </ConfirmButton>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function CreateEndpoint({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (e: WebhookEndpoint) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(EVENT_TYPES.filter((t) => !t.startsWith('dsync.guard')));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await consoleApi.createWebhook({ endpoint_url: url.trim(), events }));
      setUrl('');
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Add a webhook endpoint" centered size="lg">
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Endpoint URL" placeholder="https://app.example.com/webhooks/guestlist" value={url} onChange={(e) => setUrl(e.currentTarget.value)} required type="url" data-autofocus />
          <Checkbox.Group label="Events to send" value={events} onChange={setEvents} withAsterisk>
            <Stack gap={6} mt="xs">
              {EVENT_TYPES.map((type) => (
                <Checkbox key={type} value={type} label={<span className="gl-mono">{type}</span>} />
              ))}
            </Stack>
          </Checkbox.Group>
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error.errors[0]?.field === 'endpoint_url' || error.status === 422 ? error.message : error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={events.length === 0}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SecretModal({ value, onClose }: { value?: { endpoint: WebhookEndpoint; verb: string }; onClose: () => void }) {
  return (
    <Modal opened={Boolean(value?.endpoint.secret)} onClose={onClose} title="Signing secret" centered size="lg">
      {value?.endpoint.secret && (
        <Stack>
          <Text size="sm">
            The endpoint was {value.verb}. Copy its signing secret into your receiver now: it will not be shown again.
          </Text>
          <CopyField label="Signing secret" value={value.endpoint.secret} />
          <Badge color="gray" variant="outline" tt="none" className="gl-mono">
            {value.endpoint.endpoint_url}
          </Badge>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

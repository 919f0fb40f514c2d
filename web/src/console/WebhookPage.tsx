/** One endpoint's deliveries, newest first: every attempt, and a way to send a delivery again. */
import { ActionIcon, Anchor, Button, Paper, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { notifications } from '@mantine/notifications';
import { Fragment, useState } from 'react';
import { DeliveryStateBadge, HttpStatusBadge } from '../components/Badges.tsx';
import { ListFooter } from '../components/ListFooter.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useCursorList, useResource } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import { Link } from '../lib/router.tsx';
import type { WebhookDelivery } from '../lib/types.ts';
import { consoleApi } from './api.ts';

const STATES = [
  { value: '', label: 'All' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
  { value: 'succeeded', label: 'Succeeded' },
];

export function WebhookPage({ id }: { id: string }) {
  const endpoint = useResource(() => consoleApi.webhook(id), [id]);
  const [state, setState] = useState('');
  const deliveries = useCursorList((after) => consoleApi.deliveries(id, { limit: 50, after, state }), [id, state]);

  if (endpoint.error) return <ErrorState error={endpoint.error} onRetry={endpoint.reload} />;
  if (endpoint.loading && !endpoint.data) return <PageLoader label="Loading the endpoint" />;
  return (
    <>
      <PageHeader
        back={{ href: '/console/webhooks', label: 'Webhooks' }}
        title="Deliveries"
        description={<span className="gl-mono">{endpoint.data?.endpoint_url ?? id}</span>}
      />
      <Stack>
        <SegmentedControl size="xs" data={STATES} value={state} onChange={setState} aria-label="Filter deliveries by state" style={{ alignSelf: 'flex-start' }} />
        {deliveries.error && <ErrorState error={deliveries.error} onRetry={deliveries.reload} />}
        {!deliveries.loading && !deliveries.error && deliveries.items.length === 0 ? (
          <EmptyState title="No deliveries" action={<Anchor component={Link} href="/console/events">See the event log</Anchor>}>
            {state ? 'None in this state.' : 'Deliveries appear when an event this endpoint subscribes to happens.'}
          </EmptyState>
        ) : (
          deliveries.items.length > 0 && <DeliveryTable endpointId={id} deliveries={deliveries.items} onResent={deliveries.reload} />
        )}
        <ListFooter list={deliveries} noun="deliveries" />
      </Stack>
    </>
  );
}

function DeliveryTable({ endpointId, deliveries, onResent }: { endpointId: string; deliveries: WebhookDelivery[]; onResent: () => void }) {
  const [open, setOpen] = useState<string>();
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Deliveries" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th>Event</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Last attempt</Table.Th>
              <Table.Th>Next attempt</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deliveries.map((d) => (
              <DeliveryRow key={d.id} endpointId={endpointId} delivery={d} open={open === d.id} toggle={() => setOpen(open === d.id ? undefined : d.id)} onResent={onResent} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function DeliveryRow({ endpointId, delivery, open, toggle, onResent }: { endpointId: string; delivery: WebhookDelivery; open: boolean; toggle: () => void; onResent: () => void }) {
  const [busy, setBusy] = useState(false);
  const resend = async () => {
    setBusy(true);
    try {
      await consoleApi.resend(endpointId, delivery.id);
      notifications.show({ color: 'green', message: 'The delivery is queued again.' });
      onResent();
    } catch (e) {
      notifications.show({ color: 'red', title: 'Could not re-send', message: (e as ApiError).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Fragment>
      <Table.Tr>
        <Table.Td>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-expanded={open} aria-label={`Attempts of delivery ${delivery.id}`} onClick={toggle}>
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Text size="xs" className="gl-mono">
            {delivery.event_id}
          </Text>
        </Table.Td>
        <Table.Td>
          <DeliveryStateBadge state={delivery.state} />
        </Table.Td>
        <Table.Td>{delivery.attempt_count}</Table.Td>
        <Table.Td>{delivery.attempt_count > 0 ? <HttpStatusBadge status={delivery.last_status} /> : '—'}</Table.Td>
        <Table.Td>
          <TimeAgo value={delivery.last_attempt_at} />
        </Table.Td>
        <Table.Td>{delivery.next_attempt_at ? <TimeAgo value={delivery.next_attempt_at} /> : '—'}</Table.Td>
        <Table.Td ta="right">
          <Button size="xs" variant="default" loading={busy} onClick={resend} disabled={delivery.state === 'pending' || delivery.state === 'sending'} aria-label={`Re-send delivery ${delivery.id}`}>
            Re-send
          </Button>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={8}>
            <Attempts delivery={delivery} />
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}

function Attempts({ delivery }: { delivery: WebhookDelivery }) {
  if (delivery.attempts.length === 0) return <Text size="sm" c="dimmed">Not attempted yet.</Text>;
  return (
    <Table aria-label={`Attempts of delivery ${delivery.id}`} verticalSpacing={4} fz="sm">
      <Table.Tbody>
        {delivery.attempts.map((attempt, i) => (
          <Table.Tr key={i}>
            <Table.Td w={40}>#{i + 1}</Table.Td>
            <Table.Td>
              <TimeAgo value={attempt.attempted_at} />
            </Table.Td>
            <Table.Td>
              <HttpStatusBadge status={attempt.status} />
            </Table.Td>
            <Table.Td>{attempt.duration_ms} ms</Table.Td>
            <Table.Td c="red.8">{attempt.error ?? ''}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

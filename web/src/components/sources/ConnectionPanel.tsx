/**
 * A pulled directory's connection: what was saved (the non-secret summary, never a secret) with a way to
 * replace it, or the form when nothing is saved yet. Shared by the portal's guide and the console.
 */
import { Alert, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useResource } from '../../lib/hooks.ts';
import type { DirectoryConnection, PulledType } from '../../lib/types.ts';
import { PageLoader } from '../PageLoader.tsx';
import { ErrorState } from '../States.tsx';
import { TimeAgo } from '../TimeAgo.tsx';
import type { SourcesApi } from './api.ts';
import { ConnectionForm } from './ConnectionForm.tsx';

const SECRET: Record<PulledType, string> = {
  'gsuite directory': 'The service account key',
  workday: 'The password',
  bamboohr: 'The API key',
};

interface Props {
  type: PulledType;
  api: SourcesApi;
  /** After a save: the page may reload the directory or show the syncs. */
  onSaved?: (connection: DirectoryConnection) => void;
  /** Google by admin consent (the portal, when the operator configured an OAuth client). */
  consent?: () => Promise<void>;
}

export function ConnectionPanel({ type, api, onSaved, consent }: Props) {
  const connection = useResource(api.connection, [api]);
  const [editing, setEditing] = useState(false);
  const [justSaved, setJustSaved] = useState(false);

  if (connection.error && !connection.data) return <ErrorState error={connection.error} title="The connection could not be loaded" onRetry={connection.reload} />;
  if (!connection.data) return <PageLoader label="Loading the connection" />;
  const data = connection.data;

  if (!data.configured || editing)
    return (
      <ConnectionForm
        type={type}
        submitLabel={data.configured ? 'Replace credentials' : 'Save connection'}
        onCancel={data.configured ? () => setEditing(false) : undefined}
        {...(consent ? { consent } : {})}
        save={async (body) => {
          const saved = await api.saveConnection(body);
          connection.setData(saved);
          setEditing(false);
          setJustSaved(true);
          onSaved?.(saved);
        }}
      />
    );

  return (
    <Stack gap="sm">
      {justSaved && (
        <Alert color="green" variant="light" role="status" title="Saved">
          The first sync with these credentials starts shortly; the Syncs tab shows how it went.
        </Alert>
      )}
      <ConnectionSummary type={type} connection={data} />
      <Group gap="sm">
        <Button
          variant="default"
          onClick={() => {
            setEditing(true);
            setJustSaved(false);
          }}
        >
          Replace credentials
        </Button>
      </Group>
    </Stack>
  );
}

export function ConnectionSummary({ type, connection }: { type: PulledType; connection: DirectoryConnection }) {
  const s = connection.summary;
  const rows: [string, string][] = [];
  if (type === 'gsuite directory') {
    if (s.client_email) rows.push(['Service account', s.client_email]);
    if (s.admin_email) rows.push(['Acts as', s.admin_email]);
    rows.push(['Customer', s.customer || 'my_customer (the admin\'s own account)']);
  } else if (type === 'workday') {
    if (s.report_url) rows.push(['Report URL', s.report_url]);
    if (s.username) rows.push(['Integration System User', s.username]);
    const renamed = Object.entries(s.columns ?? {});
    rows.push(['Columns', renamed.length ? renamed.map(([k, v]) => `${k} → ${v}`).join(', ') : 'the default names']);
  } else if (s.subdomain) {
    rows.push(['BambooHR account', `${s.subdomain}.bamboohr.com`]);
  }
  return (
    <Paper p="md" aria-label="Saved connection" component="section">
      <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={{ base: 120, sm: 200 }} style={{ verticalAlign: 'top' }}>
                <Text size="sm" c="dimmed">
                  {label}
                </Text>
              </Table.Th>
              <Table.Td className="gl-mono" style={{ overflowWrap: 'anywhere' }}>
                {value}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap={6} mt="xs" wrap="nowrap" align="flex-start">
        <IconLock size={14} aria-hidden style={{ flexShrink: 0, marginTop: 3 }} />
        <Text size="xs" c="dimmed">
          {SECRET[type]} is stored encrypted and is never shown again. Saved <TimeAgo value={connection.updated_at} />.
        </Text>
      </Group>
    </Paper>
  );
}

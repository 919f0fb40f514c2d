/**
 * A directory's SCIM bearer tokens: at most two active, so the IdP can move to a new one without downtime. A
 * new token is revealed once, here, and kept only in this page's memory; revoking asks first.
 */
import { Alert, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import type { ApiError } from '../lib/http.ts';
import type { NewToken, TokenSummary } from '../lib/types.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { CopyField } from './CopyField.tsx';
import { EmptyState } from './States.tsx';
import { TimeAgo } from './TimeAgo.tsx';

const MAX_ACTIVE = 2;

interface Props {
  tokens: TokenSummary[];
  create: () => Promise<NewToken>;
  revoke: (id: string) => Promise<unknown>;
  /** Who will use the token, for the words around it ("your identity provider"). */
  audience?: string;
}

export function TokenPanel({ tokens, create, revoke, audience = 'your identity provider' }: Props) {
  const [revealed, setRevealed] = useState<NewToken>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const active = tokens.filter((token) => !token.state || token.state === 'active');
  const full = active.length >= MAX_ACTIVE;

  const generate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setRevealed(await create());
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        A directory can have two active tokens at once. To rotate: generate a new token, paste it into {audience}, check that requests still
        succeed, then revoke the old one.
      </Text>
      {revealed && <RevealedToken token={revealed} audience={audience} />}
      {error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />}>
          {error.code === 'token_limit' ? 'This directory already has two active tokens. Revoke one before generating another.' : error.message}
        </Alert>
      )}
      {active.length === 0 ? (
        <EmptyState title="No active token">Generate one to let {audience} connect.</EmptyState>
      ) : (
        <TokenTable tokens={active} revoke={revoke} audience={audience} />
      )}
      <Group>
        <Button leftSection={<IconKey size={16} />} onClick={generate} loading={busy} disabled={full}>
          Generate new token
        </Button>
        {full && (
          <Text size="sm" c="dimmed">
            Two tokens are active: revoke one to generate another.
          </Text>
        )}
      </Group>
    </Stack>
  );
}

export function RevealedToken({ token, audience }: { token: { token: string }; audience: string }) {
  return (
    <Alert color="yellow" variant="light" title="Copy this token now" icon={<IconKey size={18} />}>
      <Stack gap="xs">
        <Text size="sm">It will not be shown again. Paste it into {audience} as the bearer token.</Text>
        <CopyField label="Bearer token" value={token.token} />
      </Stack>
    </Alert>
  );
}

function TokenTable({ tokens, revoke, audience }: { tokens: TokenSummary[]; revoke: Props['revoke']; audience: string }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Active tokens" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Token</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.map((token) => (
              <Table.Tr key={token.id}>
                <Table.Td className="gl-mono">…{token.token_suffix}</Table.Td>
                <Table.Td>
                  <TimeAgo value={token.created_at} />
                </Table.Td>
                <Table.Td>
                  <TimeAgo value={token.last_used_at} />
                </Table.Td>
                <Table.Td ta="right">
                  <ConfirmButton
                    size="xs"
                    label="Revoke"
                    ariaLabel={`Revoke token ending ${token.token_suffix}`}
                    title="Revoke this token?"
                    confirmLabel="Revoke token"
                    onConfirm={() => revoke(token.id)}
                  >
                    Requests from {audience} that use the token ending <code className="gl-inline-code">{token.token_suffix}</code> will be
                    refused from now on.
                    {tokens.length === 1 && ' It is the only active token: provisioning stops until you generate a new one.'}
                  </ConfirmButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

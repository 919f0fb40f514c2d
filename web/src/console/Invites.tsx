/** Portal invites: links for email that work many times until they expire or are revoked. */
import { Alert, Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useResource } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import type { Organization, PortalInvite } from '../lib/types.ts';
import { consoleApi } from './api.ts';

function inviteState(invite: PortalInvite): [string, string] {
  if (invite.revoked_at) return ['gray', 'revoked'];
  if (new Date(invite.expires_at).getTime() < Date.now()) return ['orange', 'expired'];
  return ['green', 'active'];
}

export function Invites({ organization }: { organization: Organization }) {
  const invites = useResource(() => consoleApi.invites(organization.id), [organization.id]);
  const [created, setCreated] = useState<PortalInvite>();

  return (
    <section aria-labelledby="org-invites">
      <Title order={2} fz="h4" id="org-invites" mb={4}>
        Invites
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        An invite link can be opened many times until it expires, so it survives an email client that opens links to scan them.
      </Text>
      <Stack>
        <CreateInvite organization={organization} onCreated={(invite) => (setCreated(invite), void invites.reload())} />
        {created?.link && (
          <Alert color="yellow" variant="light" title="Copy the invite link now">
            <Stack gap="xs">
              <Text size="sm">It is shown only once; Guestlist keeps only a hash of it.</Text>
              <CopyField label="Invite link" value={created.link} />
            </Stack>
          </Alert>
        )}
        {invites.error && <ErrorState error={invites.error} onRetry={invites.reload} />}
        {invites.data &&
          (invites.data.data.length === 0 ? (
            <Paper>
              <EmptyState title="No invites yet" />
            </Paper>
          ) : (
            <InviteTable invites={invites.data.data} onRevoked={invites.reload} />
          ))}
      </Stack>
    </section>
  );
}

function CreateInvite({ organization, onCreated }: { organization: Organization; onCreated: (invite: PortalInvite) => void }) {
  const [days, setDays] = useState<number | string>(30);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await consoleApi.createInvite(organization.id, Number(days) || 30));
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <NumberInput label="Valid for (days)" min={1} max={90} value={days} onChange={setDays} w={160} />
        <Button variant="default" onClick={create} loading={busy}>
          Create invite
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red.8" role="alert">
          {error.message}
        </Text>
      )}
    </Stack>
  );
}

function InviteTable({ invites, onRevoked }: { invites: PortalInvite[]; onRevoked: () => Promise<void> }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={520}>
        <Table aria-labelledby="org-invites" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Created</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invites.map((invite) => {
              const [color, state] = inviteState(invite);
              return (
                <Table.Tr key={invite.id}>
                  <Table.Td>
                    <TimeAgo value={invite.created_at} />
                  </Table.Td>
                  <Table.Td>
                    <TimeAgo value={invite.expires_at} />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={color}>{state}</Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    {state === 'active' && (
                      <ConfirmButton
                        size="xs"
                        label="Revoke"
                        ariaLabel={`Revoke invite created ${new Date(invite.created_at).toLocaleString()}`}
                        title="Revoke this invite?"
                        confirmLabel="Revoke invite"
                        onConfirm={async () => {
                          await consoleApi.revokeInvite(invite.id);
                          await onRevoked();
                        }}
                      >
                        The link stops working, and anyone using the portal through it is signed out.
                      </ConfirmButton>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

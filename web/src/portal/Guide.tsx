/**
 * A provider's setup guide: numbered steps with the values to paste beside the step that needs them, then the
 * attribute mappings, tips and the vendor pages the steps follow. Before the connection exists, the step with
 * the values offers to create it instead.
 */
import { Alert, Anchor, Box, Button, Group, List, Paper, Stack, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconExternalLink, IconInfoCircle, IconPlugConnected } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { CopyField } from '../components/CopyField.tsx';
import { RevealedToken } from '../components/TokenPanel.tsx';
import { RichText } from '../components/RichText.tsx';
import type { GuideField, GuideStep, ProviderGuide } from '../guides/index.ts';
import type { ApiError } from '../lib/http.ts';

export interface GuideProps {
  guide: ProviderGuide;
  /** The connection, once created. */
  directory?: { scim_base_url: string | null };
  /** For a provider Guestlist pulls: what its `connection` step shows (the credentials form, or what was saved). */
  connection?: ReactNode;
  /** The bearer token, while this tab still holds it. */
  token?: string;
  /** Creates the connection (before it exists). */
  onCreate?: () => Promise<void>;
  /** Generates a new token (after a reload forgot the first). */
  onNewToken?: () => Promise<void>;
}

export function Guide(props: GuideProps) {
  const { guide } = props;
  const hasFields = guide.steps.some((step) => step.fields?.length);
  return (
    <Stack gap="xl">
      {!guide.scim && <NotScim name={guide.name} />}
      <Box component="ol" className="gl-steps" aria-label={`${guide.name} setup steps`}>
        <Stack gap="md">
          {guide.steps.map((step, i) => (
            <li key={step.title}>
              <Step index={i + 1} step={step} {...props} />
            </li>
          ))}
        </Stack>
      </Box>
      {!hasFields && !props.directory && props.onCreate && <CreateConnection name={guide.name} onCreate={props.onCreate} scim={guide.scim} />}
      <Mappings guide={guide} />
      <Tips guide={guide} />
      <Sources guide={guide} />
    </Stack>
  );
}

function NotScim({ name }: { name: string }) {
  return (
    <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title={`${name} connects differently`}>
      {name} does not push users to applications over SCIM. Instead, Guestlist reads your users and groups through {name}'s own API, read-only,
      on a schedule. There is no SCIM token to paste into {name}: you give Guestlist read access by entering {name}'s credentials at the step
      that asks for them. They are stored encrypted and never shown again.
    </Alert>
  );
}

function Step({ index, step, directory, token, onCreate, onNewToken, guide, connection }: GuideProps & { index: number; step: GuideStep }) {
  const scimFields = step.fields?.filter((field) => field !== 'connection') ?? [];
  return (
    <Paper p="lg">
      <Group align="flex-start" wrap="nowrap" gap="md">
        <ThemeIcon radius="xl" size={30} color="ink" aria-hidden>
          <Text fw={700} size="sm">
            {index}
          </Text>
        </ThemeIcon>
        <Stack gap="sm" style={{ flex: 1, minWidth: 0 }}>
          <Title order={3} fz="h4">
            <Text span size="sm" c="dimmed" fw={600} mr={6}>
              Step {index}
            </Text>
            {step.title}
          </Title>
          {step.body.map((text, i) => (
            <Text key={i} size="sm">
              <RichText text={text} />
            </Text>
          ))}
          {step.fields?.includes('connection') && connection}
          {scimFields.length ? (
            directory?.scim_base_url ? (
              <Fields fields={scimFields} directory={{ scim_base_url: directory.scim_base_url }} token={token} onNewToken={onNewToken} />
            ) : (
              onCreate && <CreateConnection name={guide.name} onCreate={onCreate} scim={guide.scim} />
            )
          ) : null}
          {step.note && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
              <RichText text={step.note} />
            </Alert>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}

function Fields({ fields, directory, token, onNewToken }: { fields: GuideField[]; directory: { scim_base_url: string }; token?: string; onNewToken?: () => Promise<void> }) {
  return (
    <Stack gap="sm">
      {fields.includes('scim_base_url') && <CopyField label="SCIM base URL" value={directory.scim_base_url} />}
      {fields.includes('bearer_token') &&
        (token ? <RevealedToken token={{ token }} audience="your identity provider" /> : <TokenGone onNewToken={onNewToken} />)}
    </Stack>
  );
}

function TokenGone({ onNewToken }: { onNewToken?: () => Promise<void> }) {
  return (
    <Alert color="gray" variant="light" title="Bearer token">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">The token was shown once, when it was created, and is not stored in a readable form. If you no longer have it, generate a new one.</Text>
        {onNewToken && <AsyncButton label="Generate a new token" onClick={onNewToken} />}
      </Stack>
    </Alert>
  );
}

function CreateConnection({ name, onCreate, scim }: { name: string; onCreate: () => Promise<void>; scim: boolean }) {
  return (
    <Alert color="ink" variant="outline" icon={<IconPlugConnected size={18} />} title="Create the connection">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {scim
            ? `This creates the connection for ${name} and shows its SCIM base URL and bearer token here, ready to paste.`
            : `This creates the connection for ${name}; you then enter ${name}'s API credentials here.`}
        </Text>
        <AsyncButton label="Create connection" onClick={onCreate} />
      </Stack>
    </Alert>
  );
}

function AsyncButton({ label, onClick }: { label: string; onClick: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onClick();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={6} align="flex-start">
      <Button onClick={run} loading={busy}>
        {label}
      </Button>
      {error && (
        <Text size="sm" c="red.8" role="alert">
          {error.code === 'token_limit' ? 'Two tokens are already active: revoke one under Tokens first.' : error.message}
        </Text>
      )}
    </Stack>
  );
}

function Mappings({ guide }: { guide: ProviderGuide }) {
  if (guide.attributeMappings.length === 0) return null;
  return (
    <section aria-labelledby="guide-mappings">
      <Title order={2} fz="h4" id="guide-mappings" mb="xs">
        Attribute mappings
      </Title>
      <Paper p={0}>
        <Table.ScrollContainer minWidth={480}>
          <Table aria-labelledby="guide-mappings" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>SCIM attribute</Table.Th>
                <Table.Th>{guide.name} attribute</Table.Th>
                <Table.Th>Notes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {guide.attributeMappings.map((m) => (
                <Table.Tr key={m.scim}>
                  <Table.Td className="gl-mono">{m.scim}</Table.Td>
                  <Table.Td>
                    <RichText text={m.idp} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {m.note ? <RichText text={m.note} /> : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </section>
  );
}

function Tips({ guide }: { guide: ProviderGuide }) {
  if (guide.tips.length === 0) return null;
  return (
    <section aria-labelledby="guide-tips">
      <Title order={2} fz="h4" id="guide-tips" mb="xs">
        If something looks wrong
      </Title>
      <List spacing="xs" size="sm">
        {guide.tips.map((tip) => (
          <List.Item key={tip}>
            <RichText text={tip} />
          </List.Item>
        ))}
      </List>
    </section>
  );
}

function Sources({ guide }: { guide: ProviderGuide }) {
  if (guide.sources.length === 0) return null;
  return (
    <section aria-labelledby="guide-sources">
      <Title order={2} fz="h5" id="guide-sources" mb={4} c="dimmed">
        Sources
      </Title>
      <Text size="xs" c="dimmed" mb={4}>
        The documentation these steps were written from.
      </Text>
      <List spacing={4} size="sm">
        {guide.sources.map((source) => (
          <List.Item key={source.url}>
            <Anchor href={source.url} target="_blank" rel="noreferrer noopener">
              {source.title} <IconExternalLink size={12} aria-hidden />
            </Anchor>
          </List.Item>
        ))}
      </List>
    </section>
  );
}

/**
 * A directory's attribute mapping: one card per custom attribute the application defined, where its value comes
 * from (a "default" badge when the directory type's default applies) and its transforms. Changes collect in a
 * draft the admin can preview on sample users, then save; saving re-evaluates every user in the background, and
 * the page follows the progress (every 2 s) until the mapping is current. Below, the users that still lack a
 * required attribute. The portal and the console both show this, each with its own MappingApi.
 */
import { Alert, Badge, Button, Code, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconEye, IconInfoCircle, IconPencil, IconRestore } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useCursorList, usePolling, useResource, type CursorList, type Resource } from '../../lib/hooks.ts';
import type { ApiError } from '../../lib/http.ts';
import type { AttributeMapping, AttributePaths, CustomAttribute, MappedUser, MappingEntry, MappingPreviewRow } from '../../lib/types.ts';
import { ListFooter } from '../ListFooter.tsx';
import { PageLoader } from '../PageLoader.tsx';
import { EmptyState, ErrorState } from '../States.tsx';
import type { MappingApi } from './api.ts';
import { describeSource, describeTransform, formatValue, isConstant, shortPath } from './format.ts';
import { SourceEditor } from './SourceEditor.tsx';

const POLL_MS = 2000;

/** Overrides of the saved explicit entries, by attribute: an entry, or null for "back to the default". */
type Draft = Record<string, MappingEntry | null>;

export function AttributeMappingPanel({ api }: { api: MappingApi }) {
  const attributes = useResource(() => api.customAttributes(), [api]);
  const mapping = useResource(() => api.attributeMapping(), [api]);
  const paths = useResource(() => api.attributePaths(), [api]);
  const reevaluating = mapping.data?.state === 'reevaluating';
  usePolling(mapping.reload, POLL_MS, reevaluating);

  if (attributes.error) return <ErrorState error={attributes.error} title="The custom attributes could not be loaded" onRetry={attributes.reload} />;
  if (mapping.error && !mapping.data) return <ErrorState error={mapping.error} title="The attribute mapping could not be loaded" onRetry={mapping.reload} />;
  if (!attributes.data || !mapping.data) return <PageLoader label="Loading the attribute mapping" />;
  if (attributes.data.data.length === 0)
    return (
      <EmptyState title="Your application hasn't defined any custom attributes">
        Once it does (department, cost center, anything it needs about a person), you choose here where each one comes from in your identity
        provider.
      </EmptyState>
    );
  return <Loaded api={api} attributes={attributes.data.data} mapping={mapping.data} setMapping={mapping.setData} paths={paths} />;
}

interface LoadedProps {
  api: MappingApi;
  attributes: CustomAttribute[];
  mapping: AttributeMapping;
  setMapping: (m: AttributeMapping) => void;
  paths: Resource<AttributePaths>;
}

function Loaded({ api, attributes, mapping, setMapping, paths }: LoadedProps) {
  const [draft, setDraft] = useState<Draft>({});
  const [editing, setEditing] = useState<CustomAttribute>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ error: ApiError; sent: MappingEntry[] }>();
  const [preview, setPreview] = useState<{ rows?: MappingPreviewRow[]; error?: ApiError; busy: boolean }>();
  const [justSaved, setJustSaved] = useState(false);
  const warnings = useCursorList((after) => api.usersWithWarnings(after), [api]);

  const byAttribute = useMemo(() => new Map(mapping.mappings.map((m) => [m.attribute, m])), [mapping]);
  const dirty = Object.keys(draft).length > 0;

  /** The explicit entries the PUT sends: the saved custom ones with the draft applied. */
  const explicit = (): MappingEntry[] => {
    const entries = new Map<string, MappingEntry>();
    for (const m of mapping.mappings) if (m.origin === 'custom') entries.set(m.attribute, strip(m));
    for (const [attribute, entry] of Object.entries(draft)) {
      if (entry) entries.set(attribute, entry);
      else entries.delete(attribute);
    }
    return [...entries.values()];
  };

  // When a re-evaluation ends, the list of users with warnings has changed.
  const wasReevaluating = useRef(mapping.state === 'reevaluating');
  useEffect(() => {
    if (wasReevaluating.current && mapping.state === 'current') warnings.reload();
    wasReevaluating.current = mapping.state === 'reevaluating';
  }, [mapping.state]);

  const runPreview = async () => {
    setPreview({ busy: true });
    try {
      const answer = await api.preview(explicit());
      setPreview({ rows: answer.data, busy: false });
    } catch (e) {
      setPreview({ error: e as ApiError, busy: false });
    }
  };

  const save = async () => {
    const sent = explicit();
    setSaving(true);
    setSaveError(undefined);
    try {
      const saved = await api.saveAttributeMapping(sent);
      setMapping(saved);
      setDraft({});
      setPreview(undefined);
      setJustSaved(true);
      if (saved.state === 'current') warnings.reload();
    } catch (e) {
      setSaveError({ error: e as ApiError, sent });
    } finally {
      setSaving(false);
    }
  };

  const fieldErrors = saveError ? attributeErrors(saveError.error, saveError.sent) : new Map<string, string>();

  return (
    <Stack gap="lg">
      <div>
        <Title order={2} fz="h3">
          Attributes
        </Title>
        <Text size="sm" c="dimmed" mt={4} maw={720}>
          The custom attributes your application reads about each person, and where each one comes from in this directory. An attribute marked
          “default” uses what this kind of directory usually sends; edit it to choose another source.
        </Text>
      </div>
      {paths.data?.total_users === 0 && (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />}>
          The schema explorer fills in once your identity provider has sent users. Until then you can type a source path or set a constant.
        </Alert>
      )}
      <Reevaluation mapping={mapping} justSaved={justSaved} />
      <Stack gap="sm" role="list" aria-label="Attribute mapping">
        {attributes.map((attribute) => {
          const saved = byAttribute.get(attribute.name);
          const drafted = attribute.name in draft;
          const entry = drafted ? draft[attribute.name] : saved;
          return (
            <AttributeRow
              key={attribute.id}
              attribute={attribute}
              entry={entry ?? undefined}
              origin={drafted ? (draft[attribute.name] ? 'custom' : 'default') : saved?.origin}
              changed={drafted}
              error={fieldErrors.get(attribute.name)}
              onEdit={() => setEditing(attribute)}
              onReset={saved?.origin === 'custom' || draft[attribute.name] ? () => setDraft({ ...draft, [attribute.name]: null }) : undefined}
            />
          );
        })}
      </Stack>
      {saveError && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The mapping was not saved" role="alert">
          <Stack gap={4}>
            <Text size="sm">{saveError.error.message}</Text>
            {[...fieldErrors].map(([attribute, message]) => (
              <Text size="sm" key={attribute}>
                <strong>{attribute}</strong>: {message}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      <Group gap="sm" wrap="wrap">
        <Button variant="default" leftSection={<IconEye size={16} />} onClick={runPreview} loading={preview?.busy}>
          Preview
        </Button>
        <Button onClick={save} loading={saving} disabled={!dirty}>
          Save mapping
        </Button>
        {dirty && (
          <Button variant="subtle" color="gray" onClick={() => (setDraft({}), setPreview(undefined), setSaveError(undefined))}>
            Discard changes
          </Button>
        )}
        {dirty && (
          <Text size="sm" c="dimmed">
            Unsaved changes
          </Text>
        )}
      </Group>
      {preview && <Preview attributes={attributes} preview={preview} />}
      <WarningsPanel list={warnings} />
      {editing && (
        <SourceEditor
          attribute={editing}
          current={(editing.name in draft ? draft[editing.name] : byAttribute.get(editing.name)) ?? undefined}
          paths={paths}
          onClose={() => setEditing(undefined)}
          onApply={(entry) => {
            setDraft({ ...draft, [editing.name]: entry });
            setEditing(undefined);
            setJustSaved(false);
          }}
        />
      )}
    </Stack>
  );
}

const strip = ({ attribute, source, transforms }: MappingEntry): MappingEntry => ({ attribute, source, ...(transforms?.length ? { transforms } : {}) });

/** `mappings[2].source` → the attribute of the entry sent at index 2, with the server's message. */
function attributeErrors(error: ApiError, sent: MappingEntry[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const e of error.errors) {
    const match = /^mappings\[(\d+)\]/.exec(e.field ?? '');
    const attribute = match ? sent[Number(match[1])]?.attribute : undefined;
    if (attribute) found.set(attribute, e.message ?? e.code ?? 'invalid');
  }
  return found;
}

interface RowProps {
  attribute: CustomAttribute;
  entry?: MappingEntry;
  origin?: 'default' | 'custom';
  changed: boolean;
  error?: string;
  onEdit: () => void;
  onReset?: () => void;
}

function AttributeRow({ attribute, entry, origin, changed, error, onEdit, onReset }: RowProps) {
  const source = entry?.source;
  const unmapped = source === undefined || (isConstant(source) && source.constant === null);
  return (
    <Paper p="md" role="listitem" aria-label={attribute.name} style={error ? { borderColor: 'var(--mantine-color-red-5)' } : undefined}>
      <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
        <Stack gap={6} style={{ flex: '1 1 260px', minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Text fw={650} className="gl-mono">
              {attribute.name}
            </Text>
            <Badge variant="light" color="gray">
              {attribute.type.replace('_', ' ')}
            </Badge>
            {attribute.required && (
              <Badge variant="light" color="orange">
                required
              </Badge>
            )}
          </Group>
          {attribute.description && (
            <Text size="sm" c="dimmed">
              {attribute.description}
            </Text>
          )}
          <Group gap="xs" wrap="wrap" align="center">
            <Text size="sm" c="dimmed">
              Source
            </Text>
            {unmapped ? (
              <Text size="sm" c={attribute.required ? 'orange.8' : 'dimmed'} fs="italic">
                not mapped
              </Text>
            ) : (
              <Code title={typeof source === 'string' ? source : undefined} style={{ wordBreak: 'break-all' }}>
                {typeof source === 'string' ? shortPath(source) : describeSource(source)}
              </Code>
            )}
            {origin === 'default' && !unmapped && (
              <Badge size="sm" variant="outline" color="gray">
                default
              </Badge>
            )}
            {changed && (
              <Badge size="sm" color="blue" variant="light">
                {entry ? 'changed' : 'back to default on save'}
              </Badge>
            )}
          </Group>
          {entry?.transforms && entry.transforms.length > 0 && (
            <Group gap={6} wrap="wrap">
              <Text size="sm" c="dimmed">
                Transforms
              </Text>
              {entry.transforms.map((t, i) => (
                <Badge key={i} variant="light" color="violet" tt="none">
                  {describeTransform(t)}
                </Badge>
              ))}
            </Group>
          )}
          {error && (
            <Text size="sm" c="red.7">
              {error}
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          {onReset && origin === 'custom' && (
            <Button size="xs" variant="subtle" color="gray" leftSection={<IconRestore size={14} />} onClick={onReset} aria-label={`Use the default for ${attribute.name}`}>
              Use default
            </Button>
          )}
          <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={onEdit} aria-label={`Edit mapping for ${attribute.name}`}>
            Edit
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}

function Reevaluation({ mapping, justSaved }: { mapping: AttributeMapping; justSaved: boolean }) {
  if (mapping.state === 'reevaluating') {
    const { done = 0, total = 0 } = mapping.progress ?? {};
    const percent = total > 0 ? Math.round((done / total) * 100) : 0;
    return (
      <Paper p="md" role="status" aria-label="Re-evaluation">
        <Text size="sm" fw={600}>
          Applying the mapping to every user…
        </Text>
        <Progress value={percent} mt="xs" animated aria-label="Re-evaluation progress" />
        <Text size="xs" c="dimmed" mt={4}>
          {total > 0 ? `${done} of ${total} users` : 'Starting'}. You can leave this page; it carries on.
        </Text>
      </Paper>
    );
  }
  if (!justSaved) return null;
  return (
    <Alert color="green" variant="light" icon={<IconCheck size={18} />} role="status" aria-label="Re-evaluation">
      Saved. Every user of this directory is up to date with the new mapping.
    </Alert>
  );
}

function Preview({ attributes, preview }: { attributes: CustomAttribute[]; preview: { rows?: MappingPreviewRow[]; error?: ApiError; busy: boolean } }) {
  if (preview.error) return <ErrorState error={preview.error} title="The preview failed" />;
  if (!preview.rows) return null;
  return (
    <Paper p="md">
      <Title order={3} fz="h5">
        Preview
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The mapping above applied to {preview.rows.length === 1 ? 'one user' : `${preview.rows.length} users`} of this directory. Nothing is saved yet.
      </Text>
      {preview.rows.length === 0 ? (
        <Text size="sm">The schema explorer fills in once your identity provider has sent users; so does this preview.</Text>
      ) : (
        <Table.ScrollContainer minWidth={Math.max(360, 160 + attributes.length * 140)}>
          <Table aria-label="Preview" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                {attributes.map((a) => (
                  <Table.Th key={a.id} className="gl-mono">
                    {a.name}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {preview.rows.map((row) => {
                const missing = new Set(row.warnings.map((w) => w.attribute));
                return (
                  <Table.Tr key={row.user_id}>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{row.email ?? row.user_id}</Table.Td>
                    {attributes.map((a) => (
                      <Table.Td key={a.id}>
                        {missing.has(a.name) ? (
                          <Badge color="orange" variant="light">
                            missing
                          </Badge>
                        ) : (
                          <span className="gl-mono">{formatValue(row.custom_attributes[a.name])}</span>
                        )}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function WarningsPanel({ list }: { list: CursorList<MappedUser> }) {
  return (
    <Paper p="md" role="region" aria-label="Users missing required attributes">
      <Title order={3} fz="h5">
        Users missing required attributes
      </Title>
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 && (
        <Text size="sm" c="dimmed" mt={4}>
          No user is missing a required attribute.
        </Text>
      )}
      {list.items.length > 0 && (
        <>
          <Text size="sm" c="dimmed" mt={4} mb="sm">
            Your application needs these values and this directory does not send them. Map them above, or fill them in your identity provider.
          </Text>
          <Stack gap={6}>
            {list.items.map((user) => (
              <Group key={user.id} justify="space-between" gap="xs" wrap="wrap">
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {user.email ?? user.name ?? user.id}
                </Text>
                <Group gap={4}>
                  {(user.warnings ?? []).map((w) => (
                    <Badge key={w.attribute + w.code} color="orange" variant="light" tt="none">
                      {w.attribute}
                      {w.code === 'missing_required' ? ' missing' : ` ${w.code}`}
                    </Badge>
                  ))}
                </Group>
              </Group>
            ))}
          </Stack>
        </>
      )}
      <ListFooter list={list} noun="users" />
    </Paper>
  );
}

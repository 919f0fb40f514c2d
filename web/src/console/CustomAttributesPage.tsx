/** The custom attributes the application defines (API.md §7): each directory's admin maps them to their IdP's data. */
import { Alert, Badge, Button, Checkbox, Group, Modal, NativeSelect, Paper, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { PageLoader } from '../components/PageLoader.tsx';
import { EmptyState, ErrorState } from '../components/States.tsx';
import { TimeAgo } from '../components/TimeAgo.tsx';
import { useResource } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import { ATTRIBUTE_TYPES, type AttributeType, type CustomAttribute } from '../lib/types.ts';
import { consoleApi } from './api.ts';
import { fieldError, shownOnField } from './forms.ts';

const NAME_RULE = /^[a-z][a-z0-9_]{0,63}$/;
const TYPE_LABELS: Record<AttributeType, string> = {
  string: 'Text',
  number: 'Number',
  boolean: 'Yes / no',
  string_list: 'List of text',
  object: 'Object (JSON)',
};

export function CustomAttributesPage() {
  const list = useResource(() => consoleApi.customAttributes(), []);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Custom attributes"
        description="What your application needs to know about each person beyond name and email. Each organization's IT admin chooses where every attribute comes from in their directory."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            New attribute
          </Button>
        }
      />
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <PageLoader label="Loading custom attributes" />}
      {list.data && list.data.data.length === 0 && (
        <EmptyState title="No custom attributes yet">Define one here, or with POST /custom_attributes from your application.</EmptyState>
      )}
      {list.data && list.data.data.length > 0 && <AttributeTable attributes={list.data.data} onDeleted={list.reload} />}
      {creating && (
        <CreateAttribute
          onClose={() => setCreating(false)}
          onCreated={async () => {
            setCreating(false);
            await list.reload();
          }}
        />
      )}
    </>
  );
}

function AttributeTable({ attributes, onDeleted }: { attributes: CustomAttribute[]; onDeleted: () => Promise<void> }) {
  return (
    <Paper p={0}>
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Custom attributes" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th visibleFrom="sm">Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attributes.map((attribute) => (
              <Table.Tr key={attribute.id}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Text fw={600} className="gl-mono" size="sm">
                      {attribute.name}
                    </Text>
                    {attribute.required && (
                      <Badge size="sm" variant="light" color="orange">
                        required
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{TYPE_LABELS[attribute.type] ?? attribute.type}</Table.Td>
                <Table.Td>
                  <Text size="sm" c={attribute.description ? undefined : 'dimmed'}>
                    {attribute.description || '—'}
                  </Text>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <TimeAgo value={attribute.created_at} />
                </Table.Td>
                <Table.Td ta="right">
                  <ConfirmButton
                    size="xs"
                    label="Delete"
                    ariaLabel={`Delete ${attribute.name}`}
                    title={`Delete ${attribute.name}?`}
                    confirmLabel="Delete attribute"
                    onConfirm={async () => {
                      await consoleApi.deleteCustomAttribute(attribute.id);
                      await onDeleted();
                    }}
                  >
                    Every directory's mapping of <strong>{attribute.name}</strong> is removed, and users no longer carry it. Your application stops
                    receiving it.
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

function CreateAttribute({ onClose, onCreated }: { onClose: () => void; onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<AttributeType>('string');
  const [required, setRequired] = useState(false);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [touched, setTouched] = useState(false);
  const nameProblem = touched && name !== '' && !NAME_RULE.test(name) ? 'Lowercase letters, digits and _, starting with a letter (at most 64).' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!NAME_RULE.test(name)) return;
    setBusy(true);
    setError(undefined);
    try {
      await consoleApi.createCustomAttribute({ name, type, required, ...(description.trim() ? { description: description.trim() } : {}) });
      await onCreated();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="New custom attribute" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            description="How your application reads it, e.g. cost_center"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            onBlur={() => setTouched(true)}
            error={nameProblem ?? fieldError(error, 'name')}
            classNames={{ input: 'gl-mono' }}
            autoComplete="off"
            spellCheck={false}
            required
            data-autofocus
          />
          <NativeSelect
            label="Type"
            value={type}
            onChange={(e) => setType(e.currentTarget.value as AttributeType)}
            data={ATTRIBUTE_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
            error={fieldError(error, 'type')}
          />
          <Checkbox
            label="Required"
            description="Users whose directory does not provide it are flagged, so the IT admin sees what is missing."
            checked={required}
            onChange={(e) => setRequired(e.currentTarget.checked)}
          />
          <Textarea
            label="Description"
            description="Shown to the IT admin who maps it."
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
            error={fieldError(error, 'description')}
          />
          {error && !shownOnField(error, ['name', 'type', 'description']) && (
            <Alert color="red" variant="light" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create attribute
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

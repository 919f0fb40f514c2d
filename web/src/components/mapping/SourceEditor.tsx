/**
 * Editing one attribute's mapping: where its value comes from (a path the schema explorer found in this
 * directory's users, a path typed by hand, or a constant) and the transforms applied to it. Nothing is saved
 * here: "Apply" puts the change in the page's draft, which the admin previews and saves.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NativeSelect,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import type { Resource } from '../../lib/hooks.ts';
import type { AttributePaths, CustomAttribute, MappingEntry, MappingSource, Transform } from '../../lib/types.ts';
import { EmptyState, ErrorState } from '../States.tsx';
import { formatValue, isConstant, shortPath } from './format.ts';
import { TransformsEditor } from './TransformsEditor.tsx';

type Mode = 'path' | 'constant' | 'none';

interface Props {
  attribute: CustomAttribute;
  /** What the attribute is mapped to now (in the draft), if anything. */
  current?: MappingEntry;
  paths: Resource<AttributePaths>;
  onApply: (entry: MappingEntry) => void;
  onClose: () => void;
}

export function SourceEditor({ attribute, current, paths, onApply, onClose }: Props) {
  const phone = useMediaQuery('(max-width: 40em)');
  const source = current?.source;
  const [mode, setMode] = useState<Mode>(source === undefined ? 'path' : isConstant(source) ? (source.constant === null ? 'none' : 'constant') : 'path');
  const [path, setPath] = useState(typeof source === 'string' ? source : '');
  const [constant, setConstant] = useState(isConstant(source) && source.constant !== null ? constantText(source.constant, attribute.type) : '');
  const [transforms, setTransforms] = useState<Transform[]>(current?.transforms ?? []);
  const [problem, setProblem] = useState<string>();

  const apply = () => {
    let next: MappingSource;
    if (mode === 'none') next = { constant: null };
    else if (mode === 'path') {
      if (!path.trim()) return setProblem('Choose a path from the list, or type one.');
      next = path.trim();
    } else {
      const parsed = parseConstant(constant, attribute.type);
      if ('error' in parsed) return setProblem(parsed.error);
      next = { constant: parsed.value };
    }
    onApply({ attribute: attribute.name, source: next, ...(mode !== 'none' && transforms.length > 0 ? { transforms } : {}) });
  };

  return (
    <Modal opened onClose={onClose} title={`Map ${attribute.name}`} size="lg" fullScreen={phone}>
      <Stack>
        <Text size="sm" c="dimmed">
          {attribute.description || `A ${attribute.type.replace('_', ' ')} your application reads as ${attribute.name}.`}
        </Text>
        <SegmentedControl
          aria-label="Where the value comes from"
          value={mode}
          onChange={(value) => {
            setMode(value as Mode);
            setProblem(undefined);
          }}
          data={[
            { value: 'path', label: 'Attribute path' },
            { value: 'constant', label: 'Constant' },
            { value: 'none', label: 'Not mapped' },
          ]}
          fullWidth
        />
        {mode === 'path' && <PathPicker paths={paths} value={path} onChange={(p) => (setPath(p), setProblem(undefined))} />}
        {mode === 'constant' && <ConstantField type={attribute.type} value={constant} onChange={(v) => (setConstant(v), setProblem(undefined))} />}
        {mode === 'none' && (
          <Text size="sm">
            {attribute.name} stays empty for every user of this directory{attribute.required ? ', and each of them is flagged as missing it (it is required)' : ''}.
          </Text>
        )}
        {mode !== 'none' && <TransformsEditor value={transforms} onChange={setTransforms} />}
        {problem && (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={apply}>Apply</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PathPicker({ paths, value, onChange }: { paths: Resource<AttributePaths>; value: string; onChange: (path: string) => void }) {
  const [query, setQuery] = useState('');
  const found = paths.data?.data ?? [];
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return found;
    return found.filter((p) => p.path.toLowerCase().includes(q) || p.samples.some((s) => formatValue(s).toLowerCase().includes(q)));
  }, [found, query]);

  return (
    <Stack gap="xs">
      <TextInput
        label="Source path"
        description={'A SCIM attribute path, e.g. name.givenName or emails[type eq "work"].value'}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        classNames={{ input: 'gl-mono' }}
        autoComplete="off"
        spellCheck={false}
      />
      <Text size="sm" fw={600} mt="xs">
        Found in this directory's users
      </Text>
      {paths.error && <ErrorState error={paths.error} title="The schema explorer could not be loaded" onRetry={paths.reload} />}
      {!paths.data && !paths.error && (
        <Text size="sm" c="dimmed" role="status">
          Reading the directory's users…
        </Text>
      )}
      {paths.data && paths.data.total_users === 0 && (
        <EmptyState title="No users yet">The schema explorer fills in once your identity provider has sent users.</EmptyState>
      )}
      {paths.data && paths.data.total_users > 0 && (
        <>
          <TextInput
            label="Search paths"
            placeholder="costCenter, department, emails…"
            leftSection={<IconSearch size={16} />}
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
          />
          <Text size="xs" c="dimmed">
            {paths.data.data.length} {paths.data.data.length === 1 ? 'path' : 'paths'} found across{' '}
            {paths.data.scanned === paths.data.total_users ? `all ${paths.data.total_users}` : `${paths.data.scanned} of ${paths.data.total_users}`} users
            {paths.data.truncated ? ' (the first ones only; type any other path above)' : ''}. Pick one to use it as the source.
          </Text>
          {/* A plain scrolling box: long sample values are cut with an ellipsis, never widen the list. */}
          <div style={{ maxHeight: 280, overflowY: 'auto', overflowX: 'hidden' }}>
            <Stack gap={4} role="list" aria-label="Attribute paths" pr={4}>
              {shown.length === 0 && (
                <Text size="sm" c="dimmed">
                  No path matches “{query}”. You can still type a path above.
                </Text>
              )}
              {shown.map((p) => {
                const selected = p.path === value.trim();
                return (
                  <div role="listitem" key={p.path} style={{ minWidth: 0 }}>
                    <UnstyledButton
                      onClick={() => onChange(p.path)}
                      aria-pressed={selected}
                      title={p.path}
                      w="100%"
                      p="xs"
                      style={{
                        display: 'block',
                        minWidth: 0,
                        borderRadius: 6,
                        border: `1px solid var(--mantine-color-${selected ? 'blue-5' : 'gray-3'})`,
                        background: selected ? 'var(--mantine-color-blue-0)' : undefined,
                      }}
                    >
                      <Group justify="space-between" wrap="nowrap" gap="xs">
                        <Text size="sm" className="gl-mono" style={{ wordBreak: 'break-all' }}>
                          {shortPath(p.path)}
                        </Text>
                        <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                          {p.users} {p.users === 1 ? 'user' : 'users'}
                        </Badge>
                      </Group>
                      <Text size="xs" c="dimmed" truncate>
                        {p.type} · e.g. {p.samples.map(formatValue).join(', ') || '—'}
                      </Text>
                    </UnstyledButton>
                  </div>
                );
              })}
            </Stack>
          </div>
        </>
      )}
    </Stack>
  );
}

function ConstantField({ type, value, onChange }: { type: CustomAttribute['type']; value: string; onChange: (v: string) => void }) {
  if (type === 'boolean')
    return (
      <NativeSelect
        label="Constant value"
        value={value || 'true'}
        onChange={(e) => onChange(e.currentTarget.value)}
        data={[
          { value: 'true', label: 'true' },
          { value: 'false', label: 'false' },
        ]}
      />
    );
  if (type === 'string_list' || type === 'object')
    return (
      <Textarea
        label="Constant value"
        description={type === 'object' ? 'A JSON object, e.g. {"level": 2}' : 'A JSON list of text, e.g. ["a", "b"]'}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        autosize
        minRows={2}
        classNames={{ input: 'gl-mono' }}
      />
    );
  return (
    <TextInput
      label="Constant value"
      description={type === 'number' ? 'A number' : 'The same text for every user of this directory'}
      inputMode={type === 'number' ? 'decimal' : undefined}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

function constantText(value: unknown, type: CustomAttribute['type']): string {
  if (type === 'string' && typeof value === 'string') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parseConstant(text: string, type: CustomAttribute['type']): { value: unknown } | { error: string } {
  if (type === 'string') return { value: text };
  if (type === 'boolean') return { value: (text || 'true') === 'true' };
  if (type === 'number') {
    const n = Number(text.trim());
    return text.trim() === '' || !Number.isFinite(n) ? { error: 'Enter a number.' } : { value: n };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (type === 'string_list' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) return { error: 'Enter a JSON list of text, e.g. ["a", "b"].' };
    if (type === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) return { error: 'Enter a JSON object, e.g. {"level": 2}.' };
    return { value };
  } catch {
    return { error: 'This is not valid JSON.' };
  }
}

/**
 * The transforms applied to a source's value, in order: add any of the seven kinds, set their arguments, move
 * them up or down, remove them. Every control is labelled with the step's number, so a screen reader (and a
 * test) can tell "Separator for step 2" from step 3's.
 */
import { ActionIcon, Button, Group, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { Transform } from '../../lib/types.ts';
import { TRANSFORM_KINDS, TRANSFORM_LABELS, newTransform, transformKind, type TransformKind } from './format.ts';

interface Props {
  value: Transform[];
  onChange: (value: Transform[]) => void;
}

export function TransformsEditor({ value, onChange }: Props) {
  const [adding, setAdding] = useState<TransformKind>('lowercase');
  const replace = (index: number, transform: Transform) => onChange(value.map((t, i) => (i === index ? transform : t)));
  const move = (index: number, by: number) => {
    const next = [...value];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    onChange(next);
  };

  return (
    <Stack gap="xs" role="group" aria-label="Transforms">
      <Text size="sm" fw={600}>
        Transforms
      </Text>
      <Text size="xs" c="dimmed">
        Applied in order to the source's value before it is stored.
      </Text>
      {value.length === 0 && (
        <Text size="sm" c="dimmed">
          No transforms: the value is stored as the identity provider sends it.
        </Text>
      )}
      {value.map((transform, index) => {
        const step = index + 1;
        const kind = transformKind(transform);
        return (
          <Paper key={index} p="xs" withBorder>
            <Stack gap="xs">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" fw={600} style={{ minWidth: 0 }}>
                  {step}. {TRANSFORM_LABELS[kind]}
                </Text>
                <Group gap={4} wrap="nowrap">
                  <ActionIcon variant="subtle" color="gray" aria-label={`Move step ${step} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                    <IconArrowUp size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={`Move step ${step} down`}
                    disabled={index === value.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove step ${step}`} onClick={() => onChange(value.filter((_, i) => i !== index))}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              </Group>
              <Arguments transform={transform} step={step} onChange={(t) => replace(index, t)} />
            </Stack>
          </Paper>
        );
      })}
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect
          label="Transform to add"
          value={adding}
          onChange={(e) => setAdding(e.currentTarget.value as TransformKind)}
          data={TRANSFORM_KINDS.map((k) => ({ value: k, label: TRANSFORM_LABELS[k] }))}
          style={{ flex: '1 1 200px' }}
        />
        <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => onChange([...value, newTransform(adding)])}>
          Add transform
        </Button>
      </Group>
    </Stack>
  );
}

function Arguments({ transform, step, onChange }: { transform: Transform; step: number; onChange: (t: Transform) => void }) {
  if (typeof transform === 'string') return null;
  if ('split' in transform)
    return <TextInput size="sm" label={`Separator for step ${step}`} value={transform.split} onChange={(e) => onChange({ split: e.currentTarget.value })} />;
  if ('join' in transform)
    return <TextInput size="sm" label={`Separator for step ${step}`} value={transform.join} onChange={(e) => onChange({ join: e.currentTarget.value })} />;
  return <MapEditor transform={transform} step={step} onChange={onChange} />;
}

type MapTransform = { map: Record<string, unknown>; default?: unknown };

/**
 * A lookup table edited as rows of text; values stay text (what SCIM sends is text in nearly every case). The
 * server looks a value up exactly, then case-insensitively; a missing value stays missing.
 */
function MapEditor({ transform, step, onChange }: { transform: MapTransform; step: number; onChange: (t: Transform) => void }) {
  // Rows live here so a half-typed row with an empty "from" is not dropped on every keystroke.
  const [rows, setRows] = useState<[string, string][]>(() => {
    const pairs = Object.entries(transform.map).map(([from, to]): [string, string] => [from, typeof to === 'string' ? to : JSON.stringify(to)]);
    return pairs.length > 0 ? pairs : [['', '']];
  });
  const hasDefault = 'default' in transform && transform.default !== undefined;
  const emit = (next: [string, string][], fallback: unknown = transform.default) => {
    setRows(next);
    const map = Object.fromEntries(next.filter(([from]) => from !== ''));
    onChange(fallback === undefined ? { map } : { map, default: fallback });
  };

  return (
    <Stack gap={6}>
      {rows.map(([from, to], i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
          <TextInput
            size="sm"
            label={i === 0 ? 'From' : undefined}
            aria-label={`From (step ${step}, row ${i + 1})`}
            value={from}
            onChange={(e) => emit(rows.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))}
            style={{ flex: 1, minWidth: 0 }}
          />
          <TextInput
            size="sm"
            label={i === 0 ? 'To' : undefined}
            aria-label={`To (step ${step}, row ${i + 1})`}
            value={to}
            onChange={(e) => emit(rows.map((r, j) => (j === i ? [r[0], e.currentTarget.value] : r)))}
            style={{ flex: 1, minWidth: 0 }}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            mb={4}
            aria-label={`Remove row ${i + 1} of step ${step}`}
            onClick={() => emit(rows.length > 1 ? rows.filter((_, j) => j !== i) : [['', '']])}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => setRows([...rows, ['', '']])}>
          Add row
        </Button>
      </Group>
      <TextInput
        size="sm"
        label={`Value when nothing matches (step ${step})`}
        description="Optional. Left empty, a value not in the table is kept as it is."
        value={hasDefault ? String(transform.default) : ''}
        onChange={(e) => emit(rows, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
      />
    </Stack>
  );
}

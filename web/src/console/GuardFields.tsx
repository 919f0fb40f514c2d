/**
 * The deprovision guard's part of a directory's settings form (API.md §8), for pulled and SCIM directories
 * alike: the switch and the three thresholds, with the share as a percentage here and a fraction on the wire.
 * The form around it owns the state, so one Save sends the guard with the directory's other settings.
 */
import { NumberInput, Paper, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import type { GuardSettings } from '../lib/types.ts';

/** API.md §8's defaults: on for the directories Guestlist pulls, off for SCIM ones. */
export const guardDefaults = (pulled: boolean): GuardSettings => ({ enabled: pulled, max_share: 0.3, min_users: 10, window_minutes: 60 });

/** What the inputs hold: numbers, or the text being typed (Mantine's NumberInput gives a string then). */
export interface GuardDraft {
  enabled: boolean;
  /** Percent of the active users, 0–100 (`max_share` × 100). */
  percent: number | string;
  min_users: number | string;
  window_minutes: number | string;
}

/** The wire field each input edits, for the 422's errors and the form's "edited" marks. */
export type GuardField = 'enabled' | 'max_share' | 'min_users' | 'window_minutes';
export const GUARD_FIELDS: readonly GuardField[] = ['enabled', 'max_share', 'min_users', 'window_minutes'];

export const guardDraft = (g: GuardSettings): GuardDraft => ({
  enabled: g.enabled,
  percent: Math.round(g.max_share * 1000) / 10,
  min_users: g.min_users,
  window_minutes: g.window_minutes,
});

const wholeIn = (value: number | string, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The server's bounds (the Directory's settings schema), checked before sending: messages by wire field. */
export function guardErrors(d: GuardDraft): Partial<Record<GuardField, string>> {
  const errors: Partial<Record<GuardField, string>> = {};
  if (typeof d.percent !== 'number' || !(d.percent > 0) || d.percent > 100) errors.max_share = 'A percentage above 0, at most 100.';
  if (!wholeIn(d.min_users, 1, 1_000_000)) errors.min_users = 'A whole number of users, at least 1.';
  if (!wholeIn(d.window_minutes, 1, 10_080)) errors.window_minutes = 'A whole number of minutes, from 1 to 10,080 (a week).';
  return errors;
}

/** The draft as `settings.deprovision_guard`; only after guardErrors found nothing. */
export const guardBody = (d: GuardDraft): GuardSettings => ({
  enabled: d.enabled,
  // One decimal of a percent: 12.5 % is 0.125, never 0.12500000000000003.
  max_share: Math.round((d.percent as number) * 10) / 1000,
  min_users: d.min_users as number,
  window_minutes: d.window_minutes as number,
});

interface Props {
  value: GuardDraft;
  onChange: (field: GuardField, next: GuardDraft) => void;
  errorFor: (field: GuardField) => string | undefined;
  /** What removes users: a pull (its syncs) or the identity provider's SCIM requests. */
  scim: boolean;
}

export function GuardFields({ value, onChange, errorFor, scim }: Props) {
  const set =
    <K extends keyof GuardDraft>(key: K, field: GuardField) =>
    (v: GuardDraft[K]) =>
      onChange(field, { ...value, [key]: v });
  const off = !value.enabled;
  return (
    <Paper p="lg">
      <Title order={2} fz="h4" mb={4}>
        Deprovision guard
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {scim
          ? 'When the identity provider deactivates or deletes at least this many users and more than this share of the active ones within the window, '
          : "When a sync would deactivate or delete at least this many users and more than this share of the active ones (counting what the window's earlier syncs removed), "}
        those removals are held from the application until someone releases or discards them, here or in the customer&apos;s portal.
        {scim && ' The identity provider is answered as usual. Off by default for SCIM directories.'}
      </Text>
      <Stack gap="sm">
        <Switch label="Hold mass deactivations and deletions" checked={value.enabled} onChange={(e) => set('enabled', 'enabled')(e.currentTarget.checked)} error={errorFor('enabled')} />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NumberInput
            label="More than (% of active users)"
            min={0}
            max={100}
            decimalScale={1}
            suffix=" %"
            value={value.percent}
            onChange={set('percent', 'max_share')}
            disabled={off}
            error={errorFor('max_share')}
          />
          <NumberInput
            label="At least (users)"
            description="Fewer removals are never held."
            min={1}
            allowDecimal={false}
            value={value.min_users}
            onChange={set('min_users', 'min_users')}
            disabled={off}
            error={errorFor('min_users')}
          />
          <NumberInput
            label="Window (minutes)"
            min={1}
            allowDecimal={false}
            value={value.window_minutes}
            onChange={set('window_minutes', 'window_minutes')}
            disabled={off}
            error={errorFor('window_minutes')}
          />
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

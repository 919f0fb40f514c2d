/**
 * The operator's settings of a directory (`PATCH /directories/{id} {settings}`): the deprovision guard for every
 * directory (API.md §8; GuardFields), and for one Guestlist pulls also how often it syncs and, for Google, the
 * groups to read. The guard's current values come from `GET …/guard` (the server's, defaults resolved); the
 * interval and the group filter from the directory's `settings` when the server includes them, else the
 * documented defaults.
 */
import { Alert, Button, Group, NumberInput, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { SourcesApi } from '../components/sources/api.ts';
import { PageLoader } from '../components/PageLoader.tsx';
import { ErrorState } from '../components/States.tsx';
import { useResource } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import { isPulled, type Directory, type GuardSettings, type PulledSettings } from '../lib/types.ts';
import { GUARD_FIELDS, GuardFields, guardBody, guardDefaults, guardDraft, guardErrors, type GuardDraft } from './GuardFields.tsx';

/** API.md §8's default interval for a pulled directory. */
export const DEFAULTS = { sync_interval_minutes: 30 };

interface Props {
  directory: Directory;
  api: SourcesApi;
  save: (settings: PulledSettings) => Promise<Directory>;
}

export function SourceSettings({ directory, api, save }: Props) {
  const guard = useResource(api.guard, [api]);
  if (guard.error && !guard.data) return <ErrorState error={guard.error} title="The guard's settings could not be loaded" onRetry={guard.reload} />;
  if (!guard.data) return <PageLoader label="Loading the settings" />;
  const current = guard.data.settings ?? { ...guardDefaults(isPulled(directory.type)), ...directory.settings?.deprovision_guard };
  return <SettingsForm directory={directory} guard={current} save={save} />;
}

/** The message of the 422's error on `field` (`settings.x`, `settings.deprovision_guard.x` or `x`). */
function fieldError(error: ApiError | undefined, field: string): string | undefined {
  const found = error?.errors.find((e) => e.field === field || e.field?.endsWith(`.${field}`) || e.field?.startsWith(`settings.${field}[`) || e.field?.startsWith(`${field}[`));
  return found ? (found.message ?? found.code ?? 'Invalid') : undefined;
}

const FIELDS = ['sync_interval_minutes', 'group_filter', ...GUARD_FIELDS];

function SettingsForm({ directory, guard, save }: { directory: Directory; guard: GuardSettings; save: Props['save'] }) {
  const pulled = isPulled(directory.type);
  const google = directory.type === 'gsuite directory';
  const [interval, setSyncInterval] = useState<number | string>(directory.settings?.sync_interval_minutes ?? DEFAULTS.sync_interval_minutes);
  const [guardValue, setGuardValue] = useState<GuardDraft>(() => guardDraft(guard));
  const [groups, setGroups] = useState((directory.settings?.group_filter ?? []).join('\n'));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  // An error is stale once its field is edited.
  const errorFor = (field: string) => (edited.has(field) ? undefined : (local[field] ?? fieldError(error, field)));
  const markEdited = (field: string) => {
    if (!edited.has(field)) setEdited(new Set([...edited, field]));
  };
  const edit =
    <T,>(field: string, set: (value: T) => void) =>
    (value: T) => {
      set(value);
      markEdited(field);
    };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = { ...guardErrors(guardValue) };
    // The server's bound (the Directory's settings schema): minutes up to a week.
    if (pulled && !(typeof interval === 'number' && Number.isInteger(interval) && interval >= 5 && interval <= 10_080))
      errors.sync_interval_minutes = 'A whole number of minutes, from 5 to 10,080 (a week).';
    setLocal(errors);
    setEdited(new Set());
    setSaved(false);
    if (Object.keys(errors).length > 0) return;
    // A SCIM directory has no schedule or group filter: only the guard is sent for it.
    const body: PulledSettings = {
      ...(pulled ? { sync_interval_minutes: interval as number } : {}),
      deprovision_guard: guardBody(guardValue),
      ...(google ? { group_filter: groups.split(/[\s,]+/).map((g) => g.trim()).filter(Boolean) } : {}),
    };
    setBusy(true);
    setError(undefined);
    try {
      await save(body);
      setSaved(true);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const unplaced = error && !(error.errors.length > 0 && error.errors.every((e) => FIELDS.some((f) => fieldError({ ...error, errors: [e] } as ApiError, f))));

  return (
    <form onSubmit={submit} noValidate aria-label={pulled ? 'Sync settings' : 'Directory settings'}>
      <Stack gap="lg" maw={760}>
        {pulled && (
          <Paper p="lg">
            <Title order={2} fz="h4" mb="xs">
              Schedule
            </Title>
            <NumberInput
              label="Sync every (minutes)"
              description="How often Guestlist reads the directory. Sync now starts one at any time."
              min={5}
              max={10_080}
              allowDecimal={false}
              value={interval}
              onChange={edit('sync_interval_minutes', setSyncInterval)}
              error={errorFor('sync_interval_minutes')}
              maw={260}
            />
          </Paper>
        )}
        <GuardFields
          value={guardValue}
          onChange={(field, next) => {
            setGuardValue(next);
            markEdited(field);
          }}
          errorFor={errorFor}
          scim={!pulled}
        />
        {google && (
          <Paper p="lg">
            <Title order={2} fz="h4" mb={4}>
              Groups to sync
            </Title>
            <Textarea
              label="Google groups (IDs or emails)"
              description="One per line. Only these groups and their members are read; empty reads every group and user."
              placeholder={'03x8tuzt1a2b3c4\nengineering@acme.com'}
              autosize
              minRows={3}
              value={groups}
              onChange={(e) => edit('group_filter', setGroups)(e.currentTarget.value)}
              error={errorFor('group_filter')}
              spellCheck={false}
              classNames={{ input: 'gl-mono' }}
            />
          </Paper>
        )}
        {unplaced && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
            {error.message}
          </Alert>
        )}
        <Group gap="sm">
          <Button type="submit" loading={busy}>
            Save settings
          </Button>
          {saved && (
            <Text size="sm" c="green.8" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

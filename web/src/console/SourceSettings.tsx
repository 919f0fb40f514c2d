/**
 * The operator's settings of a directory Guestlist pulls (API.md §8, `PATCH /directories/{id} {settings}`): how
 * often it syncs, the deprovision guard (the share as a percentage here, a fraction on the wire) and, for
 * Google, the groups to read. The guard's current values come from `GET …/guard`; the interval and the group
 * filter from the directory's `settings` when the server includes them, else the documented defaults.
 */
import { Alert, Button, Group, NumberInput, Paper, SimpleGrid, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { SourcesApi } from '../components/sources/api.ts';
import { PageLoader } from '../components/PageLoader.tsx';
import { ErrorState } from '../components/States.tsx';
import { useResource } from '../lib/hooks.ts';
import type { ApiError } from '../lib/http.ts';
import type { Directory, GuardSettings, PulledSettings } from '../lib/types.ts';

/** API.md §8's defaults for a pulled directory. */
export const DEFAULTS = { sync_interval_minutes: 30, guard: { enabled: true, max_share: 0.3, min_users: 10, window_minutes: 60 } satisfies GuardSettings };

interface Props {
  directory: Directory;
  api: SourcesApi;
  save: (settings: PulledSettings) => Promise<Directory>;
}

export function SourceSettings({ directory, api, save }: Props) {
  const guard = useResource(api.guard, [api]);
  if (guard.error && !guard.data) return <ErrorState error={guard.error} title="The guard's settings could not be loaded" onRetry={guard.reload} />;
  if (!guard.data) return <PageLoader label="Loading the settings" />;
  const current = directory.settings?.deprovision_guard ?? guard.data.settings ?? DEFAULTS.guard;
  return <SettingsForm directory={directory} guard={current} save={save} />;
}

/** The message of the 422's error on `field` (`settings.x`, `settings.deprovision_guard.x` or `x`). */
function fieldError(error: ApiError | undefined, field: string): string | undefined {
  const found = error?.errors.find((e) => e.field === field || e.field?.endsWith(`.${field}`) || e.field?.startsWith(`settings.${field}[`) || e.field?.startsWith(`${field}[`));
  return found ? (found.message ?? found.code ?? 'Invalid') : undefined;
}

const FIELDS = ['sync_interval_minutes', 'group_filter', 'enabled', 'max_share', 'min_users', 'window_minutes'];

function SettingsForm({ directory, guard, save }: { directory: Directory; guard: GuardSettings; save: Props['save'] }) {
  const google = directory.type === 'gsuite directory';
  const [interval, setSyncInterval] = useState<number | string>(directory.settings?.sync_interval_minutes ?? DEFAULTS.sync_interval_minutes);
  const [enabled, setEnabled] = useState(guard.enabled);
  const [share, setShare] = useState<number | string>(Math.round(guard.max_share * 1000) / 10);
  const [minUsers, setMinUsers] = useState<number | string>(guard.min_users);
  const [windowMinutes, setWindowMinutes] = useState<number | string>(guard.window_minutes);
  const [groups, setGroups] = useState((directory.settings?.group_filter ?? []).join('\n'));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  // An error is stale once its field is edited.
  const errorFor = (field: string) => (edited.has(field) ? undefined : (local[field] ?? fieldError(error, field)));
  const edit =
    <T,>(field: string, set: (value: T) => void) =>
    (value: T) => {
      set(value);
      if (!edited.has(field)) setEdited(new Set([...edited, field]));
    };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    const whole = (value: number | string, min: number, max: number, field: string, words: string) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) errors[field] = words;
    };
    // The server's bounds (the Directory's settings schema): minutes up to a week.
    whole(interval, 5, 10_080, 'sync_interval_minutes', 'A whole number of minutes, from 5 to 10,080 (a week).');
    whole(minUsers, 1, 1_000_000, 'min_users', 'A whole number of users, at least 1.');
    whole(windowMinutes, 1, 10_080, 'window_minutes', 'A whole number of minutes, from 1 to 10,080 (a week).');
    if (typeof share !== 'number' || !(share > 0) || share > 100) errors.max_share = 'A percentage above 0, at most 100.';
    setLocal(errors);
    setEdited(new Set());
    setSaved(false);
    if (Object.keys(errors).length > 0) return;
    const body: PulledSettings = {
      sync_interval_minutes: interval as number,
      deprovision_guard: { enabled, max_share: Math.round((share as number) * 10) / 1000, min_users: minUsers as number, window_minutes: windowMinutes as number },
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
    <form onSubmit={submit} noValidate aria-label="Sync settings">
      <Stack gap="lg" maw={760}>
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
        <Paper p="lg">
          <Title order={2} fz="h4" mb={4}>
            Deprovision guard
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            When a sync would deactivate or delete at least this many users and more than this share of the active ones (counting what the
            window's earlier syncs removed), those removals are held until someone releases or discards them, here or in the customer's portal.
          </Text>
          <Stack gap="sm">
            <Switch label="Hold mass deactivations and deletions" checked={enabled} onChange={(e) => edit('enabled', setEnabled)(e.currentTarget.checked)} error={errorFor('enabled')} />
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
              <NumberInput
                label="More than (% of active users)"
                min={0}
                max={100}
                decimalScale={1}
                suffix=" %"
                value={share}
                onChange={edit('max_share', setShare)}
                disabled={!enabled}
                error={errorFor('max_share')}
              />
              <NumberInput
                label="At least (users)"
                description="Fewer removals are never held."
                min={1}
                allowDecimal={false}
                value={minUsers}
                onChange={edit('min_users', setMinUsers)}
                disabled={!enabled}
                error={errorFor('min_users')}
              />
              <NumberInput
                label="Window (minutes)"
                min={1}
                allowDecimal={false}
                value={windowMinutes}
                onChange={edit('window_minutes', setWindowMinutes)}
                disabled={!enabled}
                error={errorFor('window_minutes')}
              />
            </SimpleGrid>
          </Stack>
        </Paper>
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

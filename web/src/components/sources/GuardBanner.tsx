/**
 * The deprovision guard (API.md §8), shown only when it has tripped: how many deactivations and deletions it
 * holds back, and the two ways out, each asking first with what it will do. The same for a pulled directory
 * (a sync held them) and a SCIM one (the identity provider sent them, and was answered as usual).
 */
import { Alert, Group, Stack, Text } from '@mantine/core';
import { IconShieldExclamation } from '@tabler/icons-react';
import { usePolling, useResource } from '../../lib/hooks.ts';
import type { DeprovisionGuard } from '../../lib/types.ts';
import { ConfirmButton } from '../ConfirmButton.tsx';
import { TimeAgo } from '../TimeAgo.tsx';
import type { SourcesApi } from './api.ts';

interface Props {
  api: SourcesApi;
  /** The source's name: "Workday", "Microsoft Entra ID". */
  sourceName: string;
  /** A SCIM directory: the identity provider pushed the removals, no sync read them. */
  scim?: boolean;
  pollMs?: number;
  /** After a release or a discard. */
  onChanged?: (guard: DeprovisionGuard) => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function GuardBanner({ api, sourceName, scim = false, pollMs = 5000, onChanged }: Props) {
  const guard = useResource(api.guard, [api]);
  usePolling(guard.reload, pollMs);
  const g = guard.data;
  if (!g || g.state !== 'tripped') return null;
  const n = g.held_changes;
  const settings = g.settings;
  const limits = settings && `at least ${settings.min_users} users and more than ${Math.round(settings.max_share * 1000) / 10} % of the active ones within ${settings.window_minutes} minutes`;

  const act = async (call: () => Promise<DeprovisionGuard>) => {
    const next = await call();
    guard.setData(next);
    onChanged?.(next);
  };

  return (
    <section aria-label="Deprovision guard">
      <Alert
        color="orange"
        variant="light"
        icon={<IconShieldExclamation size={20} />}
        title={n === 1 ? 'Guestlist held back 1 deactivation or deletion' : `Guestlist held back ${n} deactivations and deletions`}
      >
        <Stack gap="sm">
          <Text size="sm">
            {scim ? (
              <>
                The guard tripped {g.tripped_at ? <TimeAgo value={g.tripped_at} /> : 'recently'}: {sourceName} deactivated or deleted more users than it allows
                {limits ? ` (${limits})` : ''}. Those changes are held: the application still sees these users, while {sourceName} was answered as usual.
              </>
            ) : (
              <>
                A sync {g.tripped_at ? <TimeAgo value={g.tripped_at} /> : 'recently'} would have deactivated or deleted {plural(n, 'user')} at once
                {limits ? `, more than the guard allows (${limits})` : ', more than the guard allows'}
                . Until you decide, nobody in this directory is deactivated or deleted in the application.
              </>
            )}
          </Text>
          <Text size="sm">
            Check in {sourceName} whether these people really left, then {scim ? 'release to apply the changes, or discard to keep the users.' : 'release or discard the held changes.'}
          </Text>
          <Group gap="sm">
            <ConfirmButton
              label="Release"
              variant="filled"
              color="orange"
              title={`Apply ${plural(n, 'held change')}?`}
              confirmLabel={`Apply ${plural(n, 'change')}`}
              onConfirm={() => act(api.releaseGuard)}
            >
              <p style={{ marginTop: 0 }}>
                The {plural(n, 'held deactivation')} and deletions are applied now, in the order they were {scim ? 'received' : 'read'}, and the application receives their events:{' '}
                <strong>these people lose access to the application.</strong>
              </p>
              <p style={{ marginBottom: 0 }}>Release when the removals are real, for example after a reorganization or a cleanup in {sourceName}.</p>
            </ConfirmButton>
            <ConfirmButton label="Discard" variant="default" color="gray" title={`Discard ${plural(n, 'held change')}?`} confirmLabel={`Discard ${plural(n, 'change')}`} onConfirm={() => act(api.discardGuard)}>
              <p style={{ marginTop: 0 }}>
                Guestlist forgets the held changes: <strong>these users stay as they are in the application</strong>, and no event is sent for them.
              </p>
              <p style={{ marginBottom: 0 }}>
                {scim
                  ? `Discard when the removals were a mistake in ${sourceName} (a wrong assignment or group rule). ${sourceName} still counts these users as removed: correct it there too.`
                  : `Discard when the removals were a mistake at the source (a report filter, a lost permission, a key with too little access). Fix that first: if ${sourceName} still lacks these people at the next sync, Guestlist reads the same removals again.`}
              </p>
            </ConfirmButton>
          </Group>
        </Stack>
      </Alert>
    </section>
  );
}

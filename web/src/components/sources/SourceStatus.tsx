/** Where a pulled directory stands, in words: Linked, Never synced, or Credentials refused with what to do. */
import { Alert, Button, List, Stack, Text } from '@mantine/core';
import { IconKeyOff } from '@tabler/icons-react';
import type { PulledType } from '../../lib/types.ts';

export type PulledStatus = 'linked' | 'never_synced' | 'invalid_credentials' | 'deleting';

/** The directory's state, as someone waiting for their users reads it. */
export function pulledStatus(directory: { state: string; last_sync_at?: string | null }): PulledStatus {
  if (directory.state === 'invalid_credentials') return 'invalid_credentials';
  if (directory.state === 'deleting') return 'deleting';
  if (directory.state === 'linked' || directory.last_sync_at) return 'linked';
  return 'never_synced';
}

export const PULLED_STATUS_LABELS: Record<PulledStatus, string> = {
  linked: 'Linked',
  never_synced: 'Never synced',
  invalid_credentials: 'Credentials refused',
  deleting: 'Deleting',
};

const CHECKS: Record<PulledType, { source: string; checks: string[]; fix: string }> = {
  'gsuite directory': {
    source: 'Google',
    checks: [
      'In the Admin console, under Security > Access and data control > API controls > Manage Domain Wide Delegation, the service account\'s client ID is still listed with the three read-only scopes.',
      'The key still exists on the service account\'s Keys tab in Google Cloud.',
      'The admin whose email was entered is still an active super admin.',
    ],
    fix: 'If you made a new key or chose another admin, save them again; otherwise press Sync now once the cause is fixed.',
  },
  workday: {
    source: 'Workday',
    checks: [
      'The Integration System User\'s password has not expired or been changed, and the account is not locked.',
      'The report is still enabled as a web service and shared with the Integration System User.',
      'The report URL is the JSON one, copied from Web Service > View URLs.',
    ],
    fix: 'Enter the URL, user name and password again (the password is never shown, so it must be typed anew).',
  },
  bamboohr: {
    source: 'BambooHR',
    checks: ['The API key still exists under API Keys in BambooHR.', 'The BambooHR user who created the key is still active and allowed to use the API.', 'The subdomain is your company\'s.'],
    fix: 'Create a new API key if the old one is gone, and save it again.',
  },
};

/** The explanation shown while the source refuses the saved credentials. Nothing is deleted meanwhile. */
export function CredentialsRefused({ type, onFix, fixLabel = 'Enter new credentials' }: { type: PulledType; onFix?: () => void; fixLabel?: string }) {
  const { source, checks, fix } = CHECKS[type];
  return (
    <section aria-label="Credentials refused">
      <Alert color="red" variant="light" icon={<IconKeyOff size={20} />} title={`${source} refused the saved credentials`}>
        <Stack gap="xs" align="flex-start">
          <Text size="sm">
            The last sync could not sign in to {source}, so nothing was read. <strong>Nothing is deleted meanwhile:</strong> the users and groups read
            at the last successful sync stay as they are. Check that:
          </Text>
          <List size="sm" spacing={2}>
            {checks.map((check) => (
              <List.Item key={check}>{check}</List.Item>
            ))}
          </List>
          <Text size="sm">{fix}</Text>
          {onFix && (
            <Button size="xs" variant="white" color="red" onClick={onFix}>
              {fixLabel}
            </Button>
          )}
        </Stack>
      </Alert>
    </section>
  );
}

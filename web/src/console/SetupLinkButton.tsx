/** "Generate setup link": a single-use portal link for the organization's IT admin, valid for 5 minutes. */
import { Alert, Button, Modal, Stack, Text } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import { useState } from 'react';
import { CopyField } from '../components/CopyField.tsx';
import type { ApiError } from '../lib/http.ts';
import type { Organization } from '../lib/types.ts';
import { consoleApi } from './api.ts';

export function SetupLinkButton({ organization }: { organization: Organization }) {
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const generate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setLink((await consoleApi.generateLink(organization.id)).link);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setLink(undefined);
    setError(undefined);
  };

  return (
    <>
      <Button leftSection={<IconLink size={16} />} onClick={generate} loading={busy}>
        Generate setup link
      </Button>
      <Modal opened={Boolean(link || error)} onClose={close} title="Setup link" centered size="lg">
        {error ? (
          <Alert color="red" variant="light" role="alert">
            {error.message}
          </Alert>
        ) : (
          <Stack>
            <Text size="sm">
              Send this link to the IT admin of <strong>{organization.name}</strong>. It opens the setup portal for this organization only.
            </Text>
            <CopyField label="Setup link" value={link ?? ''} />
            <Alert color="yellow" variant="light">
              It works once and expires in 5 minutes. For an email, create an invite below instead: it stays valid for days.
            </Alert>
          </Stack>
        )}
      </Modal>
    </>
  );
}

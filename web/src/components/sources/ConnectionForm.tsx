/**
 * The credentials of a directory Guestlist pulls (API.md §8, `PUT …/connection`), one form per type. Secrets go
 * in password inputs and are never read back: once saved, the form empties and the summary of the non-secret
 * fields stands in their place (ConnectionPanel). A 422's field errors land on their inputs.
 */
import { Alert, Anchor, Button, Collapse, FileButton, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconFileUpload } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../lib/http.ts';
import { WORKDAY_COLUMNS, type ConnectionInput, type PulledType, type WorkdayColumn } from '../../lib/types.ts';

interface Props {
  type: PulledType;
  /** Sends the body; rejects with the server's ApiError. */
  save: (body: ConnectionInput) => Promise<unknown>;
  /** Label of the submit button. */
  submitLabel?: string;
  onCancel?: () => void;
  /**
   * Google only, when the operator configured an OAuth client: sends the browser to Google's consent screen
   * (a super admin consents; Google sends them back to the directory's page).
   */
  consent?: () => Promise<void>;
}

/** The server's message for a field (`errors[].field`, also as `connection.field` or `field.sub`). */
function fieldError(error: ApiError | undefined, field: string): string | undefined {
  const found = error?.errors.find((e) => e.field === field || e.field?.endsWith(`.${field}`) || e.field?.startsWith(`${field}.`) || e.field?.startsWith(`${field}[`));
  return found ? (found.message ?? found.code ?? 'Invalid') : undefined;
}

/** Whether every field error of the answer is shown on an input of this form. */
function allOnFields(error: ApiError | undefined, fields: string[]): boolean {
  return !!error && error.errors.length > 0 && error.errors.every((e) => fields.some((f) => fieldError({ ...error, errors: [e] } as ApiError, f)));
}

export function ConnectionForm({ type, save, submitLabel = 'Save connection', onCancel, consent }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [local, setLocal] = useState<Record<string, string>>({});
  // Fields edited since the last answer: their error, now stale, is no longer shown.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const touch = (field: string) => {
    if (!edited.has(field)) setEdited(new Set([...edited, field]));
  };
  const check = (errors: Record<string, string>) => {
    setLocal(errors);
    setEdited(new Set());
  };

  const submit = async (body: ConnectionInput) => {
    setBusy(true);
    setError(undefined);
    try {
      await save(body);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const errorFor = (field: string) => (edited.has(field) ? undefined : (local[field] ?? fieldError(error, field)));
  const common = { busy, submitLabel, onCancel, errorFor, setLocal: check, touch };
  const fields = type === 'gsuite directory' ? ['service_account_key', 'admin_email', 'customer'] : type === 'workday' ? ['report_url', 'username', 'password', 'columns'] : ['subdomain', 'api_key'];

  const askConsent = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await consent!();
    } catch (e) {
      setError(e as ApiError);
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      {type === 'gsuite directory' && consent && (
        <Stack gap={6}>
          <Text size="sm">
            Sign in as a Google Workspace super admin and allow Guestlist to read your users and groups (read-only). Or, below, use a service
            account with domain-wide delegation.
          </Text>
          <Group>
            <Button variant="default" loading={busy} onClick={() => void askConsent()}>
              Connect with Google
            </Button>
          </Group>
        </Stack>
      )}
      {type === 'gsuite directory' && <GoogleForm {...common} onSubmit={submit} />}
      {type === 'workday' && <WorkdayForm {...common} onSubmit={submit} />}
      {type === 'bamboohr' && <BambooForm {...common} onSubmit={submit} />}
      {error && !allOnFields(error, fields) && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
          {error.message}
        </Alert>
      )}
    </Stack>
  );
}

interface FormProps {
  busy: boolean;
  submitLabel: string;
  onCancel?: () => void;
  errorFor: (field: string) => string | undefined;
  setLocal: (errors: Record<string, string>) => void;
  /** The field was edited: its error is stale. */
  touch: (field: string) => void;
  onSubmit: (body: ConnectionInput) => void;
}

function Actions({ busy, submitLabel, onCancel }: Pick<FormProps, 'busy' | 'submitLabel' | 'onCancel'>) {
  return (
    <Group gap="sm">
      <Button type="submit" loading={busy}>
        {submitLabel}
      </Button>
      {onCancel && (
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
      )}
    </Group>
  );
}

/** A service account key file, checked enough to say what is wrong before sending it. */
export function parseServiceAccountKey(text: string): { key?: Record<string, unknown>; problem?: string } {
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch {
    return { problem: 'This is not JSON. Paste the whole key file, from { to }.' };
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) return { problem: 'The key file is a JSON object, from { to }.' };
  const k = key as Record<string, unknown>;
  if (k.type !== undefined && k.type !== 'service_account') return { problem: `This key is of type "${String(k.type)}", not a service account's.` };
  if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string') return { problem: 'This JSON lacks client_email or private_key: is it the service account\'s key file?' };
  return { key: k };
}

function GoogleForm({ busy, submitLabel, onCancel, errorFor, setLocal, touch, onSubmit }: FormProps) {
  const [keyText, setKeyText] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [admin, setAdmin] = useState('');
  const [customer, setCustomer] = useState('');
  const parsed = keyText.trim() ? parseServiceAccountKey(keyText) : undefined;

  const pick = async (file: File | null) => {
    if (!file) return;
    setKeyText(await file.text());
    setFileName(file.name);
    touch('service_account_key');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    const checked = parseServiceAccountKey(keyText);
    if (!keyText.trim()) errors.service_account_key = 'Paste the JSON key, or choose the file.';
    else if (checked.problem) errors.service_account_key = checked.problem;
    if (!admin.trim()) errors.admin_email = 'The email address of a super admin.';
    setLocal(errors);
    if (Object.keys(errors).length > 0) return;
    onSubmit({ service_account_key: checked.key!, admin_email: admin.trim(), ...(customer.trim() ? { customer: customer.trim() } : {}) });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Google Workspace connection">
      <Stack gap="sm">
        <Stack gap={6}>
          <PasswordInput
            label="Service account JSON key"
            description="Paste the whole file, or choose it. It is stored encrypted and never shown again."
            placeholder='{"type": "service_account", …}'
            value={keyText}
            onChange={(e) => {
              setKeyText(e.currentTarget.value);
              setFileName(undefined);
              touch('service_account_key');
            }}
            error={errorFor('service_account_key')}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <Group gap="xs" wrap="wrap">
            <FileButton onChange={pick} accept="application/json,.json">
              {(props) => (
                <Button {...props} variant="default" size="xs" leftSection={<IconFileUpload size={14} />}>
                  Choose the key file
                </Button>
              )}
            </FileButton>
            {parsed?.key && (
              <Text size="xs" c="dimmed" role="status" style={{ overflowWrap: 'anywhere' }}>
                {fileName ? `${fileName}: ` : ''}key of <strong>{String(parsed.key.client_email)}</strong>
              </Text>
            )}
          </Group>
        </Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Super admin's email"
            description="The service account acts as this administrator."
            type="email"
            value={admin}
            onChange={(e) => {
              setAdmin(e.currentTarget.value);
              touch('admin_email');
            }}
            error={errorFor('admin_email')}
            autoComplete="off"
            required
          />
          <TextInput
            label="Customer ID (optional)"
            description="Empty: the admin's own Google Workspace account."
            placeholder="my_customer"
            value={customer}
            onChange={(e) => {
              setCustomer(e.currentTarget.value);
              touch('customer');
            }}
            error={errorFor('customer')}
            autoComplete="off"
          />
        </SimpleGrid>
        <Actions busy={busy} submitLabel={submitLabel} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

function WorkdayForm({ busy, submitLabel, onCancel, errorFor, setLocal, touch, onSubmit }: FormProps) {
  const [url, setUrl] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [columns, setColumns] = useState<Partial<Record<WorkdayColumn, string>>>({});
  const [showColumns, setShowColumns] = useState(false);
  const columnsError = errorFor('columns');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/i.test(url.trim())) errors.report_url = 'The report\'s JSON URL, starting with https://.';
    if (!username.trim()) errors.username = 'The Integration System User\'s user name.';
    if (!password) errors.password = 'The Integration System User\'s password.';
    setLocal(errors);
    if (Object.keys(errors).length > 0) return;
    const renamed = Object.fromEntries(
      Object.entries(columns)
        .map(([k, v]) => [k, v?.trim() ?? ''])
        .filter(([k, v]) => v !== '' && v !== k),
    ) as Partial<Record<WorkdayColumn, string>>;
    onSubmit({ report_url: url.trim(), username: username.trim(), password, ...(Object.keys(renamed).length > 0 ? { columns: renamed } : {}) });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Workday connection">
      <Stack gap="sm">
        <TextInput
          label="Report JSON URL"
          description="From the report's Web Service > View URLs, the JSON link."
          placeholder="https://wd2-impl-services1.workday.com/ccx/service/customreport2/…?format=json"
          type="url"
          value={url}
          onChange={(e) => {
              setUrl(e.currentTarget.value);
              touch('report_url');
            }}
          error={errorFor('report_url')}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Integration System User"
            value={username}
            onChange={(e) => {
              setUsername(e.currentTarget.value);
              touch('username');
            }}
            error={errorFor('username')}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <PasswordInput
            label="Password"
            description="Stored encrypted, never shown again."
            value={password}
            onChange={(e) => {
              setPassword(e.currentTarget.value);
              touch('password');
            }}
            error={errorFor('password')}
            autoComplete="new-password"
            required
          />
        </SimpleGrid>
        <div>
          <Anchor component="button" type="button" size="sm" onClick={() => setShowColumns((v) => !v)} aria-expanded={showColumns} aria-controls="workday-columns">
            {showColumns ? 'Hide column names' : 'Column names: only if your report uses other names'}
          </Anchor>
          <Collapse expanded={showColumns || !!columnsError} id="workday-columns">
            <Stack gap="xs" mt="xs">
              <Text size="xs" c="dimmed">
                Leave a field empty where the report uses the default name (shown greyed).
              </Text>
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="xs">
                {WORKDAY_COLUMNS.map((column) => (
                  <TextInput
                    key={column}
                    size="xs"
                    label={column.replace(/_/g, ' ')}
                    aria-label={`Column for ${column}`}
                    placeholder={column}
                    value={columns[column] ?? ''}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setColumns((c) => ({ ...c, [column]: value }));
                      touch('columns');
                    }}
                    spellCheck={false}
                  />
                ))}
              </SimpleGrid>
              {columnsError && (
                <Text size="xs" c="red.8" role="alert">
                  {columnsError}
                </Text>
              )}
            </Stack>
          </Collapse>
        </div>
        <Actions busy={busy} submitLabel={submitLabel} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

/** `acme`, from `acme`, `acme.bamboohr.com` or `https://acme.bamboohr.com/home`. */
export function bambooSubdomain(value: string): string {
  const text = value.trim();
  const match = /^(?:https?:\/\/)?([^./\s]+)\.bamboohr\.com(?:[/:?#].*)?$/i.exec(text);
  return (match ? match[1]! : text).toLowerCase();
}

function BambooForm({ busy, submitLabel, onCancel, errorFor, setLocal, touch, onSubmit }: FormProps) {
  const [subdomain, setSubdomain] = useState('');
  const [apiKey, setApiKey] = useState('');
  const sub = bambooSubdomain(subdomain);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!sub) errors.subdomain = 'The part before .bamboohr.com in your BambooHR address.';
    else if (!/^[a-z0-9][a-z0-9-]*$/.test(sub)) errors.subdomain = 'Only the part before .bamboohr.com: letters, digits and hyphens.';
    if (!apiKey.trim()) errors.api_key = 'Paste the API key created in BambooHR.';
    setLocal(errors);
    if (Object.keys(errors).length > 0) return;
    onSubmit({ subdomain: sub, api_key: apiKey.trim() });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="BambooHR connection">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Subdomain"
            description={sub && sub !== subdomain.trim().toLowerCase() ? `Saved as ${sub}` : 'acme for https://acme.bamboohr.com'}
            value={subdomain}
            onChange={(e) => {
              setSubdomain(e.currentTarget.value);
              touch('subdomain');
            }}
            error={errorFor('subdomain')}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <PasswordInput
            label="API key"
            description="Stored encrypted, never shown again."
            value={apiKey}
            onChange={(e) => {
              setApiKey(e.currentTarget.value);
              touch('api_key');
            }}
            error={errorFor('api_key')}
            autoComplete="off"
            required
          />
        </SimpleGrid>
        <Actions busy={busy} submitLabel={submitLabel} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

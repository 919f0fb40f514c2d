/** The operator console: sign in with the API key or the admin password, then every organization's directories. */
import { useEffect, useState, type ReactNode } from 'react';
import { PageLoader } from '../components/PageLoader.tsx';
import { ErrorState } from '../components/States.tsx';
import type { ApiError } from '../lib/http.ts';
import { matchPath, navigate, useLocation } from '../lib/router.tsx';
import { client, consoleApi, onSessionEnded } from './api.ts';
import { AuditLogPage } from './AuditLogPage.tsx';
import { ConsoleShell } from './ConsoleShell.tsx';
import { CustomAttributesPage } from './CustomAttributesPage.tsx';
import { DirectoryPage } from './DirectoryPage.tsx';
import { EventsPage } from './EventsPage.tsx';
import { NotFound } from './NotFound.tsx';
import { OrganizationPage } from './OrganizationPage.tsx';
import { OrganizationsPage } from './OrganizationsPage.tsx';
import { RolesPage } from './RolesPage.tsx';
import { SignIn } from './SignIn.tsx';
import { WebhookPage } from './WebhookPage.tsx';
import { WebhooksPage } from './WebhooksPage.tsx';

type SessionState = { status: 'loading' } | { status: 'none'; expired: boolean } | { status: 'error'; error: ApiError } | { status: 'active' };

function useSession() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const load = async () => {
    try {
      client.csrfToken = (await consoleApi.session()).csrf_token;
      setState({ status: 'active' });
    } catch (e) {
      const error = e as ApiError;
      setState(error.status === 401 ? { status: 'none', expired: false } : { status: 'error', error });
    }
  };
  useEffect(() => {
    void load();
    return onSessionEnded(() => setState((s) => ({ status: 'none', expired: s.status === 'active' })));
  }, []);
  return { state, setState, reload: load };
}

const ROUTES: [string, (params: Record<string, string>) => ReactNode][] = [
  ['/console/organizations', () => <OrganizationsPage />],
  ['/console/organizations/:id', (p) => <OrganizationPage key={p.id} id={p.id!} />],
  ['/console/directories/:id', (p) => <DirectoryPage key={p.id} id={p.id!} />],
  ['/console/events', () => <EventsPage />],
  ['/console/webhooks', () => <WebhooksPage />],
  ['/console/webhooks/:id', (p) => <WebhookPage key={p.id} id={p.id!} />],
  ['/console/audit-log', () => <AuditLogPage />],
  ['/console/custom-attributes', () => <CustomAttributesPage />],
  ['/console/roles', () => <RolesPage />],
];

function Page() {
  const { pathname } = useLocation();
  const home = pathname === '/' || matchPath('/console', pathname);
  useEffect(() => {
    if (home) navigate('/console/organizations', { replace: true });
  }, [home]);
  if (home) return null;
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return render(params);
  }
  return <NotFound />;
}

export default function ConsoleApp() {
  const { state, setState, reload } = useSession();
  if (state.status === 'loading') return <PageLoader label="Opening the console" />;
  if (state.status === 'none')
    return (
      <SignIn
        expired={state.expired}
        onSignedIn={(csrf) => {
          client.csrfToken = csrf;
          setState({ status: 'active' });
        }}
      />
    );
  if (state.status === 'error')
    return (
      <ConsoleShell>
        <ErrorState error={state.error} title="The console could not be opened" onRetry={reload} />
      </ConsoleShell>
    );
  return (
    <ConsoleShell onSignedOut={() => setState({ status: 'none', expired: false })}>
      <Page />
    </ConsoleShell>
  );
}

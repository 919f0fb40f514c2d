/** The IT admin's portal: one organization's directory connections, opened from a setup link. */
import { useEffect, useState } from 'react';
import { PageLoader } from '../components/PageLoader.tsx';
import { ErrorState } from '../components/States.tsx';
import type { ApiError } from '../lib/http.ts';
import { matchPath, useLocation } from '../lib/router.tsx';
import { client, onSessionEnded, portalApi, type PortalSession } from './api.ts';
import { DirectoryPage } from './DirectoryPage.tsx';
import { Home } from './Home.tsx';
import { Landing } from './Landing.tsx';
import { PortalShell } from './PortalShell.tsx';
import { ProviderPicker } from './ProviderPicker.tsx';
import { SessionContext } from './session.ts';
import { SetupPage } from './SetupPage.tsx';

type SessionState = { status: 'loading' } | { status: 'none'; expired?: boolean } | { status: 'error'; error: ApiError } | { status: 'active'; session: PortalSession };

function useSession() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const load = async () => {
    try {
      const session = await portalApi.session();
      client.csrfToken = session.csrf_token;
      setState({ status: 'active', session });
    } catch (e) {
      const error = e as ApiError;
      setState(error.status === 401 ? { status: 'none' } : { status: 'error', error });
    }
  };
  useEffect(() => {
    void load();
    return onSessionEnded(() => setState((s) => ({ status: 'none', expired: s.status === 'active' })));
  }, []);
  return { state, reload: load, end: () => setState({ status: 'none' }) };
}

function Page() {
  const { pathname } = useLocation();
  const directory = matchPath('/portal/directories/:id', pathname);
  if (directory) return <DirectoryPage key={directory.id} id={directory.id!} />;
  const setup = matchPath('/portal/setup/:slug', pathname);
  if (setup) return <SetupPage key={setup.slug} slug={setup.slug!} />;
  if (matchPath('/portal/setup', pathname)) return <ProviderPicker />;
  return <Home />;
}

export default function PortalApp() {
  const { state, reload, end } = useSession();
  const { search } = useLocation();
  if (state.status === 'loading') return <PageLoader label="Opening the setup portal" />;
  if (state.status === 'none') return <Landing reason={state.expired ? 'expired' : search.get('error')} />;
  if (state.status === 'error')
    return (
      <PortalShell>
        <ErrorState error={state.error} title="The setup portal could not be opened" onRetry={reload} />
      </PortalShell>
    );
  return (
    <SessionContext.Provider value={state.session}>
      <PortalShell session={state.session} onSignedOut={end}>
        <Page />
      </PortalShell>
    </SessionContext.Provider>
  );
}

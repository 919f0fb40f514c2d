/**
 * One bundle, two apps chosen by path: `/portal/…` is the IT admin's portal, everything else the operator
 * console. Each is its own lazy chunk, so a portal visitor never downloads the console.
 */
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { PageLoader } from './components/PageLoader.tsx';
import { useLocation } from './lib/router.tsx';
import { theme } from './theme.ts';

const PortalApp = lazy(() => import('./portal/PortalApp.tsx'));
const ConsoleApp = lazy(() => import('./console/ConsoleApp.tsx'));

const isPortal = (pathname: string) => pathname === '/portal' || pathname.startsWith('/portal/');

function Root() {
  const { pathname } = useLocation();
  return <Suspense fallback={<PageLoader />}>{isPortal(pathname) ? <PortalApp /> : <ConsoleApp />}</Suspense>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <Root />
    </MantineProvider>
  </StrictMode>,
);

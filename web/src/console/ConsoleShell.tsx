/** The console's frame: the wordmark, the main sections, sign out; the navigation folds behind a button on a phone. */
import { AppShell, Burger, Button, Group, NavLink } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconActivity, IconBuilding, IconListDetails, IconLogout, IconShieldCheck, IconTags, IconWebhook } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Wordmark } from '../components/Wordmark.tsx';
import { Link, useLocation } from '../lib/router.tsx';
import { client, consoleApi } from './api.ts';

const SECTIONS = [
  { href: '/console/organizations', label: 'Organizations', icon: IconBuilding, also: ['/console/directories'] },
  { href: '/console/custom-attributes', label: 'Custom attributes', icon: IconTags, also: [] },
  { href: '/console/roles', label: 'Roles', icon: IconShieldCheck, also: [] },
  { href: '/console/events', label: 'Events', icon: IconActivity, also: [] },
  { href: '/console/webhooks', label: 'Webhooks', icon: IconWebhook, also: [] },
  { href: '/console/audit-log', label: 'Audit log', icon: IconListDetails, also: [] },
];

export function ConsoleShell({ children, onSignedOut }: { children: ReactNode; onSignedOut?: () => void }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const signOut = async () => {
    await consoleApi.logout().catch(() => undefined);
    client.csrfToken = undefined;
    onSignedOut?.();
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Link href="/console/organizations" aria-label="Guestlist console, home" style={{ textDecoration: 'none' }}>
              <Wordmark suffix="Console" />
            </Link>
          </Group>
          {onSignedOut && (
            <Button variant="default" size="xs" leftSection={<IconLogout size={14} />} onClick={signOut}>
              Sign out
            </Button>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Console sections">
        {SECTIONS.map(({ href, label, icon: Icon, also }) => {
          const active = [href, ...also].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
          return (
            <NavLink
              key={href}
              component={Link}
              href={href}
              label={label}
              leftSection={<Icon size={18} stroke={1.6} />}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={close}
              variant="light"
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main bg="#f6f7f9">{children}</AppShell.Main>
    </AppShell>
  );
}

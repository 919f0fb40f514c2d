/** Choose a provider: one card per identity provider, each a link to its setup guide. */
import { Anchor, Avatar, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { Link } from '../lib/router.tsx';
import { providers, type ResolvedProvider } from './providers.ts';

export function ProviderPicker({ first = false }: { first?: boolean }) {
  return (
    <Stack gap="lg">
      {!first && (
        <Anchor component={Link} href="/portal/" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} /> All connections
          </Group>
        </Anchor>
      )}
      <div>
        <Title order={1} fz="h2">
          {first ? 'Connect your directory' : 'Add another connection'}
        </Title>
        <Text c="dimmed" mt={4}>
          Choose the identity provider your company uses. A step-by-step guide follows, with everything you need to paste.
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {providers().map((provider) => (
          <li key={provider.type}>
            <ProviderCard provider={provider} />
          </li>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function ProviderCard({ provider }: { provider: ResolvedProvider }) {
  return (
    <Card component={Link} href={`/portal/setup/${provider.slug}`} p="lg" h="100%" className="gl-clickable-row" aria-label={provider.name} aria-describedby={`provider-${provider.slug}`}>
      <Group wrap="nowrap" align="flex-start">
        <Avatar color="ink" radius="md" aria-hidden>
          {provider.name.slice(0, 2)}
        </Avatar>
        <div>
          <Text fw={650}>{provider.name}</Text>
          <Text size="sm" c="dimmed" mt={4} id={`provider-${provider.slug}`}>
            {provider.dedicated || !provider.guide.scim ? provider.guide.summary : 'Set up with the standard SCIM 2.0 steps; a dedicated guide is on its way.'}
          </Text>
        </div>
      </Group>
    </Card>
  );
}

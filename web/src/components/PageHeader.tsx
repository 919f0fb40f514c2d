import { Anchor, Group, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from '../lib/router.tsx';

interface Props {
  title: ReactNode;
  description?: ReactNode;
  back?: { href: string; label: string };
  actions?: ReactNode;
}

/** A page's title, what it is for, a way back, and its main actions. */
export function PageHeader({ title, description, back, actions }: Props) {
  return (
    <Stack gap="xs" mb="lg">
      {back && (
        <Anchor component={Link} href={back.href} size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} /> {back.label}
          </Group>
        </Anchor>
      )}
      <Group justify="space-between" align="flex-end" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={1} fz="h2">
            {title}
          </Title>
          {description && (
            <Text c="dimmed" mt={4} component="div">
              {description}
            </Text>
          )}
        </div>
        {actions && <Group gap="sm">{actions}</Group>}
      </Group>
    </Stack>
  );
}

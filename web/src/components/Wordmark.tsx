import { Group, Text } from '@mantine/core';

/** The Guestlist mark: a list with one name ticked, and the word. */
export function Wordmark({ suffix }: { suffix?: string }) {
  return (
    <Group gap={8} wrap="nowrap" aria-label={suffix ? `Guestlist ${suffix}` : 'Guestlist'}>
      <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" fill="#111827" />
        <path d="M9 11h14M9 16h14M9 21h9" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" />
        <circle cx="23" cy="21" r="2.2" fill="#34d399" />
      </svg>
      <Text component="span" fw={750} fz="lg" lts={-0.3} c="ink.9">
        guestlist
      </Text>
      {suffix && (
        <Text component="span" fz="sm" c="dimmed" visibleFrom="xs">
          {suffix}
        </Text>
      )}
    </Group>
  );
}

import { Tooltip } from '@mantine/core';
import { useNow } from '../lib/hooks.ts';
import { formatTime, timeAgo } from '../lib/time.ts';

/** "3 minutes ago", with the exact time on hover and for screen readers through <time>. */
export function TimeAgo({ value }: { value: string | null | undefined }) {
  const now = useNow();
  if (!value) return <span>never</span>;
  return (
    <Tooltip label={formatTime(value)} withArrow openDelay={300}>
      <time dateTime={value} title={formatTime(value)}>
        {timeAgo(value, now)}
      </time>
    </Tooltip>
  );
}

import { Code, ScrollArea } from '@mantine/core';

/** JSON as the API sent it, indented, in a box that scrolls instead of stretching the page. */
export function JsonBlock({ value, label, maxHeight = 360 }: { value: unknown; label?: string; maxHeight?: number }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto">
      <Code block aria-label={label} style={{ whiteSpace: 'pre', fontSize: 12 }}>
        {text ?? 'null'}
      </Code>
    </ScrollArea.Autosize>
  );
}

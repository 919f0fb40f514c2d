import { Button, Center, Loader } from '@mantine/core';
import type { CursorList } from '../lib/hooks.ts';

/** Under a paged list: a spinner while loading, else "Load more" while there is more. */
export function ListFooter({ list, noun = 'items' }: { list: CursorList<unknown>; noun?: string }) {
  if (list.loading)
    return (
      <Center py="sm" role="status" aria-label={`Loading ${noun}`}>
        <Loader size="sm" />
      </Center>
    );
  if (!list.more) return null;
  return (
    <Center py="sm">
      <Button variant="default" onClick={list.more}>
        Load more {noun}
      </Button>
    </Center>
  );
}

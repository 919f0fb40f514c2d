/**
 * What every `list()` returns: awaiting it gives one page (`{data, list_metadata}`); iterating it with
 * `for await` gives every item, page after page, following the cursors. Nothing is requested until one of the
 * two happens, and the first page is requested once however often it is awaited.
 */
import type { List } from './objects.js';

export interface Cursor {
  before?: string;
  after?: string;
}

export type PageFetcher<T> = (cursor: Cursor) => Promise<List<T>>;

/** Where the page after `page` starts; undefined at the end. */
export type NextCursor<T> = (page: List<T>) => Cursor | undefined;

/**
 * The usual rule: keep going the way the first request went (`before` if it named one, else `after`) until
 * the API says there is nothing more (a null cursor).
 */
export function followCursor<T>(start: Cursor): NextCursor<T> {
  const direction = start.before !== undefined ? 'before' : 'after';
  return (page) => {
    const next = page.list_metadata[direction];
    return next === null ? undefined : { [direction]: next };
  };
}

export class AutoPaginatable<T> implements PromiseLike<List<T>>, AsyncIterable<T> {
  private first: Promise<List<T>> | undefined;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly start: Cursor,
    private readonly next: NextCursor<T> = followCursor(start),
  ) {}

  private firstPage(): Promise<List<T>> {
    this.first ??= this.fetchPage(this.start);
    return this.first;
  }

  then<R1 = List<T>, R2 = never>(
    onfulfilled?: ((page: List<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<List<T> | R> {
    return this.firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<List<T>> {
    return this.firstPage().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page = await this.firstPage();
    for (;;) {
      yield* page.data;
      const cursor = this.next(page);
      if (cursor === undefined) return;
      page = await this.fetchPage(cursor);
    }
  }
}

/** Loading data: a resource hook that keeps the last answer while it reloads, and polling that rests while the tab is hidden. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from './http.ts';
import type { List } from './types.ts';

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** Loads again; the current data stays on screen until the answer arrives. */
  reload: () => Promise<void>;
  setData: (data: T) => void;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  // The caller names what `load` depends on, as with useEffect.
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await run();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, error: error as ApiError, loading: false }));
    }
  }, [run]);

  useEffect(() => {
    setState({ loading: true });
    void reload();
  }, [reload]);

  const setData = useCallback((data: T) => setState({ data, loading: false }), []);
  return { ...state, reload, setData };
}

/** Calls `tick` every `ms` while the page is visible, and at once when it becomes visible again. */
export function usePolling(tick: () => void | Promise<void>, ms: number, enabled = true): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!enabled) return;
    let timer: number | undefined;
    let stopped = false;
    const schedule = () => {
      window.clearTimeout(timer);
      if (!stopped && document.visibilityState === 'visible') timer = window.setTimeout(run, ms);
    };
    // The next tick is counted from the end of this one, so a slow answer never stacks requests.
    const run = async () => {
      window.clearTimeout(timer);
      await latest.current();
      schedule();
    };
    const onVisibility = () => (document.visibilityState === 'visible' ? void run() : window.clearTimeout(timer));
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ms, enabled]);
}

/** A value that re-renders the caller every `ms`, so "3 minutes ago" stays true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

export interface CursorList<T> {
  items: T[];
  error?: ApiError;
  loading: boolean;
  /** Loads the next page and appends it; undefined at the end of the list. */
  more?: () => void;
  reload: () => void;
}

/** A list read page by page with the API's `after` cursor, each page appended below the last. */
export function useCursorList<T>(load: (after?: string) => Promise<List<T>>, deps: unknown[]): CursorList<T> {
  const [state, setState] = useState<{ items: T[]; after: string | null; error?: ApiError; loading: boolean }>({ items: [], after: null, loading: true });
  const generation = useRef(0);
  // The caller names what `load` depends on, as with useEffect.
  const run = useCallback(load, deps);

  const fetchPage = useCallback(
    async (after: string | undefined, append: boolean) => {
      const mine = ++generation.current;
      setState((s) => ({ ...s, loading: true, error: undefined }));
      try {
        const page = await run(after);
        if (mine !== generation.current) return;
        setState((s) => ({ items: append ? [...s.items, ...page.data] : page.data, after: page.list_metadata.after, loading: false }));
      } catch (error) {
        if (mine === generation.current) setState((s) => ({ ...s, error: error as ApiError, loading: false }));
      }
    },
    [run],
  );

  useEffect(() => {
    setState({ items: [], after: null, loading: true });
    void fetchPage(undefined, false);
  }, [fetchPage]);

  const after = state.after;
  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    more: after ? () => void fetchPage(after, true) : undefined,
    reload: () => void fetchPage(undefined, false),
  };
}

/** `value`, once it has stopped changing for `ms`: a search box that asks the server once per pause. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

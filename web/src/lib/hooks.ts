/** Loading data: a resource hook that keeps the last answer while it reloads, and polling that rests while the tab is hidden. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from './http.ts';

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

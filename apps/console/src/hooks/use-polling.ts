'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { callApi } from '@/lib/client-api';
import type { Problem } from '@/lib/problem';

export interface Polled<T> {
  data: T | undefined;
  problem: Problem | undefined;
  /** True until the first answer (data or problem) arrives for the current path. */
  loading: boolean;
  /** When the last successful answer arrived (epoch ms). */
  updatedAt: number | undefined;
  /** Fetch again now (after a change); coalesced with a fetch already on its way. */
  refresh: () => void;
}

/**
 * Live data by polling GET `path` (an API path through the console's proxy) every `intervalMs`:
 * the next request starts only after the previous one has finished (never overlapping), polling
 * pauses while the tab is hidden and resumes at once when it is shown, and stops on unmount.
 * `intervalMs` 0 fetches once (and on refresh). A null path fetches nothing.
 */
export function usePolling<T>(path: string | null, intervalMs = 2000): Polled<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; problem?: Problem; updatedAt?: number }>({ path });
  const control = useRef<{ refresh: () => void }>({ refresh: () => undefined });

  useEffect(() => {
    if (path === null) return;
    let stopped = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = (): void => {
      if (stopped || intervalMs <= 0 || document.hidden) return;
      timer = setTimeout(() => void tick(), intervalMs);
    };
    const tick = async (): Promise<void> => {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      clearTimeout(timer);
      timer = undefined;
      inFlight = true;
      const result = await callApi<T>('GET', path);
      inFlight = false;
      if (stopped) return;
      setState((previous) =>
        result.ok
          ? { path, data: result.data, updatedAt: Date.now() }
          : { path, ...(previous.path === path && previous.data !== undefined ? { data: previous.data, updatedAt: previous.updatedAt } : {}), problem: result.problem },
      );
      if (again) {
        again = false;
        void tick();
        return;
      }
      schedule();
    };
    const onVisibility = (): void => {
      if (document.hidden) {
        clearTimeout(timer);
        timer = undefined;
      } else if (!inFlight && timer === undefined) {
        void tick();
      }
    };

    control.current.refresh = () => void tick();
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [path, intervalMs]);

  const refresh = useCallback(() => control.current.refresh(), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    problem: current ? state.problem : undefined,
    loading: path !== null && (!current || (state.data === undefined && state.problem === undefined)),
    updatedAt: current ? state.updatedAt : undefined,
    refresh,
  };
}

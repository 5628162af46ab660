// Loads one API resource for a component, with loading / error / retry states.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';

export type Loadable<T> =
  | { state: 'loading'; data: null; error: null }
  | { state: 'error'; data: null; error: Error }
  | { state: 'ready'; data: T; error: null };

export interface UseApi<T> {
  result: Loadable<T>;
  retry: () => void;
}

/** GETs path (when not null) and again whenever path changes or retry() is called. */
export function useApi<T>(path: string | null): UseApi<T> {
  return useLoader<T>(path, (signal) => api.get<T>(path ?? '', signal));
}

/** Runs load(signal) whenever key changes (null: do nothing) or retry() is called. */
export function useLoader<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): UseApi<T> {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading', data: null, error: null });
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load is keyed by `key`; attempt re-runs it
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setResult({ state: 'loading', data: null, error: null });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ state: 'ready', data, error: null });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({
          state: 'error',
          data: null,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      },
    );
    return () => controller.abort();
  }, [key, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { result, retry };
}

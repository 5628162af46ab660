// The list of situations (for the switcher) and the one the user is looking at.
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import type { Situation } from '../api/types.ts';
import { type Loadable, useApi } from './useApi.ts';

interface SituationsContextValue {
  list: Loadable<{ items: Situation[] }>;
  retry: () => void;
  /** The slug of the situation the current page belongs to, if any. */
  current: string | null;
  setCurrent: (slug: string | null) => void;
}

const SituationsContext = createContext<SituationsContextValue | null>(null);

export function SituationsProvider({ children }: { children: ReactNode }) {
  const { result, retry } = useApi<{ items: Situation[] }>('/situations');
  const [current, setCurrent] = useState<string | null>(null);
  const value = useMemo(() => ({ list: result, retry, current, setCurrent }), [result, retry, current]);
  return <SituationsContext.Provider value={value}>{children}</SituationsContext.Provider>;
}

export function useSituations(): SituationsContextValue {
  const ctx = useContext(SituationsContext);
  if (!ctx) throw new Error('useSituations outside SituationsProvider');
  return ctx;
}

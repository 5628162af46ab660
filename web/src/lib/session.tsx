// The signed-in user and CSRF token, read from GET /auth/session and shared with the whole app.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, setCsrfToken } from '../api/client.ts';
import type { Session } from '../api/types.ts';

interface SessionContextValue {
  /** null until the first answer (or when the server could not be reached). */
  session: Session | null;
  loaded: boolean;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loaded, setLoaded] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const s = await api.get<Session>('/auth/session');
      setCsrfToken(s.csrfToken);
      setSession(s);
    } catch {
      setSession(null);
    } finally {
      setLoaded(true);
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post<void>('/auth/logout');
    } finally {
      await refresh();
    }
  }, [refresh]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ session, loaded, refresh, signOut }), [session, loaded, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

import { type FormEvent, useId, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';

/** Only same-site paths are followed after sign-in. */
function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next?.startsWith('/') || next.startsWith('//')) return '/';
  return next;
}

function loginError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('login.badCredentials');
    if (err.status === 429) return t('login.rateLimited');
    if (err.status === 400 && err.problem?.detail) return err.problem.detail;
  }
  return err instanceof Error ? errorMessage(err) : t('error.unexpected');
}

export default function LoginPage() {
  usePageTitle(t('login.title'));
  const { session, loaded, refresh } = useSession();
  const search = useSearch();
  const [, navigate] = useLocation();
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const errorRef = useRef<HTMLDivElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = t('login.emailRequired');
    if (!password) local.password = t('login.passwordRequired');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) {
      setError(t('login.fixErrors'));
      requestAnimationFrame(() => errorRef.current?.focus());
      return;
    }
    setBusy(true);
    try {
      await api.post<{ user: User; csrfToken: string }>('/auth/login', { email, password });
      await refresh();
      navigate(safeNext(search));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setFieldErrors(fields);
      setError(Object.keys(fields).length > 0 ? t('login.fixErrors') : loginError(err));
      setBusy(false);
      requestAnimationFrame(() => errorRef.current?.focus());
    }
  };

  return (
    <div className="page page-narrow">
      <PageHeading>{t('login.title')}</PageHeading>
      {loaded && session?.setupNeeded && (
        <div className="notice" role="note">
          <p>{t('login.setupNeeded')}</p>
          <pre>
            <code>{t('login.setupCommand')}</code>
          </pre>
        </div>
      )}
      {loaded && session?.user && (
        <p className="notice">
          {t('login.already', { email: session.user.email })}{' '}
          <Link href="/account">{t('login.toAccount')}</Link>
        </p>
      )}
      {error && (
        <div className="error-state" role="alert" tabIndex={-1} ref={errorRef}>
          <p>{error}</p>
        </div>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <Field id={`${id}-email`} label={t('login.email')} error={fieldErrors.email}>
          {(p) => (
            <input
              {...p}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field id={`${id}-password`} label={t('login.password')} error={fieldErrors.password}>
          {(p) => (
            <input
              {...p}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}

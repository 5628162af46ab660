import { type FormEvent, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { errorMessage, Loading } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';

function PasswordForm() {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const messageRef = useRef<HTMLDivElement>(null);

  const show = (m: { kind: 'ok' | 'error'; text: string }) => {
    setMessage(m);
    requestAnimationFrame(() => messageRef.current?.focus());
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    const local: Record<string, string> = {};
    if (!current) local.currentPassword = t('account.required');
    if (!next) local.newPassword = t('account.required');
    if (next !== confirm) local.confirm = t('account.mismatch');
    setFieldErrors(local);
    if (Object.keys(local).length > 0) {
      show({ kind: 'error', text: t('account.fixErrors') });
      return;
    }
    setBusy(true);
    try {
      await api.post<void>('/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      show({ kind: 'ok', text: t('account.changed') });
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setFieldErrors(fields);
      const text =
        Object.keys(fields).length > 0
          ? t('account.fixErrors')
          : err instanceof ApiError && err.status === 401
            ? t('account.wrongCurrent')
            : err instanceof ApiError && err.problem?.detail
              ? err.problem.detail
              : err instanceof Error
                ? errorMessage(err)
                : t('error.unexpected');
      show({ kind: 'error', text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="password-heading" className="section">
      <h2 id="password-heading">{t('account.passwordTitle')}</h2>
      {message && (
        <div
          ref={messageRef}
          tabIndex={-1}
          className={message.kind === 'ok' ? 'notice notice-ok' : 'error-state'}
          role={message.kind === 'ok' ? 'status' : 'alert'}
        >
          <p>{message.text}</p>
        </div>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <Field id={`${id}-current`} label={t('account.current')} error={fieldErrors.currentPassword}>
          {(p) => (
            <input
              {...p}
              type="password"
              name="currentPassword"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field id={`${id}-new`} label={t('account.new')} error={fieldErrors.newPassword}>
          {(p) => (
            <input
              {...p}
              type="password"
              name="newPassword"
              autoComplete="new-password"
              required
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          )}
        </Field>
        <Field id={`${id}-confirm`} label={t('account.confirm')} error={fieldErrors.confirm}>
          {(p) => (
            <input
              {...p}
              type="password"
              name="confirmPassword"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('account.saving') : t('account.submit')}
        </button>
      </form>
    </section>
  );
}

export default function AccountPage() {
  usePageTitle(t('account.title'));
  const { session, loaded, signOut } = useSession();
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState(false);
  if (!loaded) return <Loading />;
  const user = session?.user;
  if (!user) {
    return (
      <div className="page page-narrow">
        <PageHeading>{t('account.title')}</PageHeading>
        <p>
          {t('account.signedOut')} <Link href="/login?next=%2Faccount">{t('shell.signIn')}</Link>
        </p>
      </div>
    );
  }
  const out = async () => {
    setBusy(true);
    try {
      await signOut();
    } finally {
      setBusy(false);
    }
    navigate('/');
  };
  return (
    <div className="page page-narrow">
      <PageHeading>{t('account.title')}</PageHeading>
      <dl className="facts">
        <div>
          <dt>{t('account.email')}</dt>
          <dd>{user.email}</dd>
        </div>
        <div>
          <dt>{t('account.role')}</dt>
          <dd>{user.role}</dd>
        </div>
      </dl>
      <section aria-labelledby="organisations-heading" className="section">
        <h2 id="organisations-heading">{t('organisations.accountTitle')}</h2>
        {(session.organisations ?? []).length > 0 ? (
          <>
            <p>{t('organisations.accountIntro')}</p>
            <ul>
              {(session.organisations ?? []).map((o) => (
                <li key={o.slug}>
                  {o.name} <span className="muted">({o.slug})</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>{t('organisations.accountNone')}</p>
        )}
        {user.role === 'admin' && <p>{t('organisations.accountAdmin')}</p>}
      </section>
      <PasswordForm />
      <section aria-labelledby="signout-heading" className="section">
        <h2 id="signout-heading">{t('account.signOutTitle')}</h2>
        <button type="button" className="button button-secondary" onClick={out} disabled={busy}>
          {t('shell.signOut')}
        </button>
      </section>
    </div>
  );
}

// Organisations for administrators (`organisation.manage`, docs/organisations.md): every organisation with
// its numbers of members and situations and a form to create one at /admin/organisations; one organisation
// at /admin/organisations/:slug, to rename it, add and remove members, and see its situations and the
// history of its memberships. Everyone else is told they may not, and the API is not asked.
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { canManageOrganisations } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useApi } from '../lib/useApi.ts';
import {
  type Member,
  memberPath,
  ORGANISATIONS_PATH,
  type Organisation,
  type OrganisationDetail,
  organisationPagePath,
  organisationPath,
  type SituationOfOrganisation,
} from '../organisations/api.ts';

/**
 * useApi, plus refresh(): loads again and swaps the answer in place, without a loading state in between,
 * so that the forms around it keep their input and focus.
 */
function useRefreshable<T>(path: string) {
  const { result, retry } = useApi<T>(path);
  const [fresh, setFresh] = useState<{ path: string; data: T } | null>(null);
  const data = fresh?.path === path ? fresh.data : result.state === 'ready' ? result.data : null;
  const refresh = useCallback(async () => {
    setFresh({ path, data: await api.get<T>(path) });
  }, [path]);
  return { result, retry, data, refresh };
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * What a refused submission shows: the server's field errors beside their fields, a conflict (409, e.g. a
 * slug in use) beside the field it is about, anything else as one message for the whole form.
 */
function refusal(err: unknown, conflictField: string): { fields: Record<string, string>; message: string } {
  if (err instanceof ApiError) {
    const fields = err.fieldErrors();
    if (Object.keys(fields).length > 0) return { fields, message: t('organisations.fixErrors') };
    if (err.status === 409) {
      return {
        fields: { [conflictField]: capitalised(err.problem?.detail ?? err.message) },
        message: t('organisations.fixErrors'),
      };
    }
  }
  return { fields: {}, message: errorMessage(asError(err)) };
}

/** Moves focus to the first field marked invalid, once it is on screen. */
/** The live region every change on the page reports to; hidden while empty. */
function Done({ text }: { text: string }) {
  return (
    <p role="status" className="notice notice-ok form-done">
      {text}
    </p>
  );
}

function FormError({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="field-error" role="alert">
      {text}
    </p>
  );
}

/**
 * The submit of one of this page's forms: busy while the request runs, the server's refusal shown on its
 * fields (or on `conflictField` for a 409) and in the form's message, focus on the first invalid field.
 */
function useRefusableSubmit(conflictField: string, onStart: () => void, work: () => Promise<void>) {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Counts refusals; after each one is on the page (an effect runs after the render that shows it), the
  // first invalid field takes focus. A frame callback could run before that render and find none.
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    onStart();
    setErrors({});
    setFormError(null);
    setBusy(true);
    try {
      await work();
    } catch (err) {
      const { fields, message } = refusal(err, conflictField);
      setErrors(fields);
      setFormError(message);
      setRefusals((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  return { form, errors, formError, busy, submit };
}

/** The organisation's name, as the create and rename forms both ask for it. */
function NameField(props: {
  id: string;
  label: string;
  error: string | undefined;
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      {(p) => (
        <input
          {...p}
          type="text"
          name="name"
          required
          autoComplete="organization"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function CreateForm({
  onStart,
  onCreated,
}: {
  onStart: () => void;
  onCreated: (created: Organisation) => Promise<void>;
}) {
  const id = useId();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const { form, errors, formError, busy, submit } = useRefusableSubmit('slug', onStart, async () => {
    const created = await api.post<Organisation>(ORGANISATIONS_PATH, { slug: slug.trim(), name });
    setSlug('');
    setName('');
    await onCreated(created);
  });
  return (
    <section aria-labelledby={`${id}-heading`} className="section page-narrow">
      <h2 id={`${id}-heading`}>{t('organisations.create.heading')}</h2>
      <form ref={form} className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
        <FormError text={formError} />
        <Field
          id={`${id}-slug`}
          label={t('organisations.create.slug')}
          hint={t('organisations.create.slugHint')}
          error={errors.slug}
        >
          {(p) => (
            <input
              {...p}
              type="text"
              name="slug"
              required
              autoComplete="off"
              spellCheck={false}
              value={slug}
              onChange={(e) => setSlug(e.target.value)}
            />
          )}
        </Field>
        <NameField
          id={`${id}-name`}
          label={t('organisations.create.name')}
          error={errors.name}
          value={name}
          onChange={setName}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('organisations.create.submit')}
        </button>
      </form>
    </section>
  );
}

function OrganisationList() {
  usePageTitle(t('organisations.title'));
  const list = useRefreshable<{ items: Organisation[] }>(ORGANISATIONS_PATH);
  const [done, setDone] = useState('');
  const items = list.data?.items ?? null;
  const created = async (organisation: Organisation) => {
    setDone(t('organisations.create.done', { name: organisation.name, slug: organisation.slug }));
    try {
      await list.refresh();
    } catch {
      list.retry();
    }
  };
  return (
    <div className="page">
      <PageHeading>{t('organisations.title')}</PageHeading>
      <p className="lead">{t('organisations.lead')}</p>
      <Done text={done} />
      <section aria-labelledby="organisations-list-heading" className="section">
        <h2 id="organisations-list-heading">{t('organisations.listHeading')}</h2>
        {items === null && list.result.state === 'loading' && <Loading />}
        {items === null && list.result.state === 'error' && (
          <ErrorState error={list.result.error} onRetry={list.retry} />
        )}
        {items?.length === 0 && <p>{t('organisations.none')}</p>}
        {items && items.length > 0 && (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{tn('organisations.caption', items.length)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('organisations.col.name')}</th>
                  <th scope="col">{t('organisations.col.slug')}</th>
                  <th scope="col" className="num">
                    {t('organisations.col.members')}
                  </th>
                  <th scope="col" className="num">
                    {t('organisations.col.situations')}
                  </th>
                  <th scope="col">{t('organisations.col.created')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((o) => (
                  <tr key={o.slug}>
                    <th scope="row">
                      <Link href={organisationPagePath(o.slug)}>{o.name}</Link>
                    </th>
                    <td>
                      <code>{o.slug}</code>
                    </td>
                    <td className="num">{formatNumber(o.members)}</td>
                    <td className="num">{formatNumber(o.situations)}</td>
                    <td>{formatTimestamp(o.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CreateForm onStart={() => setDone('')} onCreated={created} />
    </div>
  );
}

function RenameForm({
  organisation,
  onStart,
  onRenamed,
}: {
  organisation: Organisation;
  onStart: () => void;
  onRenamed: (name: string) => Promise<void>;
}) {
  const id = useId();
  const [name, setName] = useState(organisation.name);
  useEffect(() => setName(organisation.name), [organisation.name]);
  const { form, errors, formError, busy, submit } = useRefusableSubmit('name', onStart, async () => {
    const renamed = await api.patch<Organisation>(organisationPath(organisation.slug), { name });
    await onRenamed(renamed.name);
  });
  return (
    <section aria-labelledby={`${id}-heading`} className="section">
      <h2 id={`${id}-heading`}>{t('organisations.rename.heading')}</h2>
      <form ref={form} className="inline-form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
        <FormError text={formError} />
        <NameField
          id={`${id}-name`}
          label={t('organisations.rename.label')}
          error={errors.name}
          value={name}
          onChange={setName}
        />
        <button type="submit" className="button button-secondary" disabled={busy}>
          {t('organisations.rename.submit')}
        </button>
      </form>
    </section>
  );
}

function AddMemberForm({
  slug,
  onStart,
  onAdded,
}: {
  slug: string;
  onStart: () => void;
  onAdded: (member: Member) => Promise<void>;
}) {
  const id = useId();
  const [email, setEmail] = useState('');
  const { form, errors, formError, busy, submit } = useRefusableSubmit('email', onStart, async () => {
    const added = await api.post<Member>(`${organisationPath(slug)}/members`, { email: email.trim() });
    setEmail('');
    await onAdded(added);
  });
  return (
    <form
      ref={form}
      className="form page-narrow"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-heading`}
    >
      <h3 id={`${id}-heading`}>{t('organisations.members.addHeading')}</h3>
      <FormError text={formError} />
      <Field
        id={`${id}-email`}
        label={t('organisations.members.addLabel')}
        hint={t('organisations.members.addHint')}
        error={errors.email}
      >
        {(p) => (
          <input
            {...p}
            type="email"
            name="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button" disabled={busy}>
        {t('organisations.members.addSubmit')}
      </button>
    </form>
  );
}

function Members({
  detail,
  onRemove,
}: {
  detail: OrganisationDetail;
  onRemove: (email: string) => Promise<void>;
}) {
  const [removing, setRemoving] = useState<string | null>(null);
  const { organisation, members } = detail;
  if (members.length === 0) return <p>{t('organisations.members.none')}</p>;
  const remove = async (email: string) => {
    setRemoving(email);
    try {
      await onRemove(email);
    } finally {
      setRemoving(null);
    }
  };
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{tn('organisations.members.caption', members.length, { name: organisation.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('organisations.members.email')}</th>
            <th scope="col">{t('organisations.members.role')}</th>
            <th scope="col">{t('organisations.members.since')}</th>
            <th scope="col">{t('organisations.members.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.email}>
              <th scope="row" className="break">
                {m.email}
              </th>
              <td>{m.role}</td>
              <td>{formatTimestamp(m.addedAt)}</td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  aria-label={t('organisations.members.removeNamed', { email: m.email })}
                  disabled={removing !== null}
                  onClick={() => void remove(m.email)}
                >
                  {t('organisations.members.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Situations({ slug }: { slug: string }) {
  const list = useApi<{ items: SituationOfOrganisation[] }>('/situations');
  if (list.result.state === 'loading') return <Loading />;
  if (list.result.state === 'error') return <ErrorState error={list.result.error} onRetry={list.retry} />;
  const mine = list.result.data.items.filter((s) => s.organisation === slug);
  if (mine.length === 0) return <p>{t('organisations.situations.none', { slug })}</p>;
  return (
    <ul className="plain-list">
      {mine.map((s) => (
        <li key={s.slug}>
          <Link href={`/s/${encodeURIComponent(s.slug)}`}>{s.name}</Link>{' '}
          <span className="badge">
            {s.visibility === 'private'
              ? t('organisations.situations.private')
              : t('organisations.situations.public')}
          </span>
        </li>
      ))}
    </ul>
  );
}

function History({ detail }: { detail: OrganisationDetail }) {
  const { history } = detail;
  if (history.length === 0) return <p>{t('organisations.history.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{tn('organisations.history.caption', history.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('organisations.history.at')}</th>
            <th scope="col">{t('organisations.history.email')}</th>
            <th scope="col">{t('organisations.history.change')}</th>
            <th scope="col">{t('organisations.history.by')}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={`${h.at}-${h.email}-${h.change}`}>
              <td>{formatTimestamp(h.at)}</td>
              <td className="break">{h.email}</td>
              <td>
                {h.change === 'added' ? t('organisations.history.added') : t('organisations.history.removed')}
              </td>
              <td className="break">{h.by}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OrganisationView({ slug }: { slug: string }) {
  const detail = useRefreshable<OrganisationDetail>(organisationPath(slug));
  const data = detail.data;
  const name = data?.organisation.name ?? slug;
  usePageTitle(`${name} · ${t('organisations.title')}`);
  const [done, setDone] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const membersHeading = useRef<HTMLHeadingElement>(null);

  /** A new submission: what the last one reported no longer applies. */
  const started = () => {
    setDone('');
    setFailure(null);
  };
  /** Reports a change in the live region, then shows the organisation as it now is. */
  const changed = async (text: string) => {
    setFailure(null);
    setDone(text);
    try {
      await detail.refresh();
    } catch (err) {
      setFailure(errorMessage(asError(err)));
    }
  };
  const removeMember = async (email: string) => {
    started();
    try {
      await api.delete(memberPath(slug, email));
    } catch (err) {
      setFailure(errorMessage(asError(err)));
      return;
    }
    await changed(t('organisations.members.removed', { email, name }));
    // The removed row's button is gone: focus goes back to the start of the members.
    membersHeading.current?.focus();
  };

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={organisationPagePath()}>{t('organisations.back')}</Link>
      </p>
      <PageHeading>{name}</PageHeading>
      <Done text={done} />
      <FormError text={failure} />
      {data === null && detail.result.state === 'loading' && <Loading />}
      {data === null && detail.result.state === 'error' && (
        <ErrorState error={detail.result.error} onRetry={detail.retry} />
      )}
      {data && (
        <>
          <dl className="facts" aria-label={t('organisations.facts')}>
            <div>
              <dt>{t('organisations.col.slug')}</dt>
              <dd>
                <code>{data.organisation.slug}</code>
              </dd>
            </div>
            <div>
              <dt>{t('organisations.col.created')}</dt>
              <dd>{formatTimestamp(data.organisation.createdAt)}</dd>
            </div>
            <div>
              <dt>{t('organisations.col.members')}</dt>
              <dd>{formatNumber(data.organisation.members)}</dd>
            </div>
            <div>
              <dt>{t('organisations.col.situations')}</dt>
              <dd>{formatNumber(data.organisation.situations)}</dd>
            </div>
          </dl>
          <RenameForm
            organisation={data.organisation}
            onStart={started}
            onRenamed={(renamed) => changed(t('organisations.rename.done', { name: renamed }))}
          />
          <section aria-labelledby="organisation-members-heading" className="section">
            <h2 id="organisation-members-heading" ref={membersHeading} tabIndex={-1}>
              {t('organisations.members.heading')}
            </h2>
            <Members detail={data} onRemove={removeMember} />
            <AddMemberForm
              slug={slug}
              onStart={started}
              onAdded={(member) => changed(t('organisations.members.added', { email: member.email, name }))}
            />
          </section>
          <section aria-labelledby="organisation-situations-heading" className="section">
            <h2 id="organisation-situations-heading">{t('organisations.situations.heading')}</h2>
            <Situations slug={slug} />
          </section>
          <section aria-labelledby="organisation-history-heading" className="section">
            <h2 id="organisation-history-heading">{t('organisations.history.heading')}</h2>
            <History detail={data} />
          </section>
        </>
      )}
    </div>
  );
}

export default function OrganisationsPage({ slug }: { slug?: string | undefined }) {
  const { session, loaded } = useSession();
  const [path] = useLocation();
  const user = session?.user ?? null;
  if (!loaded) return <Loading />;
  if (!user || !canManageOrganisations(user)) return <NotAllowed path={path} role={user?.role ?? null} />;
  return slug ? <OrganisationView slug={slug} /> : <OrganisationList />;
}

/** Signed out, or a role without `organisation.manage`: said plainly, without asking the API. */
function NotAllowed({ path, role }: { path: string; role: string | null }) {
  usePageTitle(t('organisations.title'));
  return (
    <div className="page page-narrow">
      <PageHeading>{t('organisations.title')}</PageHeading>
      {role === null ? (
        <p className="notice notice-info">
          {t('organisations.signedOut')}{' '}
          <Link href={`/login?next=${encodeURIComponent(path)}`}>{t('shell.signIn')}</Link>
        </p>
      ) : (
        <p className="notice notice-info">{t('organisations.notAllowed', { role })}</p>
      )}
    </div>
  );
}

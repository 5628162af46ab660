// Persons and entities of interest (sanctions.screen roles only): the lists loaded and their versions, the
// persons with their latest screening, a form to record one, and a form to screen pasted names.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { ListVersion, Person, ScreenResponse } from '../api/response.ts';
import type { Situation } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { canScreen } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';
import { ResponseNav } from '../response/ResponseNav.tsx';
import { MatchTable } from '../response/Screening.tsx';

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function ScreenForm() {
  const id = useId();
  const [names, setNames] = useState('');
  const [threshold, setThreshold] = useState('0.85');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ScreenResponse | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const list = lines(names);
    if (list.length === 0) {
      setError(t('screen.namesRequired'));
      return;
    }
    const th = Number(threshold);
    setBusy(true);
    setError(null);
    try {
      setResult(
        await api.post<ScreenResponse>('/sanctions/screen', {
          names: list,
          ...(th > 0 && th <= 1 ? { threshold: th } : {}),
        }),
      );
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form className="form" onSubmit={submit} noValidate>
        <Field
          id={`${id}-names`}
          label={t('screen.names')}
          hint={t('screen.namesHint')}
          error={error ?? undefined}
        >
          {(p) => <textarea {...p} rows={5} value={names} onChange={(e) => setNames(e.target.value)} />}
        </Field>
        <Field id={`${id}-threshold`} label={t('screen.threshold')} hint={t('screen.thresholdHint')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min="0.5"
              max="1"
              step="0.01"
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('screen.screening') : t('screen.submit')}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {result && <p className="note">{t('screen.summary', { threshold: result.threshold })}</p>}
      </div>
      {result?.results.map((r) => (
        <div key={r.name} className="screen-result">
          <h3>{r.name}</h3>
          {r.matches.length === 0 ? (
            <p>{t('screen.noMatch')}</p>
          ) : (
            <MatchTable
              matches={r.matches}
              caption={tn('screen.matchesFor', r.matches.length, { name: r.name })}
            />
          )}
        </div>
      ))}
    </>
  );
}

function PersonForm({ slug, onCreated }: { slug: string; onCreated: () => void }) {
  const id = useId();
  const [draft, setDraft] = useState({ kind: 'individual', name: '', aliases: '', role: '', source: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!draft.name.trim()) local.name = t('person.form.required');
    if (!draft.role.trim()) local.role = t('person.form.required');
    setErrors(local);
    setDone(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const person = await api.post<Person>(`/situations/${encodeURIComponent(slug)}/persons`, {
        kind: draft.kind,
        name: draft.name.trim(),
        aliases: lines(draft.aliases),
        role: draft.role.trim(),
        ...(draft.source.trim() ? { sources: [{ url: draft.source.trim() }] } : {}),
      });
      setDone(t('person.form.done', { name: person.name }));
      setDraft({ kind: 'individual', name: '', aliases: '', role: '', source: '' });
      onCreated();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const f = err.fieldErrors();
        setErrors({ ...f, form: errorMessage(err) });
      } else setErrors({ form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field id={`${id}-kind`} label={t('person.form.kind')}>
        {(p) => (
          <select {...p} value={draft.kind} onChange={set('kind')}>
            <option value="individual">{t('person.kind.individual')}</option>
            <option value="entity">{t('person.kind.entity')}</option>
          </select>
        )}
      </Field>
      <Field id={`${id}-name`} label={t('person.form.name')} error={errors.name}>
        {(p) => <input {...p} type="text" value={draft.name} onChange={set('name')} autoComplete="off" />}
      </Field>
      <Field
        id={`${id}-aliases`}
        label={t('person.form.aliases')}
        hint={t('person.form.aliasesHint')}
        error={errors.aliases}
      >
        {(p) => <textarea {...p} rows={2} value={draft.aliases} onChange={set('aliases')} />}
      </Field>
      <Field
        id={`${id}-role`}
        label={t('person.form.role')}
        hint={t('person.form.roleHint')}
        error={errors.role}
      >
        {(p) => <input {...p} type="text" value={draft.role} onChange={set('role')} />}
      </Field>
      <Field id={`${id}-source`} label={t('person.form.source')} error={errors['sources/0/url']}>
        {(p) => <input {...p} type="url" value={draft.source} onChange={set('source')} />}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {t('person.form.submit')}
      </button>
      <p role="status" className="form-done">
        {done}
      </p>
    </form>
  );
}

export default function PersonsPage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const enc = encodeURIComponent(slug);
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const allowed = canScreen(session?.user);
  const situation = useApi<Situation>(`/situations/${enc}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('persons.documentTitle', { name: sit.name }) : t('persons.title'));
  const persons = useApi<{ items: Person[] }>(allowed ? `/situations/${enc}/persons` : null);
  const lists = useApi<{ items: ListVersion[] }>('/sanctions/lists');
  const list = persons.result.state === 'ready' ? persons.result.data.items : null;
  const versions = lists.result.state === 'ready' ? lists.result.data.items : null;

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('persons.title')}</PageHeading>
      <p className="lead">{t('persons.lead')}</p>
      <ResponseNav slug={slug} />
      {!loaded && <Loading />}
      {loaded && !allowed && (
        <p className="notice">
          {session?.user ? t('persons.forbidden') : <Link href="/login">{t('persons.signIn')}</Link>}
        </p>
      )}
      {allowed && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('persons.figure.persons')} value={formatNumber(list?.length ?? 0)}>
              <a href="#persons-table">{t('persons.figure.tableSource')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('persons.figure.matched')}
              value={formatNumber(
                list?.filter((p) => (p.latestScreening?.matches.length ?? 0) > 0).length ?? 0,
              )}
            >
              <span className="figure-note">{t('persons.figure.matchedNote')}</span>
            </KeyFigure>
            {versions?.map((v) => (
              <KeyFigure
                key={v.id}
                text
                label={t(
                  v.source === 'un-consolidated'
                    ? 'screen.list.un'
                    : v.source === 'ofac-sdn'
                      ? 'screen.list.ofac'
                      : 'screen.list.other',
                  { source: v.source },
                )}
                value={tn('persons.figure.entries', v.entryCount)}
              >
                <span className="figure-note break">
                  {t('persons.figure.version', { version: v.version })}
                </span>
                <span className="figure-note">{v.loadedFrom}</span>
              </KeyFigure>
            ))}
          </dl>
          {versions && versions.length === 0 && <p className="note">{t('persons.noLists')}</p>}

          <section aria-labelledby="persons-table" className="section">
            <h2 id="persons-table" tabIndex={-1}>
              {t('persons.tableHeading')}
            </h2>
            {persons.result.state === 'loading' && <Loading />}
            {persons.result.state === 'error' && (
              <ErrorState error={persons.result.error} onRetry={persons.retry} />
            )}
            {list && list.length === 0 && <p>{t('persons.none')}</p>}
            {list && list.length > 0 && (
              <div className="table-wrap">
                <table className="data-table">
                  <caption>{tn('persons.tableCaption', list.length, { name: sit?.name ?? slug })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('persons.col.name')}</th>
                      <th scope="col">{t('persons.col.role')}</th>
                      <th scope="col" className="num">
                        {t('persons.col.incidents')}
                      </th>
                      <th scope="col">{t('persons.col.screening')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((p) => (
                      <tr key={p.id}>
                        <td>
                          <Link href={`/persons/${p.id}`}>{p.name}</Link>
                          {p.aliases.length > 0 && (
                            <>
                              <br />
                              <span className="muted small">
                                {t('persons.aliases', { aliases: p.aliases.join(', ') })}
                              </span>
                            </>
                          )}
                        </td>
                        <td>{p.role}</td>
                        <td className="num">{formatNumber(p.incidents.length)}</td>
                        <td>
                          {p.latestScreening
                            ? tn('persons.screened', p.latestScreening.matches.length, {
                                at: formatTimestamp(p.latestScreening.screenedAt),
                              })
                            : t('persons.notScreened')}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section aria-labelledby="screen-heading" className="section upload-box">
            <h2 id="screen-heading">{t('screen.heading')}</h2>
            <p className="note">{t('screen.caveat')}</p>
            <ScreenForm />
          </section>

          <section aria-labelledby="person-form-heading" className="section upload-box">
            <h2 id="person-form-heading">{t('person.form.heading')}</h2>
            <PersonForm slug={slug} onCreated={persons.retry} />
          </section>
        </>
      )}
    </div>
  );
}

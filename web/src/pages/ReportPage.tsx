// The public report form: a witness tells what happened, when (with its precision) and, if they wish, where
// (snapped to the precision they choose) and adds files. Sent anonymously: the request carries no cookie.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { API_BASE, ApiError } from '../api/client.ts';
import type { Problem, Situation } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

const PRECISIONS = ['none', 'region', 'town', 'approximate', 'exact'] as const;

interface Receipt {
  id: string;
  statementSha256: string;
  files: { name: string | null; sha256: string; size: number }[];
}

export default function ReportPage({ slug }: { slug: string }) {
  const id = useId();
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(t('report.title'));
  const [draft, setDraft] = useState({
    what: '',
    when: '',
    whenText: '',
    place: '',
    lat: '',
    lon: '',
    precision: 'none',
  });
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!draft.what.trim()) local.what = t('report.required');
    if (draft.when && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(draft.when)) local.when = t('report.whenFormat');
    if (draft.precision !== 'none' && (!draft.lat || !draft.lon) && !draft.place.trim())
      local.place = t('report.placeNeeded');
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const body = new FormData();
    body.set('what', draft.what.trim());
    if (draft.when) body.set('when', draft.when);
    if (draft.whenText.trim()) body.set('whenText', draft.whenText.trim());
    if (draft.place.trim()) body.set('place', draft.place.trim());
    if (draft.precision !== 'none' && draft.lat && draft.lon) {
      body.set('lat', draft.lat);
      body.set('lon', draft.lon);
    }
    body.set('precision', draft.precision);
    for (const f of files) body.append('file', f, f.name);
    setBusy(true);
    try {
      const res = await fetch(`${API_BASE}/situations/${encodeURIComponent(slug)}/reports`, {
        method: 'POST',
        body,
        credentials: 'omit',
        headers: { Accept: 'application/json' },
      });
      if (!res.ok) {
        const problem = (await res.json().catch(() => null)) as Problem | null;
        throw new ApiError(res.status, problem, problem?.detail ?? `HTTP ${res.status}`);
      }
      setReceipt((await res.json()) as Receipt);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page page-narrow">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(slug)}`}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('report.title')}</PageHeading>
      <div className="notice" id={`${id}-privacy`}>
        <p>{t('report.privacy')}</p>
      </div>
      {receipt ? (
        <div className="notice notice-ok" role="status">
          <p>{t('report.thanks')}</p>
          <p>
            {t('report.receipt')} <code className="break">{receipt.statementSha256}</code>
          </p>
        </div>
      ) : (
        <form className="form report-form" onSubmit={submit} noValidate aria-describedby={`${id}-privacy`}>
          <Field id={`${id}-what`} label={t('report.what')} hint={t('report.whatHint')} error={errors.what}>
            {(p) => <textarea {...p} rows={6} value={draft.what} onChange={set('what')} required />}
          </Field>
          <Field id={`${id}-when`} label={t('report.when')} hint={t('report.whenHint')} error={errors.when}>
            {(p) => (
              <input
                {...p}
                type="text"
                inputMode="numeric"
                value={draft.when}
                onChange={set('when')}
                placeholder="2023-09-19"
              />
            )}
          </Field>
          <Field id={`${id}-whenText`} label={t('report.whenText')} error={errors.whenText}>
            {(p) => <input {...p} type="text" value={draft.whenText} onChange={set('whenText')} />}
          </Field>
          <Field id={`${id}-precision`} label={t('report.precision')} hint={t('report.precisionHint')}>
            {(p) => (
              <select {...p} value={draft.precision} onChange={set('precision')}>
                {PRECISIONS.map((v) => (
                  <option key={v} value={v}>
                    {t(`report.precision.${v}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {draft.precision !== 'none' && (
            <>
              <Field id={`${id}-place`} label={t('report.place')} error={errors.place}>
                {(p) => <input {...p} type="text" value={draft.place} onChange={set('place')} />}
              </Field>
              <Field id={`${id}-lat`} label={t('report.lat')} error={errors.lat}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    step="any"
                    min="-90"
                    max="90"
                    value={draft.lat}
                    onChange={set('lat')}
                  />
                )}
              </Field>
              <Field id={`${id}-lon`} label={t('report.lon')} error={errors.lon}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    step="any"
                    min="-180"
                    max="180"
                    value={draft.lon}
                    onChange={set('lon')}
                  />
                )}
              </Field>
            </>
          )}
          <Field id={`${id}-files`} label={t('report.files')} hint={t('report.filesHint')}>
            {(p) => (
              <input
                {...p}
                type="file"
                multiple
                onChange={(e) => setFiles([...(e.target.files ?? [])].slice(0, 5))}
              />
            )}
          </Field>
          {errors.form && (
            <p className="field-error" role="alert">
              {errors.form}
            </p>
          )}
          <button type="submit" className="button" disabled={busy}>
            {busy ? t('report.sending') : t('report.submit')}
          </button>
        </form>
      )}
    </div>
  );
}

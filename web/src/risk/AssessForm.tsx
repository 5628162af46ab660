// The analyst's forms: start a dated assessment (optionally from the latest one's marks), and mark an
// indicator of an assessment (status and note). Plain form controls, so the whole path works by keyboard.
import { type FormEvent, useId, useMemo, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import {
  type Assessment,
  type AssessmentWithFactors,
  type Framework,
  MARK_STATUSES,
  type MarkStatus,
} from '../api/risk.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import { levelLabel } from './levels.ts';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function CreateAssessment({
  slug,
  latest,
  onCreated,
}: {
  slug: string;
  latest: AssessmentWithFactors | null;
  onCreated: (a: Assessment) => void;
}) {
  const id = useId();
  const [date, setDate] = useState(today());
  const [title, setTitle] = useState('');
  const [copy, setCopy] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      setErrors({ assessedOn: t('risk.form.dateFormat') });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const body = {
        assessedOn: date,
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(copy && latest ? { copyFrom: latest.id } : {}),
      };
      onCreated(await api.post<Assessment>(`/situations/${encodeURIComponent(slug)}/assessments`, body));
      setTitle('');
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('risk.form.create')}</h3>
      <div className="form-row">
        <Field id={`${id}-date`} label={t('risk.form.date')} error={errors.assessedOn}>
          {(p) => (
            <input {...p} type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
          )}
        </Field>
        <Field id={`${id}-title`} label={t('risk.form.title')}>
          {(p) => <input {...p} type="text" value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
      </div>
      {latest && (
        <div className="field field-inline">
          <input
            id={`${id}-copy`}
            type="checkbox"
            checked={copy}
            onChange={(e) => setCopy(e.target.checked)}
          />
          <label htmlFor={`${id}-copy`}>
            {t('risk.form.copyFrom', { date: formatDate(latest.assessedOn) })}
          </label>
        </div>
      )}
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {t('risk.form.createSubmit')}
      </button>
    </form>
  );
}

function MarkIndicator({
  slug,
  assessments,
  selected,
  onSelect,
  onMarked,
}: {
  slug: string;
  assessments: AssessmentWithFactors[];
  selected: string;
  onSelect: (id: string) => void;
  onMarked: () => void;
}) {
  const id = useId();
  const framework = useApi<Framework>('/risk/framework');
  const fw = framework.result.state === 'ready' ? framework.result.data : null;
  const current = useApi<Assessment>(
    selected ? `/situations/${encodeURIComponent(slug)}/assessments/${selected}` : null,
  );
  const marks = useMemo(
    () =>
      new Map(
        current.result.state === 'ready'
          ? current.result.data.marks.map((m) => [m.indicator, m] as const)
          : [],
      ),
    [current.result],
  );
  const [indicator, setIndicator] = useState('');
  const [status, setStatus] = useState<MarkStatus>('present');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const choose = (value: string) => {
    setIndicator(value);
    const m = marks.get(value);
    setStatus(m && m.status !== 'unknown' ? m.status : 'present');
    setNote(m?.note ?? '');
    setDone('');
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!indicator) {
      setErrors({ indicator: t('risk.form.chooseIndicator') });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api.patch(`/situations/${encodeURIComponent(slug)}/assessments/${selected}`, {
        marks: [{ indicator, status, note }],
      });
      setDone(t('risk.form.marked', { indicator, status: levelLabel(status) }));
      current.retry();
      onMarked();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const sorted = [...assessments].sort((a, b) => b.assessedOn.localeCompare(a.assessedOn));
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('risk.form.mark')}</h3>
      <Field id={`${id}-assessment`} label={t('risk.form.assessment')}>
        {(p) => (
          <select {...p} value={selected} onChange={(e) => onSelect(e.target.value)}>
            {sorted.map((a) => (
              <option key={a.id} value={a.id}>
                {formatDate(a.assessedOn)}
                {a.title ? ` — ${a.title}` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${id}-indicator`} label={t('risk.form.indicator')} error={errors.indicator}>
        {(p) => (
          <select {...p} value={indicator} onChange={(e) => choose(e.target.value)}>
            <option value="">{t('risk.form.chooseIndicator')}</option>
            {fw?.factors.map((f) => (
              <optgroup key={f.number} label={`${f.number}. ${f.title}`}>
                {f.indicators.map((i) => {
                  const m = marks.get(i.id);
                  return (
                    <option key={i.id} value={i.id}>
                      {i.id} {i.text.length > 90 ? `${i.text.slice(0, 89)}…` : i.text}
                      {m && m.status !== 'unknown' ? ` (${levelLabel(m.status)})` : ''}
                    </option>
                  );
                })}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="fieldset">
        <legend>{t('risk.form.status')}</legend>
        <div className="radio-row">
          {MARK_STATUSES.map((s) => (
            <div key={s} className="field field-inline">
              <input
                type="radio"
                id={`${id}-s-${s}`}
                name={`${id}-status`}
                value={s}
                checked={status === s}
                onChange={() => setStatus(s)}
              />
              <label htmlFor={`${id}-s-${s}`}>{levelLabel(s)}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <Field id={`${id}-note`} label={t('risk.form.note')} hint={t('risk.form.noteHint')}>
        {(p) => <textarea {...p} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy || !selected}>
        {t('risk.form.markSubmit')}
      </button>
      <p role="status" className="status-ok">
        {done}
      </p>
    </form>
  );
}

export function AssessForm({
  slug,
  assessments,
  onChanged,
}: {
  slug: string;
  assessments: AssessmentWithFactors[];
  onChanged: () => void;
}) {
  const latest = assessments.length > 0 ? (assessments[assessments.length - 1] ?? null) : null;
  const [selected, setSelected] = useState<string>('');
  const chosen = selected || latest?.id || '';
  return (
    <div className="assess-forms">
      <CreateAssessment
        slug={slug}
        latest={latest}
        onCreated={(a) => {
          setSelected(a.id);
          onChanged();
        }}
      />
      {assessments.length > 0 && (
        <MarkIndicator
          slug={slug}
          assessments={assessments}
          selected={chosen}
          onSelect={setSelected}
          onMarked={onChanged}
        />
      )}
    </div>
  );
}

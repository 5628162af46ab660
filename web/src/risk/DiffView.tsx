// Compare two assessments: pick an earlier and a later one, and see every indicator whose status, note or
// links changed (with the direction), and the risk factors whose level changed.
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { AssessmentDiff, AssessmentWithFactors } from '../api/risk.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { levelLabel } from './levels.ts';

export function DiffView({ slug, assessments }: { slug: string; assessments: AssessmentWithFactors[] }) {
  const id = useId();
  const label = (a: AssessmentWithFactors) => `${formatDate(a.assessedOn)}${a.title ? ` — ${a.title}` : ''}`;
  const [from, setFrom] = useState(assessments[assessments.length - 2]?.id ?? '');
  const [to, setTo] = useState(assessments[assessments.length - 1]?.id ?? '');
  const [diff, setDiff] = useState<AssessmentDiff | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDiff(
        await api.get<AssessmentDiff>(
          `/situations/${encodeURIComponent(slug)}/assessments/diff?from=${from}&to=${to}`,
        ),
      );
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const select = (key: string, text: string, value: string, set: (v: string) => void) => (
    <Field id={`${id}-${key}`} label={text}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => set(e.target.value)}>
          {assessments.map((a) => (
            <option key={a.id} value={a.id}>
              {label(a)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const direction = (d: string) => t(`riskui.diff.direction.${d}` as 'riskui.diff.direction.up');
  return (
    <div>
      <form className="form" onSubmit={submit} aria-labelledby={`${id}-h`}>
        <h3 id={`${id}-h`}>{t('riskui.diff.pick')}</h3>
        <div className="form-row">
          {select('from', t('riskui.diff.from'), from, setFrom)}
          {select('to', t('riskui.diff.to'), to, setTo)}
        </div>
        <button type="submit" className="button" disabled={busy || !from || !to}>
          {t('riskui.diff.submit')}
        </button>
      </form>
      {error && <ErrorState error={error} />}
      {diff && (
        <div aria-live="polite">
          <p>
            {tn('riskui.diff.summary', diff.changes.length, {
              from: formatDate(diff.from.assessedOn),
              to: formatDate(diff.to.assessedOn),
            })}
          </p>
          {diff.factors.length > 0 && (
            <ul>
              {diff.factors.map((f) => (
                <li key={f.factor}>
                  {t('riskui.diff.factor', {
                    factor: f.factor,
                    title: f.title,
                    from: levelLabel(f.from),
                    to: levelLabel(f.to),
                  })}
                </li>
              ))}
            </ul>
          )}
          {diff.changes.length > 0 && (
            <div className="table-wrap">
              <table className="data-table">
                <caption>{t('riskui.diff.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('risk.form.indicator')}</th>
                    <th scope="col">{t('riskui.diff.before')}</th>
                    <th scope="col">{t('riskui.diff.after')}</th>
                    <th scope="col">{t('riskui.diff.change')}</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.changes.map((c) => (
                    <tr key={c.indicator}>
                      <th scope="row">{c.indicator}</th>
                      <td>{levelLabel(c.from)}</td>
                      <td>{levelLabel(c.to)}</td>
                      <td>
                        {direction(c.direction)}
                        {c.noteChanged ? `; ${t('riskui.diff.noteChanged')}` : ''}
                        {c.linksAdded.incidents.length + c.linksAdded.items.length > 0
                          ? `; ${t('riskui.diff.linksAdded', { n: c.linksAdded.incidents.length + c.linksAdded.items.length })}`
                          : ''}
                        {c.linksRemoved.incidents.length + c.linksRemoved.items.length > 0
                          ? `; ${t('riskui.diff.linksRemoved', { n: c.linksRemoved.incidents.length + c.linksRemoved.items.length })}`
                          : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

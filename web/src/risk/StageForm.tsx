// The analyst's form to record a dated observation of one of the ten stages, with the incident and evidence
// items it rests on (checked by the server: they must belong to the situation).
import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import type { StageLadder, StageObservation } from '../api/risk.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function StageForm({
  slug,
  ladder,
  onRecorded,
}: {
  slug: string;
  ladder: StageLadder;
  onRecorded: () => void;
}) {
  const id = useId();
  const enc = encodeURIComponent(slug);
  const incidents = useApi<{ items: { id: string; title: string; start: string }[] }>(
    `/situations/${enc}/incidents?limit=100`,
  );
  const [stage, setStage] = useState('');
  const [observedOn, setObservedOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [note, setNote] = useState('');
  const [incident, setIncident] = useState('');
  const [items, setItems] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const itemIds = items
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const bad: Record<string, string> = {};
    if (!stage) bad.stage = t('riskui.stage.chooseStage');
    if (!DATE.test(observedOn)) bad.observedOn = t('risk.form.dateFormat');
    if (endsOn && !DATE.test(endsOn)) bad.endsOn = t('risk.form.dateFormat');
    if (!note.trim()) bad.note = t('riskui.stage.noteRequired');
    if (itemIds.some((i) => !UUID.test(i))) bad.items = t('riskui.stage.itemsRule');
    setErrors(bad);
    setDone('');
    if (Object.keys(bad).length > 0) return;
    setBusy(true);
    try {
      const created = await api.post<StageObservation>(`/situations/${enc}/stages`, {
        stage,
        observedOn,
        ...(endsOn ? { endsOn } : {}),
        note: note.trim(),
        ...(incident ? { incidents: [incident] } : {}),
        ...(itemIds.length ? { items: itemIds } : {}),
      });
      const name = ladder.stages.find((s) => s.id === created.stage)?.name ?? created.stage;
      setDone(t('riskui.stage.recorded', { stage: name, date: formatDate(created.observedOn) }));
      setNote('');
      setItems('');
      onRecorded();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('riskui.stage.heading')}</h3>
      <Field id={`${id}-stage`} label={t('riskui.stage.stage')} error={errors.stage}>
        {(p) => (
          <select {...p} value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="">{t('riskui.stage.chooseStage')}</option>
            {ladder.stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.order}. {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form-row">
        <Field id={`${id}-on`} label={t('riskui.stage.observedOn')} error={errors.observedOn}>
          {(p) => (
            <input {...p} type="date" value={observedOn} onChange={(e) => setObservedOn(e.target.value)} />
          )}
        </Field>
        <Field id={`${id}-ends`} label={t('riskui.stage.endsOn')} error={errors.endsOn}>
          {(p) => <input {...p} type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} />}
        </Field>
      </div>
      <Field
        id={`${id}-note`}
        label={t('riskui.stage.note')}
        error={errors.note}
        hint={t('risk.form.noteHint')}
      >
        {(p) => <textarea {...p} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <Field id={`${id}-incident`} label={t('riskui.stage.incident')} error={errors['(body).incidents']}>
        {(p) => (
          <select {...p} value={incident} onChange={(e) => setIncident(e.target.value)}>
            <option value="">{t('riskui.stage.noIncident')}</option>
            {incidents.result.state === 'ready' &&
              incidents.result.data.items.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.title}
                </option>
              ))}
          </select>
        )}
      </Field>
      <Field
        id={`${id}-items`}
        label={t('riskui.stage.items')}
        hint={t('riskui.stage.itemsHint')}
        error={errors.items ?? errors['(body).items']}
      >
        {(p) => <input {...p} type="text" value={items} onChange={(e) => setItems(e.target.value)} />}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {t('riskui.stage.submit')}
      </button>
      <p role="status" className="small">
        {done}
      </p>
    </form>
  );
}

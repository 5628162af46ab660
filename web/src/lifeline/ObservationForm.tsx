// A signed-in documenter (analyst, admin) records one observation of what crossed a route. The server
// checks and converts it (unknown units, negative quantities, an end before the start, a truckload without
// its tonnage, a period overlapping the same series); each refusal is shown beside its field.
import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import type { LifelineObservation, User } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { formatNumber, t } from '../i18n/index.ts';

const LIFELINE_WRITERS = new Set(['documenter', 'analyst', 'admin']);

/** lifeline.write (src/auth/permissions.ts), mirrored only to decide whether to show the form. */
export function canWriteLifeline(user: User | null | undefined): boolean {
  return Boolean(user && LIFELINE_WRITERS.has(user.role));
}

const COMMODITIES = ['food', 'fuel', 'medicine', 'goods', 'cargo', 'people', 'vehicles'] as const;
const UNITS = ['t', 'kg', 'truckloads', 'l', 'm3', 'persons', 'vehicles'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Values {
  periodStart: string;
  periodEnd: string;
  route: string;
  commodity: string;
  quantity: string;
  unit: string;
  tonnesPerTruckload: string;
  carriers: string;
  direction: string;
  confidence: string;
  sourceUrl: string;
  outlet: string;
  note: string;
}

const EMPTY: Values = {
  periodStart: '',
  periodEnd: '',
  route: '',
  commodity: 'food',
  quantity: '',
  unit: 't',
  tonnesPerTruckload: '',
  carriers: '',
  direction: 'in',
  confidence: 'medium',
  sourceUrl: '',
  outlet: '',
  note: '',
};

/** Checks in the browser what needs no server (required fields, number and URL shapes). */
function check(v: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!DATE.test(v.periodStart)) errors.periodStart = t('lifeline.form.dateRequired');
  if (v.periodEnd && !DATE.test(v.periodEnd)) errors.periodEnd = t('lifeline.form.dateFormat');
  if (v.quantity.trim() === '' || !Number.isFinite(Number(v.quantity)))
    errors.quantity = t('lifeline.form.quantityNumber');
  if (!v.unit.trim()) errors.unit = t('lifeline.form.unitRequired');
  if (v.tonnesPerTruckload.trim() && !Number.isFinite(Number(v.tonnesPerTruckload)))
    errors.tonnesPerTruckload = t('lifeline.form.quantityNumber');
  if (!/^https?:\/\/\S+$/.test(v.sourceUrl.trim())) errors.sourceUrl = t('lifeline.form.sourceRequired');
  return errors;
}

/** Server field names (observations.0.unit, observations.0.sources.0.url) → the form's fields. */
function formErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(fields)) {
    const field = name.replace(/^observations\.0\.?/, '');
    const key = field.startsWith('sources') ? (field.endsWith('outlet') ? 'outlet' : 'sourceUrl') : field;
    if (!key || !(key in EMPTY)) out.form = out.form ? `${out.form} ${message}` : message;
    else out[key] ??= message;
  }
  return out;
}

export function ObservationForm({ slug, onRecorded }: { slug: string; onRecorded: () => void }) {
  const id = useId();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const set =
    (name: keyof Values) =>
    (e: { target: { value: string } }): void =>
      setValues((v) => ({ ...v, [name]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    const local = check(values);
    setErrors(local);
    if (Object.keys(local).length) return;
    const v = values;
    const observation = {
      periodStart: v.periodStart,
      ...(v.periodEnd ? { periodEnd: v.periodEnd } : {}),
      ...(v.route.trim() ? { route: v.route.trim() } : {}),
      commodity: v.commodity,
      quantity: Number(v.quantity),
      unit: v.unit.trim(),
      ...(v.tonnesPerTruckload.trim() ? { tonnesPerTruckload: Number(v.tonnesPerTruckload) } : {}),
      carriers: v.carriers
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      direction: v.direction,
      confidence: v.confidence,
      ...(v.note.trim() ? { note: v.note.trim() } : {}),
      sources: [{ url: v.sourceUrl.trim(), ...(v.outlet.trim() ? { outlet: v.outlet.trim() } : {}) }],
    };
    setBusy(true);
    try {
      const res = await api.post<{ items: LifelineObservation[] }>(
        `/situations/${encodeURIComponent(slug)}/lifeline/observations`,
        { observations: [observation] },
      );
      const o = res.items[0];
      setValues(EMPTY);
      setErrors({});
      if (o)
        setDone(
          t('lifeline.form.recorded', {
            quantity: formatNumber(o.quantity),
            unit: o.unit,
            commodity: o.commodity,
            period: o.periodStart === o.periodEnd ? o.periodStart : `${o.periodStart} – ${o.periodEnd}`,
          }) + (o.conversion ? ` (${o.conversion})` : ''),
        );
      onRecorded();
    } catch (err) {
      const fields = err instanceof ApiError ? formErrors(err.fieldErrors()) : {};
      setErrors({
        ...fields,
        form:
          fields.form ??
          (Object.keys(fields).length
            ? t('lifeline.form.fixFields')
            : errorMessage(err instanceof Error ? err : new Error(String(err)))),
      });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof Values, label: string, type = 'text', hint?: string) => (
    <Field id={`${id}-${name}`} label={label} error={errors[name]} {...(hint ? { hint } : {})}>
      {(p) => (
        <input
          {...p}
          name={name}
          type={type}
          value={values[name]}
          onChange={set(name)}
          {...(type === 'number' ? { step: 'any' } : {})}
        />
      )}
    </Field>
  );
  const select = (
    name: keyof Values,
    label: string,
    options: readonly string[],
    labelOf: (o: string) => string,
  ) => (
    <Field id={`${id}-${name}`} label={label} error={errors[name]}>
      {(p) => (
        <select {...p} name={name} value={values[name]} onChange={set(name)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {labelOf(o)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <form className="form lifeline-form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('lifeline.form.heading')}</h2>
      <p className="note">{t('lifeline.form.lead')}</p>
      <div className="form-row">
        {field('periodStart', t('lifeline.form.periodStart'), 'date')}
        {field('periodEnd', t('lifeline.form.periodEnd'), 'date', t('lifeline.form.periodEndHint'))}
        {field('route', t('lifeline.form.route'), 'text', t('lifeline.form.routeHint'))}
      </div>
      <div className="form-row">
        {select('commodity', t('lifeline.form.commodity'), COMMODITIES, (c) =>
          t(`lifeline.form.commodity.${c}` as 'lifeline.form.commodity.food'),
        )}
        {field('quantity', t('lifeline.form.quantity'), 'number')}
        <Field
          id={`${id}-unit`}
          label={t('lifeline.form.unit')}
          error={errors.unit}
          hint={t('lifeline.form.unitHint')}
        >
          {(p) => (
            <>
              <input
                {...p}
                name="unit"
                type="text"
                list={`${id}-units`}
                value={values.unit}
                onChange={set('unit')}
              />
              <datalist id={`${id}-units`}>
                {UNITS.map((u) => (
                  <option key={u} value={u} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        {field(
          'tonnesPerTruckload',
          t('lifeline.form.tonnesPerTruckload'),
          'number',
          t('lifeline.form.tonnesHint'),
        )}
      </div>
      <div className="form-row">
        {field('carriers', t('lifeline.form.carriers'), 'text', t('lifeline.form.carriersHint'))}
        {select('direction', t('lifeline.form.direction'), ['in', 'out', 'both'], (d) =>
          t(`lifeline.form.direction.${d}` as 'lifeline.form.direction.in'),
        )}
        {select('confidence', t('lifeline.form.confidence'), ['high', 'medium', 'low'], (c) =>
          t(`lifeline.form.confidence.${c}` as 'lifeline.form.confidence.high'),
        )}
      </div>
      <div className="form-row">
        {field('sourceUrl', t('lifeline.form.sourceUrl'), 'url')}
        {field('outlet', t('lifeline.form.outlet'))}
      </div>
      <Field id={`${id}-note`} label={t('lifeline.form.note')} error={errors.note}>
        {(p) => <textarea {...p} name="note" rows={2} value={values.note} onChange={set('note')} />}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <p role="status" className="form-status">
        {done}
      </p>
      <button type="submit" className="button" disabled={busy}>
        {busy ? t('lifeline.form.saving') : t('lifeline.form.submit')}
      </button>
    </form>
  );
}

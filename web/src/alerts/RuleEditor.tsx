// The rule editor: a situation's rules (enable or disable each), and a form to create or change one, with
// fields per kind. "Preview" asks the server what the draft would have fired on past data (nothing is
// stored); a refused rule shows the server's reason on the field it names.
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tMaybe, tn } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import { type AlertRule, type Episode, RULE_KINDS, type RuleKind, SEVERITIES, type Severity } from './api.ts';
import { EvidenceList, SeverityBadge } from './Inbox.tsx';
import { kindLabel, severityLabel } from './labels.ts';

type ParamType = 'number' | 'integer' | 'text' | 'list' | 'intlist' | { options: string[] };
interface ParamField {
  name: string;
  type: ParamType;
  optional?: boolean;
}

/** The parameters of each kind (docs/alerts.md); the server validates them again. */
export const KIND_FIELDS: Record<RuleKind, ParamField[]> = {
  'lifeline.coverage_below': [
    { name: 'threshold', type: 'number' },
    { name: 'minDays', type: 'integer' },
  ],
  'lifeline.utility_cut': [
    { name: 'utility', type: { options: ['gas', 'electricity', 'internet'] } },
    { name: 'minDays', type: 'integer' },
  ],
  'lifeline.full_closure': [],
  'incidents.spike': [
    { name: 'category', type: 'text' },
    { name: 'factor', type: 'number' },
    { name: 'minCount', type: 'integer' },
    { name: 'baselineDays', type: 'integer', optional: true },
  ],
  'measure.status_change': [
    { name: 'statuses', type: 'list', optional: true },
    { name: 'categories', type: 'list', optional: true },
  ],
  'coordination.community': [
    { name: 'minSize', type: 'integer' },
    { name: 'minFlagged', type: 'integer', optional: true },
  ],
  'risk.factor_change': [
    { name: 'change', type: { options: ['rise', 'any'] } },
    { name: 'factors', type: 'intlist', optional: true },
  ],
  'reports.pending': [{ name: 'waitingDays', type: 'integer', optional: true }],
};

/** Form text → a parameter value. A malformed number is sent as typed, so the server names the field. */
function toValue(type: ParamType, text: string): unknown {
  const trimmed = text.trim();
  if (typeof type === 'object' || type === 'text') return trimmed;
  if (type === 'list' || type === 'intlist') {
    const parts = trimmed
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    return type === 'intlist' ? parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p)) : parts;
  }
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

interface Draft {
  id: string | null;
  name: string;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  public: boolean;
  params: Record<string, string>;
}

const EMPTY: Draft = {
  id: null,
  name: '',
  kind: 'lifeline.coverage_below',
  severity: 'warning',
  enabled: true,
  public: false,
  params: {},
};

function parametersOf(draft: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of KIND_FIELDS[draft.kind]) {
    const text = draft.params[f.name] ?? '';
    if (f.optional && text.trim() === '') continue;
    out[f.name] = toValue(f.type, text);
  }
  return out;
}

function fromRule(rule: AlertRule): Draft {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.parameters)) params[k] = toText(v);
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled,
    public: rule.public,
    params,
  };
}

function summary(rule: AlertRule): string {
  const entries = Object.entries(rule.parameters);
  return entries.length ? entries.map(([k, v]) => `${k}: ${toText(v)}`).join('; ') : '—';
}

function Preview({ episodes, slug }: { episodes: Episode[]; slug: string }) {
  return (
    <section aria-labelledby="alerts-preview-heading" className="alerts-preview" aria-live="polite">
      <h3 id="alerts-preview-heading">{tn('alerts.rules.previewCount', episodes.length)}</h3>
      {episodes.length === 0 ? (
        <p>{t('alerts.rules.previewNone')}</p>
      ) : (
        <ol className="plain-list alerts-preview-list">
          {episodes.map((e) => (
            <li key={e.key}>
              <p>
                <strong>{formatDate(e.firedOn)}</strong> — {e.title}
                {e.endedOn ? ` (${t('alerts.rules.previewEnded', { date: formatDate(e.endedOn) })})` : ''}
              </p>
              <EvidenceList alert={{ evidence: e.evidence, situationSlug: slug }} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function RuleForm({
  slug,
  initial,
  onSaved,
  onCancel,
}: {
  slug: string;
  initial: Draft;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asOf, setAsOf] = useState('');
  const [preview, setPreview] = useState<Episode[] | null>(null);
  const base = `/situations/${encodeURIComponent(slug)}/alert-rules`;
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPreview(null);
  };
  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 400 && e.problem?.errors?.length) {
      setErrors(e.fieldErrors());
      setFormError(t('alerts.rules.invalid'));
    } else setFormError(errorMessage(e instanceof Error ? e : new Error(String(e))));
  };
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await work();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () =>
    run(async () => {
      const res = await api.post<{ episodes: Episode[] }>(`${base}/preview${asOf ? `?asOf=${asOf}` : ''}`, {
        kind: draft.kind,
        parameters: parametersOf(draft),
        severity: draft.severity,
        ...(draft.name ? { name: draft.name } : {}),
      });
      setPreview(res.episodes);
    });
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const common = {
        name: draft.name,
        parameters: parametersOf(draft),
        severity: draft.severity,
        enabled: draft.enabled,
        public: draft.public,
      };
      if (draft.id) await api.patch(`${base}/${draft.id}`, common);
      else await api.post(base, { ...common, kind: draft.kind });
      onSaved();
    });
  };
  const fieldId = (name: string) => `alerts-rule-${name}`;
  return (
    <form className="form alerts-rule-form" onSubmit={save} noValidate>
      <h3>
        {draft.id ? t('alerts.rules.editHeading', { name: initial.name }) : t('alerts.rules.newHeading')}
      </h3>
      {formError && (
        <p className="notice notice-warning" role="alert">
          {formError}
        </p>
      )}
      <Field id={fieldId('name')} label={t('alerts.rules.name')} error={errors.name}>
        {(p) => (
          <input
            {...p}
            type="text"
            required
            maxLength={200}
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        )}
      </Field>
      <Field
        id={fieldId('kind')}
        label={t('alerts.rules.kind')}
        error={errors.kind}
        hint={draft.id ? t('alerts.rules.kindFixed') : undefined}
      >
        {(p) => (
          <select
            {...p}
            value={draft.kind}
            disabled={Boolean(draft.id)}
            onChange={(e) => set({ kind: e.target.value as RuleKind, params: {} })}
          >
            {RULE_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="field-hint">{t(`alerts.kindHelp.${draft.kind}`)}</p>
      {KIND_FIELDS[draft.kind].length > 0 && (
        <fieldset className="fieldset">
          <legend>{t('alerts.rules.parameters')}</legend>
          {KIND_FIELDS[draft.kind].map((f) => {
            const label = `${tMaybe(`alerts.param.${f.name}`, f.name)}${f.optional ? ` ${t('alerts.rules.optional')}` : ''}`;
            const value = draft.params[f.name] ?? '';
            const change = (v: string) => set({ params: { ...draft.params, [f.name]: v } });
            return (
              <Field
                key={f.name}
                id={fieldId(f.name)}
                label={label}
                error={errors[`parameters.${f.name}`]}
                hint={tMaybe(`alerts.paramHint.${f.name}`, '')}
              >
                {(p) =>
                  typeof f.type === 'object' ? (
                    <select {...p} value={value} onChange={(e) => change(e.target.value)}>
                      <option value="">{t('alerts.rules.choose')}</option>
                      {f.type.options.map((o) => (
                        <option key={o} value={o}>
                          {tMaybe(`alerts.option.${o}`, o)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...p}
                      type="text"
                      inputMode={f.type === 'number' ? 'decimal' : f.type === 'integer' ? 'numeric' : 'text'}
                      value={value}
                      onChange={(e) => change(e.target.value)}
                    />
                  )
                }
              </Field>
            );
          })}
          {errors.parameters && <p className="field-error">{errors.parameters}</p>}
        </fieldset>
      )}
      <Field id={fieldId('severity')} label={t('alerts.rules.severity')} error={errors.severity}>
        {(p) => (
          <select
            {...p}
            value={draft.severity}
            onChange={(e) => set({ severity: e.target.value as Severity })}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="field field-inline">
        <input
          id={fieldId('enabled')}
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
        />
        <label htmlFor={fieldId('enabled')}>{t('alerts.rules.enabled')}</label>
      </div>
      <div className="field field-inline">
        <input
          id={fieldId('public')}
          type="checkbox"
          checked={draft.public}
          onChange={(e) => set({ public: e.target.checked })}
        />
        <label htmlFor={fieldId('public')}>{t('alerts.rules.public')}</label>
      </div>
      <div className="alerts-preview-controls">
        <Field id={fieldId('asOf')} label={t('alerts.rules.asOf')} hint={t('alerts.rules.asOfHint')}>
          {(p) => <input {...p} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />}
        </Field>
        <button type="button" className="button button-secondary" disabled={busy} onClick={doPreview}>
          {t('alerts.rules.preview')}
        </button>
      </div>
      {busy && <Loading label={t('alerts.rules.working')} />}
      {preview && <Preview episodes={preview} slug={slug} />}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {draft.id ? t('alerts.rules.save') : t('alerts.rules.create')}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t('alerts.rules.cancel')}
        </button>
      </div>
    </form>
  );
}

export function RuleEditor({ slug }: { slug: string }) {
  const list = useApi<{ items: AlertRule[] }>(`/situations/${encodeURIComponent(slug)}/alert-rules`);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [toggleError, setToggleError] = useState<string | null>(null);
  const toggle = async (rule: AlertRule) => {
    setToggleError(null);
    try {
      await api.patch(`/situations/${encodeURIComponent(slug)}/alert-rules/${rule.id}`, {
        enabled: !rule.enabled,
      });
      list.retry();
    } catch (e) {
      setToggleError(errorMessage(e instanceof Error ? e : new Error(String(e))));
    }
  };
  return (
    <section aria-labelledby="alerts-rules-heading" className="section">
      <h2 id="alerts-rules-heading">{t('alerts.rules.heading')}</h2>
      <p className="lead">{t('alerts.rules.lead')}</p>
      {saved && (
        <p className="notice notice-ok" role="status">
          {saved}
        </p>
      )}
      {toggleError && (
        <p className="notice notice-warning" role="alert">
          {toggleError}
        </p>
      )}
      {list.result.state === 'loading' && <Loading />}
      {list.result.state === 'error' && <ErrorState error={list.result.error} onRetry={list.retry} />}
      {list.result.state === 'ready' &&
        (list.result.data.items.length === 0 ? (
          <p>{t('alerts.rules.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{tn('alerts.rules.caption', list.result.data.items.length)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('alerts.rules.name')}</th>
                  <th scope="col">{t('alerts.rules.kind')}</th>
                  <th scope="col">{t('alerts.rules.parameters')}</th>
                  <th scope="col">{t('alerts.rules.severity')}</th>
                  <th scope="col">{t('alerts.rules.state')}</th>
                  <th scope="col">{t('alerts.rules.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {list.result.data.items.map((r) => (
                  <tr key={r.id}>
                    <td className="col-title">{r.name}</td>
                    <td>{kindLabel(r.kind)}</td>
                    <td>{summary(r)}</td>
                    <td>
                      <SeverityBadge severity={r.severity} />
                    </td>
                    <td>
                      {r.enabled ? t('alerts.rules.on') : t('alerts.rules.off')}
                      {r.public ? ` · ${t('alerts.rules.publicShort')}` : ''}
                    </td>
                    <td className="nowrap">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setEditing(fromRule(r))}
                        aria-label={t('alerts.rules.editNamed', { name: r.name })}
                      >
                        {t('alerts.rules.edit')}
                      </button>{' '}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => toggle(r)}
                        aria-label={t(r.enabled ? 'alerts.rules.disableNamed' : 'alerts.rules.enableNamed', {
                          name: r.name,
                        })}
                      >
                        {r.enabled ? t('alerts.rules.disable') : t('alerts.rules.enable')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {editing ? (
        <RuleForm
          key={editing.id ?? 'new'}
          slug={slug}
          initial={editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setSaved(editing.id ? t('alerts.rules.savedChange') : t('alerts.rules.savedNew'));
            setEditing(null);
            list.retry();
          }}
        />
      ) : (
        <button
          type="button"
          className="button"
          onClick={() => {
            setSaved(null);
            setEditing(EMPTY);
          }}
        >
          {t('alerts.rules.new')}
        </button>
      )}
    </section>
  );
}

// The organiser's form to start a campaign in a situation or to change one: the ask, its channels (letters
// with merge fields, call scripts by position, the petition), its targets by rule (committee, chamber, a
// state's delegation, the supporter's own delegation) and by hand (an official search), and its status.
// The server validates (unknown merge fields, unknown officials, a slug taken): its errors are shown on the
// fields they name.
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, query } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { useApi } from '../lib/useApi.ts';
import {
  type CallScripts,
  type Campaign,
  type Committee,
  MERGE_FIELDS,
  type Official,
  SCRIPT_KEYS,
  type Target,
  type TargetRule,
} from './api.ts';
import { US_STATES } from './states.ts';

type RuleKind = 'committee' | 'chamber' | 'state' | 'delegation';
const RULE_KINDS: RuleKind[] = ['committee', 'chamber', 'state', 'delegation'];
const CHAMBERS = ['senate', 'house', 'executive'];

interface RuleDraft {
  key: number;
  kind: RuleKind;
  committee: string;
  chamber: string;
  state: string;
}

interface Chosen {
  id: string;
  name: string;
  detail: string;
}

const describe = (o: Official) =>
  [o.title, o.party, [o.state, o.district].filter((x) => x !== null && x !== '').join('-')]
    .filter(Boolean)
    .join(' · ');

const slugify = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');

function toDraft(rule: TargetRule, key: number): RuleDraft {
  const draft: RuleDraft = { key, kind: 'delegation', committee: '', chamber: '', state: '' };
  if ('committee' in rule) return { ...draft, kind: 'committee', committee: rule.committee };
  if ('delegation' in rule) return draft;
  if ('state' in rule) return { ...draft, kind: 'state', state: rule.state, chamber: rule.chamber ?? '' };
  return { ...draft, kind: 'chamber', chamber: rule.chamber };
}

function toRule(d: RuleDraft): TargetRule {
  if (d.kind === 'committee') return { committee: d.committee };
  if (d.kind === 'chamber') return { chamber: d.chamber };
  if (d.kind === 'state') return d.chamber ? { state: d.state, chamber: d.chamber } : { state: d.state };
  return { delegation: true };
}

/** Server field names (`callScripts.default`, `targetRules.0.committee`) to this form's error keys. */
function fieldKey(field: string): string {
  const path = field.replaceAll('/', '.');
  const rule = /^targetRules\.(\d+)/.exec(path);
  if (rule) return `targetRules.${rule[1]}`;
  if (path.startsWith('targetOfficials')) return 'targetOfficials';
  if (path.startsWith('targetRules')) return 'targetRules';
  return path;
}

export function CampaignForm({
  situation,
  campaign,
  onSaved,
  onCancel,
}: {
  situation: string;
  /** The campaign to change; none: start a new one. */
  campaign?: Campaign;
  onSaved: (saved: Campaign) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const editing = campaign !== undefined;
  const nextKey = useRef(0);
  const [slug, setSlug] = useState(campaign?.slug ?? '');
  const [slugTouched, setSlugTouched] = useState(editing);
  const [title, setTitle] = useState(campaign?.title ?? '');
  const [ask, setAsk] = useState(campaign?.ask ?? '');
  const [status, setStatus] = useState<Campaign['status']>(campaign?.status ?? 'active');
  const [letters, setLetters] = useState(campaign ? campaign.letterTemplate !== '' : true);
  const [letterSubject, setLetterSubject] = useState(
    campaign?.letterSubject ?? t('campaigns.form.letterSubjectStarter'),
  );
  const [letterTemplate, setLetterTemplate] = useState(
    campaign ? campaign.letterTemplate : t('campaigns.form.letterStarter'),
  );
  const [calls, setCalls] = useState(
    campaign ? Object.values(campaign.callScripts ?? {}).some((s) => s?.trim()) : true,
  );
  const [scripts, setScripts] = useState<CallScripts>(
    campaign?.callScripts ?? { default: t('campaigns.form.scriptStarter') },
  );
  const [petition, setPetition] = useState(campaign ? campaign.petitionText !== null : false);
  const [petitionText, setPetitionText] = useState(campaign?.petitionText ?? '');
  const [rules, setRules] = useState<RuleDraft[]>(() =>
    (campaign?.targetRules ?? []).map((r) => toDraft(r, nextKey.current++)),
  );
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<Official[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const committees = useApi<{ items: Committee[] }>('/committees');

  // The hand-picked targets of a campaign being changed, with their names (its targets list has them all).
  useEffect(() => {
    if (!campaign?.targetOfficials.length) return;
    let live = true;
    api.get<{ items: Target[] }>(`/campaigns/${encodeURIComponent(campaign.slug)}/targets`).then(
      (res) => {
        if (!live) return;
        const byId = new Map(res.items.map((x) => [x.official.id, x.official]));
        setChosen(
          campaign.targetOfficials.map((oid) => {
            const o = byId.get(oid);
            return { id: oid, name: o?.name ?? oid, detail: o ? describe(o) : '' };
          }),
        );
      },
      (err: Error) => live && setErrors((e) => ({ ...e, targetOfficials: errorMessage(err) })),
    );
    return () => {
      live = false;
    };
  }, [campaign]);

  const setRule = (key: number, change: Partial<RuleDraft>) =>
    setRules((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const runSearch = async () => {
    if (!search.trim()) return;
    setSearching(true);
    try {
      const res = await api.get<{ items: Official[] }>(`/officials${query({ q: search.trim(), limit: 20 })}`);
      setFound(res.items);
    } catch (err) {
      setErrors((e) => ({ ...e, targetOfficials: errorMessage(err as Error) }));
    } finally {
      setSearching(false);
    }
  };
  const searchOnEnter = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    void runSearch();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!editing && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) local.slug = t('campaigns.form.slugInvalid');
    if (!title.trim()) local.title = t('campaigns.form.required');
    if (!ask.trim()) local.ask = t('campaigns.form.required');
    if (letters && !letterTemplate.trim()) local.letterTemplate = t('campaigns.form.letterRequired');
    if (calls && !Object.values(scripts).some((s) => s?.trim()))
      local['callScripts.default'] = t('campaigns.form.scriptRequired');
    if (petition && !petitionText.trim()) local.petitionText = t('campaigns.form.petitionRequired');
    rules.forEach((r, i) => {
      if ((r.kind === 'committee' && !r.committee) || (r.kind === 'chamber' && !r.chamber.trim()))
        local[`targetRules.${i}`] = t('campaigns.form.ruleIncomplete');
      if (r.kind === 'state' && !r.state) local[`targetRules.${i}`] = t('campaigns.form.ruleIncomplete');
    });
    setErrors(local);
    if (Object.keys(local).length) return;
    const body = {
      title: title.trim(),
      ask: ask.trim(),
      status,
      targetRules: rules.map(toRule),
      targetOfficials: chosen.map((c) => c.id),
      letterSubject: letters ? letterSubject : '',
      letterTemplate: letters ? letterTemplate : '',
      callScripts: calls
        ? Object.fromEntries(Object.entries(scripts).filter(([, text]) => text?.trim()))
        : {},
      petitionText: petition ? petitionText : null,
    };
    setBusy(true);
    try {
      const saved = editing
        ? await api.patch<Campaign>(`/campaigns/${encodeURIComponent(campaign.slug)}`, body)
        : await api.post<Campaign>(`/situations/${encodeURIComponent(situation)}/campaigns`, {
            slug,
            ...body,
          });
      onSaved(saved);
    } catch (err) {
      const fields: Record<string, string> = {};
      if (err instanceof ApiError) {
        for (const [field, message] of Object.entries(err.fieldErrors())) {
          const key = fieldKey(field);
          fields[key] ??= message;
        }
        if (err.status === 409) fields.slug = t('campaigns.form.slugTaken');
      }
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const committeeList = committees.result.state === 'ready' ? committees.result.data.items : [];
  const ruleErrors = Object.keys(errors).some((k) => k.startsWith('targetRules.'));
  return (
    <form className="form campaign-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{editing ? t('campaigns.form.editTitle') : t('campaigns.form.newTitle')}</h2>
      <Field id={`${id}-name`} label={t('campaigns.form.title')} error={errors.title}>
        {(p) => (
          <input
            {...p}
            type="text"
            value={title}
            maxLength={300}
            onChange={(e) => {
              setTitle(e.target.value);
              if (!slugTouched) setSlug(slugify(e.target.value));
            }}
          />
        )}
      </Field>
      {!editing && (
        <Field
          id={`${id}-slug`}
          label={t('campaigns.form.slug')}
          hint={t('campaigns.form.slugHint')}
          error={errors.slug}
        >
          {(p) => (
            <input
              {...p}
              type="text"
              value={slug}
              maxLength={80}
              onChange={(e) => {
                setSlugTouched(true);
                setSlug(e.target.value);
              }}
            />
          )}
        </Field>
      )}
      <Field
        id={`${id}-ask`}
        label={t('campaigns.form.ask')}
        hint={t('campaigns.form.askHint')}
        error={errors.ask}
      >
        {(p) => (
          <textarea {...p} rows={2} value={ask} maxLength={2000} onChange={(e) => setAsk(e.target.value)} />
        )}
      </Field>
      <Field id={`${id}-status`} label={t('campaigns.form.status')} error={errors.status}>
        {(p) => (
          <select {...p} value={status} onChange={(e) => setStatus(e.target.value as Campaign['status'])}>
            {(['active', 'closed', 'draft'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`campaigns.form.statusOption.${s}`)}
              </option>
            ))}
          </select>
        )}
      </Field>

      <fieldset className="campaign-fieldset">
        <legend>{t('campaigns.form.targets')}</legend>
        <p className="field-hint">{t('campaigns.form.targetsHint')}</p>
        {errors.targetRules && <p className="field-error">{errors.targetRules}</p>}
        <ol className="campaign-rules">
          {rules.map((r, i) => (
            <li key={r.key} className="campaign-rule">
              <div className="form-row">
                <Field id={`${id}-rule-${r.key}`} label={t('campaigns.form.ruleKind', { n: i + 1 })}>
                  {(p) => (
                    <select
                      {...p}
                      value={r.kind}
                      onChange={(e) => setRule(r.key, { kind: e.target.value as RuleKind })}
                    >
                      {RULE_KINDS.map((k) => (
                        <option key={k} value={k}>
                          {t(`campaigns.form.rule.${k}`)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                {r.kind === 'committee' && (
                  <Field
                    id={`${id}-rule-${r.key}-committee`}
                    label={t('campaigns.form.committee')}
                    error={errors[`targetRules.${i}`]}
                  >
                    {(p) => (
                      <select
                        {...p}
                        value={r.committee}
                        onChange={(e) => setRule(r.key, { committee: e.target.value })}
                      >
                        <option value="">{t('campaigns.form.chooseCommittee')}</option>
                        {r.committee && !committeeList.some((c) => c.code === r.committee) && (
                          <option value={r.committee}>{r.committee}</option>
                        )}
                        {committeeList.map((c) => (
                          <option key={c.code} value={c.code}>
                            {`${c.code}: ${c.name}`}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                )}
                {r.kind === 'chamber' && (
                  <Field
                    id={`${id}-rule-${r.key}-chamber`}
                    label={t('campaigns.form.chamber')}
                    hint={t('campaigns.form.chamberHint')}
                    error={errors[`targetRules.${i}`]}
                  >
                    {(p) => (
                      <input
                        {...p}
                        type="text"
                        list={`${id}-chambers`}
                        value={r.chamber}
                        onChange={(e) => setRule(r.key, { chamber: e.target.value })}
                      />
                    )}
                  </Field>
                )}
                {r.kind === 'state' && (
                  <>
                    <Field
                      id={`${id}-rule-${r.key}-state`}
                      label={t('campaigns.form.state')}
                      error={errors[`targetRules.${i}`]}
                    >
                      {(p) => (
                        <select
                          {...p}
                          value={r.state}
                          onChange={(e) => setRule(r.key, { state: e.target.value })}
                        >
                          <option value="">{t('campaigns.form.chooseState')}</option>
                          {US_STATES.map(([code, name]) => (
                            <option key={code} value={code}>
                              {name}
                            </option>
                          ))}
                        </select>
                      )}
                    </Field>
                    <Field id={`${id}-rule-${r.key}-state-chamber`} label={t('campaigns.form.stateChamber')}>
                      {(p) => (
                        <select
                          {...p}
                          value={r.chamber}
                          onChange={(e) => setRule(r.key, { chamber: e.target.value })}
                        >
                          <option value="">{t('campaigns.form.bothChambers')}</option>
                          <option value="senate">{t('campaigns.form.chamberName.senate')}</option>
                          <option value="house">{t('campaigns.form.chamberName.house')}</option>
                        </select>
                      )}
                    </Field>
                  </>
                )}
                {r.kind === 'delegation' && (
                  <p className="field-hint campaign-rule-note">{t('campaigns.form.delegationHint')}</p>
                )}
              </div>
              <button
                type="button"
                className="button button-small button-secondary"
                onClick={() => setRules((rs) => rs.filter((x) => x.key !== r.key))}
              >
                {t('campaigns.form.removeRule', { n: i + 1 })}
              </button>
            </li>
          ))}
        </ol>
        {ruleErrors && rules.length === 0 && (
          <p className="field-error">{t('campaigns.form.ruleIncomplete')}</p>
        )}
        <datalist id={`${id}-chambers`}>
          {CHAMBERS.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={() =>
            setRules((rs) => [
              ...rs,
              { key: nextKey.current++, kind: 'committee', committee: '', chamber: '', state: '' },
            ])
          }
        >
          {t('campaigns.form.addRule')}
        </button>

        <h3 className="campaign-subheading">{t('campaigns.form.byHand')}</h3>
        {errors.targetOfficials && <p className="field-error">{errors.targetOfficials}</p>}
        {chosen.length > 0 ? (
          <ul className="campaign-chosen">
            {chosen.map((c) => (
              <li key={c.id}>
                <span>
                  {c.name} <span className="muted small">{c.detail}</span>
                </span>
                <button
                  type="button"
                  className="button button-small button-secondary"
                  onClick={() => setChosen((cs) => cs.filter((x) => x.id !== c.id))}
                >
                  {t('campaigns.form.removeOfficial', { name: c.name })}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('campaigns.form.noneByHand')}</p>
        )}
        <div className="form-row campaign-search">
          <Field
            id={`${id}-search`}
            label={t('campaigns.form.searchOfficials')}
            hint={t('campaigns.form.searchHint')}
          >
            {(p) => (
              <input
                {...p}
                type="search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                onKeyDown={searchOnEnter}
              />
            )}
          </Field>
          <button
            type="button"
            className="button button-secondary"
            disabled={searching}
            onClick={() => void runSearch()}
          >
            {t('campaigns.form.search')}
          </button>
        </div>
        {found && (
          <>
            <p className="result-count" role="status">
              {found.length === 0
                ? t('campaigns.form.noOfficialFound')
                : t('campaigns.form.officialsFound', { count: found.length })}
            </p>
            <ul className="campaign-found">
              {found.map((o) => {
                const taken = chosen.some((c) => c.id === o.id);
                return (
                  <li key={o.id}>
                    <span>
                      {o.name} <span className="muted small">{describe(o)}</span>
                    </span>
                    <button
                      type="button"
                      className="button button-small"
                      disabled={taken}
                      onClick={() =>
                        setChosen((cs) => [...cs, { id: o.id, name: o.name, detail: describe(o) }])
                      }
                    >
                      {taken ? t('campaigns.form.added') : t('campaigns.form.addOfficial', { name: o.name })}
                    </button>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </fieldset>

      <fieldset className="campaign-fieldset">
        <legend>{t('campaigns.form.channels')}</legend>
        <label className="campaign-check">
          <input type="checkbox" checked={letters} onChange={(e) => setLetters(e.target.checked)} />{' '}
          {t('campaigns.form.channel.letters')}
        </label>
        {letters && (
          <div className="campaign-channel">
            <details className="campaign-merge-help">
              <summary>{t('campaigns.form.mergeHelp')}</summary>
              <p className="field-hint">{t('campaigns.form.mergeHelpText')}</p>
              <ul className="campaign-merge-fields">
                {MERGE_FIELDS.map((f) => (
                  <li key={f}>
                    <code>{`{{${f}}}`}</code>{' '}
                    {t(`campaigns.form.merge.${f}` as 'campaigns.form.merge.official.name')}
                  </li>
                ))}
              </ul>
            </details>
            <Field
              id={`${id}-subject`}
              label={t('campaigns.form.letterSubject')}
              error={errors.letterSubject}
            >
              {(p) => (
                <input
                  {...p}
                  type="text"
                  value={letterSubject}
                  maxLength={300}
                  onChange={(e) => setLetterSubject(e.target.value)}
                />
              )}
            </Field>
            <Field
              id={`${id}-letter`}
              label={t('campaigns.form.letterTemplate')}
              hint={t('campaigns.form.letterHint')}
              error={errors.letterTemplate}
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={8}
                  value={letterTemplate}
                  onChange={(e) => setLetterTemplate(e.target.value)}
                />
              )}
            </Field>
          </div>
        )}
        <label className="campaign-check">
          <input type="checkbox" checked={calls} onChange={(e) => setCalls(e.target.checked)} />{' '}
          {t('campaigns.form.channel.calls')}
        </label>
        {calls && (
          <div className="campaign-channel">
            <p className="field-hint">{t('campaigns.form.scriptsHint')}</p>
            {SCRIPT_KEYS.map((key) => (
              <Field
                key={key}
                id={`${id}-script-${key}`}
                label={t(`campaigns.form.script.${key}`)}
                error={errors[`callScripts.${key}`]}
              >
                {(p) => (
                  <textarea
                    {...p}
                    rows={key === 'default' ? 4 : 2}
                    value={scripts[key] ?? ''}
                    onChange={(e) => setScripts((s) => ({ ...s, [key]: e.target.value }))}
                  />
                )}
              </Field>
            ))}
          </div>
        )}
        <label className="campaign-check">
          <input type="checkbox" checked={petition} onChange={(e) => setPetition(e.target.checked)} />{' '}
          {t('campaigns.form.channel.petition')}
        </label>
        {petition && (
          <div className="campaign-channel">
            <Field id={`${id}-petition`} label={t('campaigns.form.petitionText')} error={errors.petitionText}>
              {(p) => (
                <textarea
                  {...p}
                  rows={3}
                  value={petitionText}
                  onChange={(e) => setPetitionText(e.target.value)}
                />
              )}
            </Field>
          </div>
        )}
      </fieldset>

      {errors.form ? (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      ) : (
        Object.keys(errors).length > 0 && (
          <p className="field-error" role="alert">
            {t('campaigns.form.correct')}
          </p>
        )
      )}
      <p className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy
            ? t('campaigns.form.saving')
            : editing
              ? t('campaigns.form.saveChanges')
              : t('campaigns.form.create')}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t('campaigns.form.cancel')}
          </button>
        )}
      </p>
    </form>
  );
}

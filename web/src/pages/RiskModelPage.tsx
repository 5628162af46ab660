// The statistical risk model in the browser (analysts and admins): upload a country-year panel, choose its
// columns, horizon and years, run a backtest and/or a forecast as a background job with visible progress,
// then read the results: metrics, the ROC curve and recall at k (SVG with their tables), the ranking with
// each predictor's contribution, and the downloads. The chosen run is in the address (?run=…), and its
// state lives on the server, so a reload shows it again.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { API_BASE, ApiError, api, getCsrfToken } from '../api/client.ts';
import type { ModelMetrics, ModelPanel, ModelRun } from '../api/risk.ts';
import { Field } from '../components/Form.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatNumber, t, tMaybe } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useApi } from '../lib/useApi.ts';
import { RecallChart, RocChart } from '../risk/ModelCharts.tsx';

// analysis.run (src/auth/permissions.ts): only to decide what to show; the server decides.
const RUNNERS = new Set(['analyst', 'admin']);

function UploadPanel({ onUploaded }: { onUploaded: (p: ModelPanel) => void }) {
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ModelPanel | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setError(t('riskModel.upload.required'));
      fileRef.current?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    setDone(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const csrf = getCsrfToken();
      const res = await fetch(`${API_BASE}/risk/model/panels`, {
        method: 'POST',
        body: form,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const problem = body as { detail?: string; errors?: { message: string }[] } | null;
        throw new ApiError(
          res.status,
          null,
          problem?.errors?.[0]?.message ?? problem?.detail ?? `HTTP ${res.status}`,
        );
      }
      setDone(body as ModelPanel);
      onUploaded(body as ModelPanel);
      if (fileRef.current) fileRef.current.value = '';
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('riskModel.upload.heading')}</h2>
      <p className="note">{t('riskModel.upload.help')}</p>
      <Field id={`${id}-file`} label={t('riskModel.upload.file')} error={error}>
        {(p) => <input {...p} ref={fileRef} type="file" accept=".csv,text/csv" />}
      </Field>
      <button type="submit" className="button" disabled={busy}>
        {busy ? t('riskModel.upload.sending') : t('riskModel.upload.submit')}
      </button>
      <p role="status" className="small">
        {done &&
          t('riskModel.upload.done', { name: done.fileName, rows: done.rows, columns: done.columns.length })}
      </p>
    </form>
  );
}

function RunForm({
  panels,
  panelId,
  onPanel,
  onQueued,
}: {
  panels: ModelPanel[];
  panelId: string;
  onPanel: (id: string) => void;
  onQueued: (run: ModelRun) => void;
}) {
  const id = useId();
  const panel = panels.find((p) => p.id === panelId) ?? null;
  const cols = panel?.columns ?? [];
  const [unit, setUnit] = useState('');
  const [time, setTime] = useState('');
  const [outcome, setOutcome] = useState('');
  const [horizon, setHorizon] = useState('2');
  const [doBacktest, setDoBacktest] = useState(true);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [doForecast, setDoForecast] = useState(true);
  const [at, setAt] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  // Sensible first guesses when the panel changes: the first three columns are unit, time and outcome in
  // most panels. Set while rendering, not in an effect: an effect runs after a first render in which the
  // selects would show their first column instead of the guess.
  const loadedPanel = panel?.id ?? '';
  const [guessedFor, setGuessedFor] = useState('');
  if (guessedFor !== loadedPanel) {
    setGuessedFor(loadedPanel);
    setUnit(cols[0] ?? '');
    setTime(cols.includes('year') ? 'year' : (cols[1] ?? ''));
    setOutcome(cols[2] ?? '');
  }
  const year = (v: string) => /^\d{4}$/.test(v.trim());
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const bad: Record<string, string> = {};
    if (!panel) bad.panelId = t('riskModel.run.choosePanel');
    if (!/^\d{1,2}$/.test(horizon) || Number(horizon) < 1) bad.horizon = t('riskModel.run.horizonRule');
    if (doBacktest && !year(from)) bad['backtest.from'] = t('riskModel.run.yearRule');
    if (doBacktest && !year(to)) bad['backtest.to'] = t('riskModel.run.yearRule');
    if (doForecast && at.trim() && !year(at)) bad['forecast.at'] = t('riskModel.run.yearRule');
    if (!doBacktest && !doForecast) bad.backtest = t('riskModel.run.chooseOne');
    setErrors(bad);
    if (Object.keys(bad).length > 0) return;
    setBusy(true);
    try {
      const run = await api.post<ModelRun>('/risk/model/runs', {
        panelId,
        unit,
        time,
        outcome,
        horizon: Number(horizon),
        backtest: doBacktest ? { from: Number(from), to: Number(to) } : null,
        forecast: doForecast ? { at: at.trim() ? Number(at) : null } : null,
      });
      onQueued(run);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const select = (key: string, label: string, value: string, set: (v: string) => void) => (
    <Field id={`${id}-${key}`} label={label} error={errors[key]}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => set(e.target.value)}>
          {cols.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('riskModel.run.heading')}</h2>
      <Field id={`${id}-panel`} label={t('riskModel.run.panel')} error={errors.panelId}>
        {(p) => (
          <select {...p} value={panelId} onChange={(e) => onPanel(e.target.value)}>
            <option value="">{t('riskModel.run.choosePanel')}</option>
            {panels.map((pn) => (
              <option key={pn.id} value={pn.id}>
                {t('riskModel.run.panelOption', {
                  name: pn.fileName,
                  rows: pn.rows,
                  date: formatTimestamp(pn.createdAt),
                })}
              </option>
            ))}
          </select>
        )}
      </Field>
      {panel && (
        <>
          <div className="form-row">
            {select('unit', t('riskModel.run.unit'), unit, setUnit)}
            {select('time', t('riskModel.run.time'), time, setTime)}
            {select('outcome', t('riskModel.run.outcome'), outcome, setOutcome)}
          </div>
          <p className="field-hint">{t('riskModel.run.predictorsNote')}</p>
          <Field
            id={`${id}-horizon`}
            label={t('riskModel.run.horizon')}
            error={errors.horizon}
            hint={t('riskModel.run.horizonHint')}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={20}
                value={horizon}
                onChange={(e) => setHorizon(e.target.value)}
              />
            )}
          </Field>
          <fieldset className="fieldset">
            <legend>{t('riskModel.run.what')}</legend>
            <div className="field field-inline">
              <input
                id={`${id}-bt`}
                type="checkbox"
                checked={doBacktest}
                onChange={(e) => setDoBacktest(e.target.checked)}
              />
              <label htmlFor={`${id}-bt`}>{t('riskModel.run.backtest')}</label>
            </div>
            {doBacktest && (
              <div className="form-row">
                <Field id={`${id}-from`} label={t('riskModel.run.from')} error={errors['backtest.from']}>
                  {(p) => (
                    <input
                      {...p}
                      type="text"
                      inputMode="numeric"
                      value={from}
                      onChange={(e) => setFrom(e.target.value)}
                    />
                  )}
                </Field>
                <Field id={`${id}-to`} label={t('riskModel.run.to')} error={errors['backtest.to']}>
                  {(p) => (
                    <input
                      {...p}
                      type="text"
                      inputMode="numeric"
                      value={to}
                      onChange={(e) => setTo(e.target.value)}
                    />
                  )}
                </Field>
              </div>
            )}
            <div className="field field-inline">
              <input
                id={`${id}-fc`}
                type="checkbox"
                checked={doForecast}
                onChange={(e) => setDoForecast(e.target.checked)}
              />
              <label htmlFor={`${id}-fc`}>{t('riskModel.run.forecast')}</label>
            </div>
            {doForecast && (
              <Field
                id={`${id}-at`}
                label={t('riskModel.run.at')}
                error={errors['forecast.at']}
                hint={t('riskModel.run.atHint')}
              >
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    inputMode="numeric"
                    value={at}
                    onChange={(e) => setAt(e.target.value)}
                  />
                )}
              </Field>
            )}
            {errors.backtest && <p className="field-error">{errors.backtest}</p>}
          </fieldset>
        </>
      )}
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy || !panel}>
        {t('riskModel.run.submit')}
      </button>
    </form>
  );
}

// The server keeps results as JSON, whose keys need not come back in order.
const MODEL_ORDER = ['ensemble', 'elastic-net', 'boosting'];
const INLINE_LIST = {
  listStyle: 'none',
  margin: 0,
  padding: 0,
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0 1.25em',
} as const;

const share = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));

function RunView({ run }: { run: ModelRun }) {
  const id = useId();
  const base = `${API_BASE}/risk/model/runs/${run.id}`;
  const p = run.progress;
  const active = run.status === 'queued' || run.status === 'running';
  const result = run.result ?? null;
  const bt = result?.backtest ?? null;
  const fc = result?.forecast ?? null;
  return (
    <section aria-labelledby={`${id}-h`} className="section">
      <h2 id={`${id}-h`} tabIndex={-1}>
        {t('riskModel.result.heading', { name: run.panel.fileName, outcome: run.options.outcome })}
      </h2>
      <p className="small muted">
        {t('riskModel.result.meta', {
          by: run.createdBy,
          date: formatTimestamp(run.createdAt),
          horizon: run.options.horizon,
        })}
      </p>
      <p role="status" aria-live="polite">
        {t('riskModel.status', { status: tMaybe(`riskModel.status.${run.status}`, run.status) })}
        {active && p.message ? ` — ${p.message}` : ''}
      </p>
      {active && (
        <div className="upload-progress">
          <label htmlFor={`${id}-progress`}>{t('riskModel.progress')}</label>
          <progress id={`${id}-progress`} max={p.total ?? 1} value={p.done ?? 0}>
            {formatNumber(p.done ?? 0)} / {formatNumber(p.total ?? 1)}
          </progress>
        </div>
      )}
      {run.status === 'failed' && (
        <p className="field-error" role="alert">
          {run.errorField
            ? t('riskModel.failedField', { field: run.errorField, error: run.error ?? '' })
            : t('riskModel.failed', { error: run.error ?? '' })}
        </p>
      )}
      {bt && (
        <>
          <h3>
            {t('riskModel.backtest.heading', {
              from: String(run.options.backtest?.from ?? ''),
              to: String(run.options.backtest?.to ?? ''),
            })}
          </h3>
          <div className="table-wrap">
            <table className="data-table">
              <caption>
                {t('riskModel.metrics.caption', {
                  rows: bt.metrics.rows,
                  positives: bt.metrics.positives,
                  years: bt.metrics.years,
                })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('riskModel.metrics.model')}</th>
                  <th scope="col">AUC</th>
                  <th scope="col">{t('riskModel.metrics.recall', { k: 10 })}</th>
                  <th scope="col">{t('riskModel.metrics.recall', { k: 20 })}</th>
                  <th scope="col">{t('riskModel.metrics.recall', { k: 30 })}</th>
                  <th scope="col">{t('riskModel.metrics.precision30')}</th>
                  <th scope="col">Brier</th>
                </tr>
              </thead>
              <tbody>
                {MODEL_ORDER.filter((name) => bt.metrics.byModel[name])
                  .map((name) => [name, bt.metrics.byModel[name] as ModelMetrics] as const)
                  .map(([name, m]) => (
                    <tr key={name}>
                      <th scope="row">{tMaybe(`riskModel.model.${name}`, name)}</th>
                      <td className="num">{num(m.auc)}</td>
                      <td className="num">{share(m.recallTop10)}</td>
                      <td className="num">{share(m.recallTop20)}</td>
                      <td className="num">{share(m.recallTop30)}</td>
                      <td className="num">{share(m.precisionTop30)}</td>
                      <td className="num">{num(m.brier, 4)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          {bt.metrics.skippedYears.length > 0 && (
            <p className="note">
              {t('riskModel.skipped', { years: bt.metrics.skippedYears.map((s) => s.time).join(', ') })}
            </p>
          )}
          <div className="charts" style={{ display: 'flex', flexWrap: 'wrap', gap: '1.5rem' }}>
            <RocChart roc={bt.roc} auc={bt.metrics.auc} />
            <RecallChart recall={bt.recallAtK} />
          </div>
          <details>
            <summary>{t('riskModel.metricsJson')}</summary>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard */}
            <pre className="code-block" tabIndex={0}>
              {JSON.stringify(bt.metrics, null, 2)}
            </pre>
          </details>
          <p>
            <a href={`${base}/forecasts.csv`} download>
              {t('riskModel.download.forecasts')}
            </a>{' '}
            ·{' '}
            <a href={`${base}/metrics.json`} download>
              {t('riskModel.download.metrics')}
            </a>
          </p>
        </>
      )}
      {fc && (
        <>
          <h3>{t('riskModel.ranking.heading', { at: String(fc.at) })}</h3>
          <p className="note">
            {t('riskModel.ranking.note', {
              through: String(fc.trainedThrough),
              rows: fc.trainRows,
              positives: fc.trainPositives,
            })}
          </p>
          <div className="table-wrap">
            <table className="data-table">
              <caption>
                {t('riskModel.ranking.caption', {
                  shown: Math.min(30, fc.ranking.length),
                  units: fc.units,
                  at: String(fc.at),
                })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('riskModel.ranking.rank')}</th>
                  <th scope="col">{t('riskModel.ranking.unit')}</th>
                  <th scope="col">{t('riskModel.ranking.risk')}</th>
                  <th scope="col">{t('riskModel.ranking.contributions')}</th>
                </tr>
              </thead>
              <tbody>
                {fc.ranking.slice(0, 30).map((u) => (
                  <tr key={u.unit}>
                    <td className="num">{u.rank}</td>
                    <th scope="row">{u.unit}</th>
                    <td className="num">{share(u.risk)}</td>
                    <td>
                      <ul className="contributions" style={INLINE_LIST}>
                        {u.contributions.slice(0, 3).map((c) => (
                          <li key={c.predictor}>
                            {c.predictor}{' '}
                            <span className={c.contribution >= 0 ? 'contrib-up' : 'contrib-down'}>
                              {c.contribution >= 0 ? '+' : '−'}
                              {Math.abs(c.contribution).toFixed(2)}
                            </span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="small muted">{t('riskModel.ranking.contribNote')}</p>
          <p>
            <a href={`${base}/ranking.csv`} download>
              {t('riskModel.download.ranking')}
            </a>
          </p>
        </>
      )}
    </section>
  );
}

export default function RiskModelPage() {
  usePageTitle(t('riskModel.title'));
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const allowed = Boolean(user && RUNNERS.has(user.role));
  const [, navigate] = useLocation();
  const search = new URLSearchParams(useSearch());
  const runId = search.get('run');
  const [version, setVersion] = useState(0);
  const panels = useApi<{ items: ModelPanel[] }>(allowed ? `/risk/model/panels#${version}` : null);
  const runs = useApi<{ items: ModelRun[] }>(allowed ? `/risk/model/runs#${version}` : null);
  const [panelId, setPanelId] = useState('');
  const [run, setRun] = useState<ModelRun | null>(null);
  const [runError, setRunError] = useState<Error | null>(null);

  // Follows the chosen run until it ends (its state is on the server; a reload picks it up again).
  useEffect(() => {
    if (!allowed || !runId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await api.get<ModelRun>(`/risk/model/runs/${runId}`);
        if (stop) return;
        setRun(r);
        setRunError(null);
        if (r.status === 'queued' || r.status === 'running') timer = setTimeout(poll, 1000);
        else setVersion((v) => v + 1);
      } catch (err) {
        if (!stop) setRunError(err instanceof Error ? err : new Error(String(err)));
      }
    };
    void poll();
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, allowed]);

  const panelList = panels.result.state === 'ready' ? panels.result.data.items : [];
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href="/">{t('riskModel.breadcrumb')}</Link>
      </p>
      <PageHeading>{t('riskModel.title')}</PageHeading>
      <p className="lead">{t('riskModel.lead')}</p>
      {loaded && !allowed && (
        <p className="note">
          {user ? t('riskModel.notAllowed') : <Link href="/login">{t('riskModel.signIn')}</Link>}
        </p>
      )}
      {allowed && (
        <>
          <div className="upload-box section">
            <UploadPanel
              onUploaded={(p) => {
                setPanelId(p.id);
                setVersion((v) => v + 1);
              }}
            />
          </div>
          <div className="upload-box section">
            {panels.result.state === 'error' && (
              <ErrorState error={panels.result.error} onRetry={panels.retry} />
            )}
            <RunForm
              panels={panelList}
              panelId={panelId}
              onPanel={setPanelId}
              onQueued={(r) => {
                setRun(r);
                navigate(`/risk/model?run=${r.id}`);
              }}
            />
          </div>
          {runId && runError && (
            <ErrorState error={runError} onRetry={() => navigate(`/risk/model?run=${runId}`)} />
          )}
          {runId && !run && !runError && <Loading />}
          {run && run.id === runId && <RunView run={run} />}
          <section aria-labelledby="model-runs" className="section">
            <h2 id="model-runs">{t('riskModel.runs.heading')}</h2>
            {runs.result.state === 'ready' && runs.result.data.items.length === 0 && (
              <p>{t('riskModel.runs.none')}</p>
            )}
            {runs.result.state === 'ready' && runs.result.data.items.length > 0 && (
              <div className="table-wrap">
                <table className="data-table">
                  <caption>{t('riskModel.runs.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('riskModel.runs.started')}</th>
                      <th scope="col">{t('riskModel.runs.panel')}</th>
                      <th scope="col">{t('riskModel.runs.outcome')}</th>
                      <th scope="col">{t('riskModel.runs.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {runs.result.data.items.map((r) => (
                      <tr key={r.id}>
                        <td>
                          <Link href={`/risk/model?run=${r.id}`}>{formatTimestamp(r.createdAt)}</Link>
                        </td>
                        <td>{r.panel.fileName}</td>
                        <td>{r.options.outcome}</td>
                        <td>{tMaybe(`riskModel.status.${r.status}`, r.status)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}

// A situation's coordination: key figures, importing posts (with upload progress), starting an analysis
// run and following its progress, and the results of the chosen run (graph, communities, narratives).
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { Situation } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import {
  BEHAVIOURS,
  coordinationPath,
  FORMATS,
  getImport,
  type ImportRecord,
  type Overview,
  type Run,
  UploadCancelled,
  uploadPosts,
} from '../coordination/api.ts';
import { Results } from '../coordination/Results.tsx';
import '../coordination/coordination.css';
import { formatNumber, t, tMaybe } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';

const WRITERS = new Set(['analyst', 'admin']);

export default function CoordinationPage({ slug }: { slug: string }) {
  const enc = encodeURIComponent(slug);
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const canWrite = Boolean(user && WRITERS.has(user.role));
  const situation = useApi<Situation>(`/situations/${enc}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('coordination.documentTitle', { name: sit.name }) : t('coordination.title'));
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const overview = useApi<Overview>(
    loaded && user ? `${coordinationPath(slug)}#${user.id}#${version}` : null,
  );
  // Kept while a reload is under way, so forms and the graph stay put.
  const [data, setData] = useState<Overview | null>(null);
  useEffect(() => {
    if (overview.result.state === 'ready') setData(overview.result.data);
  }, [overview.result]);
  const [chosen, setChosen] = useState<string | null>(null);

  // While a run is queued or running, follow it.
  const active = data?.runs.find((r) => r.status === 'queued' || r.status === 'running') ?? null;
  const [live, setLive] = useState<Run | null>(null);
  const activeId = active?.id ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows one run, by id; reload only bumps a counter
  useEffect(() => {
    if (!activeId) {
      setLive(null);
      return;
    }
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const run = await api.get<Run>(coordinationPath(slug, `/runs/${activeId}`));
        if (stopped) return;
        setLive(run);
        if (run.status === 'done' || run.status === 'failed') {
          clearInterval(timer);
          setChosen(run.status === 'done' ? run.id : null);
          reload();
        }
      } catch {
        // try again at the next tick
      }
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [activeId, slug]);

  const shown =
    (chosen ? data?.runs.find((r) => r.id === chosen && r.status === 'done') : null) ??
    data?.latestRun ??
    null;

  return (
    <div className="page coordination-page">
      <p className="breadcrumb">
        <Link href={`/s/${enc}`}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('coordination.title')}</PageHeading>
      <p className="lead">{t('coordination.lead')}</p>
      {situation.result.state === 'error' && (
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      )}
      {loaded && !user && (
        <p className="note">
          <Link href="/login">{t('coordination.signIn')}</Link>
        </p>
      )}
      {!data && overview.result.state === 'loading' && user && <Loading />}
      {overview.result.state === 'error' && (
        <ErrorState error={overview.result.error} onRetry={overview.retry} />
      )}
      {data && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('coordination.figure.posts')} value={formatNumber(data.posts)}>
              <a href="#coord-imports-heading">{t('coordination.figure.imports')}</a>
            </KeyFigure>
            <KeyFigure label={t('coordination.figure.accounts')} value={formatNumber(data.accounts)} />
            <KeyFigure
              label={t('coordination.figure.flagged')}
              value={shown?.flaggedAccounts === null || !shown ? '—' : formatNumber(shown.flaggedAccounts)}
            >
              {shown && <a href="#coord-communities-heading">{t('coordination.figure.communities')}</a>}
            </KeyFigure>
            <KeyFigure
              label={t('coordination.figure.narratives')}
              value={shown?.narratives === null || !shown ? '—' : formatNumber(shown.narratives)}
            >
              {shown && <a href="#coord-narratives-heading">{t('coordination.figure.narrativesLink')}</a>}
            </KeyFigure>
          </dl>

          <section aria-labelledby="coord-imports-heading" className="section">
            <h2 id="coord-imports-heading" tabIndex={-1}>
              {t('coordination.imports.title')}
            </h2>
            {canWrite && <ImportForm slug={slug} onImported={reload} />}
            {data.imports.length > 0 && <ImportTable imports={data.imports} />}
          </section>

          <section aria-labelledby="coord-runs-heading" className="section">
            <h2 id="coord-runs-heading">{t('coordination.runs.title')}</h2>
            {canWrite && (
              <RunForm slug={slug} disabled={data.posts === 0 || active !== null} onStarted={reload} />
            )}
            {(live ?? active) && <RunProgress run={(live ?? active) as Run} />}
            {data.runs.length > 0 && (
              <RunTable runs={data.runs} shown={shown?.id ?? null} onShow={(id) => setChosen(id)} />
            )}
          </section>

          {shown ? (
            <Results key={shown.id} slug={slug} run={shown} canWrite={canWrite} />
          ) : (
            <p className="note section">{t('coordination.noResults')}</p>
          )}
        </>
      )}
    </div>
  );
}

function ImportForm({ slug, onImported }: { slug: string; onImported: () => void }) {
  const id = useId();
  const fileRef = useRef<HTMLInputElement | null>(null);
  const [format, setFormat] = useState('auto');
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'sending'; sent: number; total: number }
    | { kind: 'importing'; record: ImportRecord | null }
    | { kind: 'done'; result: ImportRecord }
    | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  const [fileError, setFileError] = useState<string | undefined>();
  const abort = useRef<(() => void) | null>(null);
  const busy = state.kind === 'sending' || state.kind === 'importing';
  const [importId, setImportId] = useState<string | null>(null);

  // While the server reads and stores the file, follow the import's progress.
  const importing = state.kind === 'importing';
  useEffect(() => {
    if (!importing || !importId) return;
    let stopped = false;
    const follow = async () => {
      try {
        const record = await getImport(slug, importId);
        if (stopped || record?.status !== 'importing') return;
        setState((s) => (s.kind === 'importing' ? { kind: 'importing', record } : s));
      } catch {
        // try again at the next tick
      }
    };
    const timer = setInterval(follow, 500);
    void follow();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [importing, importId, slug]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setFileError(t('coordination.imports.chooseFile'));
      return;
    }
    setFileError(undefined);
    setState({ kind: 'sending', sent: 0, total: file.size });
    const handle = uploadPosts(slug, file, format, (sent, total) =>
      setState((s) =>
        sent < total
          ? { kind: 'sending', sent, total }
          : s.kind === 'importing'
            ? s
            : { kind: 'importing', record: null },
      ),
    );
    abort.current = handle.abort;
    setImportId(handle.id);
    try {
      const result = await handle.done;
      setState({ kind: 'done', result });
      if (fileRef.current) fileRef.current.value = '';
      onImported();
    } catch (err) {
      setState({
        kind: 'error',
        message:
          err instanceof UploadCancelled
            ? t('coordination.imports.cancelled')
            : errorMessage(err instanceof Error ? err : new Error(String(err))),
      });
    } finally {
      abort.current = null;
      setImportId(null);
    }
  };
  const percent =
    state.kind === 'sending' && state.total > 0 ? Math.floor((state.sent / state.total) * 100) : 0;
  const importPercent = state.kind === 'importing' ? importProgressPercent(state.record) : null;

  return (
    <form className="form upload-box" onSubmit={submit} noValidate>
      <p className="note">{t('coordination.imports.about')}</p>
      <Field id={`${id}-file`} label={t('coordination.imports.file')} error={fileError}>
        {(props) => <input {...props} ref={fileRef} type="file" name="file" disabled={busy} />}
      </Field>
      <Field id={`${id}-format`} label={t('coordination.imports.format')}>
        {(props) => (
          <select {...props} value={format} onChange={(e) => setFormat(e.target.value)} disabled={busy}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {tMaybe(`coordination.format.${f}`, f)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="field-actions">
        <button type="submit" className="button" disabled={busy}>
          {t('coordination.imports.submit')}
        </button>
        {state.kind === 'sending' && (
          <button type="button" className="button button-secondary" onClick={() => abort.current?.()}>
            {t('coordination.imports.cancel')}
          </button>
        )}
      </div>
      {busy && (
        <div className="upload-progress">
          <label htmlFor={`${id}-progress`}>
            {state.kind === 'sending'
              ? t('coordination.imports.progressLabel')
              : t('coordination.imports.importProgressLabel')}
          </label>
          <progress
            id={`${id}-progress`}
            max={100}
            {...(state.kind === 'sending'
              ? { value: percent }
              : importPercent !== null
                ? { value: importPercent }
                : {})}
          />
        </div>
      )}
      <div role="status">
        {state.kind === 'sending' && (
          <p>{t('coordination.imports.sending', { percent: Math.floor(percent / 10) * 10 })}</p>
        )}
        {state.kind === 'importing' && <p>{importingText(state.record)}</p>}
        {state.kind === 'done' && <ImportOutcome result={state.result} />}
      </div>
      {state.kind === 'error' && (
        <p className="field-error" role="alert">
          {t('coordination.imports.failed', { reason: state.message })}
        </p>
      )}
    </form>
  );
}

/** How far the server is with an import: reading the file (first half), then storing its posts. */
function importProgressPercent(record: ImportRecord | null): number | null {
  const p = record?.progress;
  if (!p || p.total <= 0) return null;
  const share = Math.min(1, p.done / p.total);
  return Math.floor(p.phase === 'read' ? share * 50 : p.phase === 'store' ? 50 + share * 50 : 100);
}

function importingText(record: ImportRecord | null): string {
  const p = record?.progress;
  if (record && p?.phase === 'store') {
    return t('coordination.imports.storing', { n: formatNumber(p.done), m: formatNumber(p.total) });
  }
  if (record && p?.phase === 'read' && p.done > 0 && record.postsRead > 0) {
    // The posts still to come, estimated from the share of the file read so far.
    const about = Math.max(record.postsRead, Math.round((record.postsRead * p.total) / p.done));
    return t('coordination.imports.reading', {
      n: formatNumber(record.postsRead),
      m: formatNumber(about),
    });
  }
  return t('coordination.imports.importing');
}

function ImportOutcome({ result }: { result: ImportRecord }) {
  return (
    <div className="coord-import-outcome">
      <p>
        {t('coordination.imports.outcome', {
          file: result.fileName,
          read: result.postsRead,
          stored: result.postsStored,
          duplicates: result.duplicates,
          format: result.format,
        })}
      </p>
      {result.malformed > 0 && (
        <>
          <p>{t('coordination.imports.malformed', { n: result.malformed })}</p>
          <ul className="small">
            {result.malformedSamples.slice(0, 10).map((m) => (
              <li key={`${m.line}-${m.reason}`}>
                {t('coordination.imports.line', { line: m.line, reason: m.reason })}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ImportTable({ imports }: { imports: ImportRecord[] }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{t('coordination.imports.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('coordination.imports.col.when')}</th>
            <th scope="col">{t('coordination.imports.col.file')}</th>
            <th scope="col">{t('coordination.imports.col.status')}</th>
            <th scope="col">{t('coordination.imports.col.stored')}</th>
            <th scope="col">{t('coordination.imports.col.duplicates')}</th>
            <th scope="col">{t('coordination.imports.col.malformed')}</th>
            <th scope="col">{t('coordination.imports.col.by')}</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((i) => (
            <tr key={i.id}>
              <td className="nowrap">{formatTimestamp(i.createdAt)}</td>
              <td>
                {i.fileName} <span className="muted">({i.format})</span>
              </td>
              <td>
                {tMaybe(`coordination.importStatus.${i.status}`, i.status)}
                {i.error && <p className="small">{i.error}</p>}
              </td>
              <td className="num">{formatNumber(i.postsStored)}</td>
              <td className="num">{formatNumber(i.duplicates)}</td>
              <td className="num">
                {formatNumber(i.malformed)}
                {i.malformedSamples.length > 0 && (
                  <details>
                    <summary>{t('coordination.imports.lines')}</summary>
                    <ul className="small">
                      {i.malformedSamples.slice(0, 20).map((m) => (
                        <li key={`${m.line}-${m.reason}`}>
                          {t('coordination.imports.line', { line: m.line, reason: m.reason })}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </td>
              <td>{i.createdBy ?? t('coordination.byTerminal')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunForm({ slug, disabled, onStarted }: { slug: string; disabled: boolean; onStarted: () => void }) {
  const id = useId();
  const [window, setWindow] = useState('60');
  const [similarity, setSimilarity] = useState('0.8');
  const [behaviours, setBehaviours] = useState<string[]>([...BEHAVIOURS]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    const w = Number(window);
    if (!Number.isInteger(w) || w < 1 || w > 2_592_000) found.window = t('coordination.runs.windowError');
    const s = Number(similarity);
    if (!(s > 0 && s <= 1)) found.similarity = t('coordination.runs.similarityError');
    if (behaviours.length === 0) found.behaviours = t('coordination.runs.behavioursError');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.post(coordinationPath(slug, '/runs'), { window: w, textSimilarity: s, behaviours });
      onStarted();
    } catch (err) {
      setFailure(errorMessage(err instanceof Error ? err : new Error(String(err))));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form upload-box" onSubmit={submit} noValidate>
      <p className="note">{t('coordination.runs.about')}</p>
      <div className="coord-run-options">
        <Field id={`${id}-window`} label={t('coordination.runs.window')} error={errors.window}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={1}
              step={1}
              value={window}
              onChange={(e) => setWindow(e.target.value)}
            />
          )}
        </Field>
        <Field id={`${id}-similarity`} label={t('coordination.runs.similarity')} error={errors.similarity}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={0.05}
              max={1}
              step={0.05}
              value={similarity}
              onChange={(e) => setSimilarity(e.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset
        className="coord-behaviours"
        aria-describedby={errors.behaviours ? `${id}-beh-error` : undefined}
      >
        <legend>{t('coordination.runs.behaviours')}</legend>
        {BEHAVIOURS.map((b) => (
          <label key={b} className="checkbox">
            <input
              type="checkbox"
              checked={behaviours.includes(b)}
              onChange={(e) =>
                setBehaviours((list) => (e.target.checked ? [...list, b] : list.filter((x) => x !== b)))
              }
            />{' '}
            {tMaybe(`coordination.behaviour.${b}`, b)}
          </label>
        ))}
        {errors.behaviours && (
          <p className="field-error" id={`${id}-beh-error`}>
            {errors.behaviours}
          </p>
        )}
      </fieldset>
      <div className="field-actions">
        <button type="submit" className="button" disabled={busy || disabled}>
          {t('coordination.runs.start')}
        </button>
      </div>
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </form>
  );
}

function RunProgress({ run }: { run: Run }) {
  const p = run.progress;
  const phase = p
    ? tMaybe(`coordination.phase.${p.phase}`, p.phase)
    : tMaybe('coordination.phase.queued', 'queued');
  const percent = p && p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : null;
  return (
    <div className="upload-progress coord-run-progress">
      <label htmlFor="coord-run-progress">{t('coordination.runs.progressLabel', { phase })}</label>
      <progress id="coord-run-progress" max={100} {...(percent !== null ? { value: percent } : {})} />
      <p role="status">
        {percent !== null
          ? t('coordination.runs.progress', { phase, percent: Math.floor(percent / 10) * 10 })
          : phase}
      </p>
    </div>
  );
}

function RunTable({
  runs,
  shown,
  onShow,
}: {
  runs: Run[];
  shown: string | null;
  onShow: (id: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{t('coordination.runs.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('coordination.runs.col.when')}</th>
            <th scope="col">{t('coordination.runs.col.status')}</th>
            <th scope="col">{t('coordination.runs.col.settings')}</th>
            <th scope="col">{t('coordination.runs.col.posts')}</th>
            <th scope="col">{t('coordination.runs.col.flagged')}</th>
            <th scope="col">{t('coordination.runs.col.communities')}</th>
            <th scope="col">{t('coordination.runs.col.results')}</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} aria-current={r.id === shown ? 'true' : undefined}>
              <td className="nowrap">{formatTimestamp(r.createdAt)}</td>
              <td>
                {tMaybe(`coordination.runStatus.${r.status}`, r.status)}
                {r.error && <p className="small">{r.error}</p>}
              </td>
              <td className="small">
                {t('coordination.runs.settings', {
                  window: r.options.windows['co-repost'] ?? 60,
                  similarity: r.options.textSimilarity,
                  behaviours: r.options.behaviours.join(', '),
                })}
              </td>
              <td className="num">{r.posts === null ? '—' : formatNumber(r.posts)}</td>
              <td className="num">{r.flaggedAccounts === null ? '—' : formatNumber(r.flaggedAccounts)}</td>
              <td className="num">{r.communities === null ? '—' : formatNumber(r.communities)}</td>
              <td>
                {r.status === 'done' &&
                  (r.id === shown ? (
                    <span>{t('coordination.runs.shown')}</span>
                  ) : (
                    <button type="button" className="button button-secondary" onClick={() => onShow(r.id)}>
                      {t('coordination.runs.show', { when: formatTimestamp(r.createdAt) })}
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

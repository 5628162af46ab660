// "Capture a web page": Vigil's server fetches the URL itself and seals the raw response, a screenshot, a PDF
// and a record of the fetch. The job runs in the background; this form polls it and shows its stage and
// progress, then links to the sealed parts.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { CaptureJob } from '../api/vault.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t, tMaybe } from '../i18n/index.ts';

const PARTS = ['record', 'response', 'screenshot', 'pdf'] as const;

export function CaptureForm({
  slug,
  incidents,
  onQueued,
  onCaptured,
}: {
  slug: string;
  incidents: { id: string; title: string }[];
  /** Told when the server has queued the capture (the list of recent captures shows it). */
  onQueued?: (job: CaptureJob) => void;
  onCaptured: () => void;
}) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [incidentId, setIncidentId] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<CaptureJob | null>(null);
  const running = job !== null && (job.status === 'queued' || job.status === 'running');

  // biome-ignore lint/correctness/useExhaustiveDependencies: polls while the job with this id runs
  useEffect(() => {
    if (!job || !running) return;
    const timer = window.setTimeout(async () => {
      try {
        const next = await api.get<CaptureJob>(`/situations/${encodeURIComponent(slug)}/captures/${job.id}`);
        setJob(next);
        if (next.status === 'succeeded') onCaptured();
      } catch (err) {
        setError(err instanceof Error ? errorMessage(err) : String(err));
        setJob(null);
      }
    }, 700);
    return () => window.clearTimeout(timer);
  }, [job, running, slug]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^https?:\/\/\S+$/i.test(url.trim())) {
      setError(t('capture.urlFormat'));
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const body = { url: url.trim(), ...(incidentId ? { incidentId } : {}) };
      const queued = await api.post<CaptureJob>(`/situations/${encodeURIComponent(slug)}/captures`, body);
      setJob(queued);
      onQueued?.(queued);
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors().url : undefined;
      setError(field ?? (err instanceof Error ? errorMessage(err) : String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="upload-form">
      <p className="note">{t('capture.explain')}</p>
      <form className="form" onSubmit={submit} noValidate>
        <Field id={`${id}-url`} label={t('capture.url')} hint={t('capture.urlHint')} error={error}>
          {(p) => (
            <input
              {...p}
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://"
              required
            />
          )}
        </Field>
        {incidents.length > 0 && (
          <Field id={`${id}-incident`} label={t('upload.incident')}>
            {(p) => (
              <select {...p} value={incidentId} onChange={(e) => setIncidentId(e.target.value)}>
                <option value="">{t('upload.noIncident')}</option>
                {incidents.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <button type="submit" className="button" disabled={busy || running}>
          {t('capture.submit')}
        </button>
      </form>
      {job && (
        <div className="upload-status" role="status" aria-live="polite">
          {running && (
            <div className="upload-progress">
              <label htmlFor={`${id}-progress`}>
                {t('capture.progress', { stage: tMaybe(`capture.stage.${job.stage}`, job.stage) })}
              </label>
              <progress id={`${id}-progress`} max={100} value={job.progress}>
                {job.progress}%
              </progress>
            </div>
          )}
          {job.attempts > 1 && job.status !== 'failed' && (
            <p className="note">
              {t('evidence.captureResumed', { attempt: job.attempts, max: job.maxAttempts })}
            </p>
          )}
          {job.status === 'failed' && (
            <p className="field-error">{t('capture.failed', { error: job.error ?? '' })}</p>
          )}
          {job.status === 'succeeded' && (
            <>
              <p className="status-ok">
                {t('capture.done', { url: job.finalUrl ?? job.url, status: job.httpStatus ?? '—' })}
              </p>
              <ul className="capture-parts">
                {PARTS.map((part) =>
                  job.items[part] ? (
                    <li key={part}>
                      <Link href={`/items/${job.items[part]}`}>{t(`capture.part.${part}`)}</Link>
                    </li>
                  ) : null,
                )}
              </ul>
              {job.renderNote && <p className="note">{job.renderNote}</p>}
            </>
          )}
        </div>
      )}
    </div>
  );
}

// The latest URL captures of a situation, newest first: what was asked, its status, progress, how many
// times a worker took it (more than once: it was resumed after an interruption) and why it failed. Polls
// while a capture is queued or running; `version` changes when the form queues a new one.
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { CaptureJob } from '../api/vault.ts';
import { ErrorState } from '../components/Status.tsx';
import { t, tMaybe, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';

const LIMIT = 20;
const POLL_MS = 1500;

const isActive = (job: CaptureJob) => job.status === 'queued' || job.status === 'running';

function statusBadge(job: CaptureJob) {
  const label = t(`evidence.captureJobs.status.${job.status}`);
  if (job.status === 'failed') return <span className="badge badge-warning">{label}</span>;
  if (job.status === 'succeeded') return <span className="badge badge-phase">{label}</span>;
  return <span className="badge">{label}</span>;
}

function Outcome({ job }: { job: CaptureJob }) {
  if (job.status === 'failed') return <span className="field-error">{job.error ?? ''}</span>;
  if (job.status === 'succeeded') {
    const parts = Object.values(job.items).filter(Boolean).length;
    return (
      <>
        {job.items.record ? (
          <Link href={`/items/${encodeURIComponent(job.items.record)}`}>
            {tn('evidence.captureJobs.parts', parts)}
          </Link>
        ) : (
          tn('evidence.captureJobs.parts', parts)
        )}
        {job.renderNote && <span className="fact-note">{job.renderNote}</span>}
      </>
    );
  }
  return <span className="muted">{tMaybe(`capture.stage.${job.stage}`, job.stage)}</span>;
}

export function CaptureJobs({ slug, version }: { slug: string; version: number }) {
  const [jobs, setJobs] = useState<CaptureJob[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version and tick ask for a fresh list
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<{ items: CaptureJob[] }>(
        `/situations/${encodeURIComponent(slug)}/captures?limit=${LIMIT}`,
        controller.signal,
      )
      .then(
        (page) => {
          setJobs(page.items);
          setError(null);
        },
        (err: unknown) => {
          if (!controller.signal.aborted) setError(err instanceof Error ? err : new Error(String(err)));
        },
      );
    return () => controller.abort();
  }, [slug, version, tick]);

  const active = jobs?.some(isActive) ?? false;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each fresh list arms the next poll
  useEffect(() => {
    if (!active) return;
    const timer = window.setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [active, jobs]);

  if (error) return <ErrorState error={error} onRetry={() => setTick((n) => n + 1)} />;
  if (!jobs) return null;
  if (jobs.length === 0) return <p className="note">{t('evidence.captureJobs.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table capture-jobs">
        <caption>{tn('evidence.captureJobs.caption', jobs.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('evidence.captureJobs.col.url')}</th>
            <th scope="col">{t('evidence.captureJobs.col.status')}</th>
            <th scope="col">{t('evidence.captureJobs.col.progress')}</th>
            <th scope="col">{t('evidence.captureJobs.col.attempts')}</th>
            <th scope="col">{t('evidence.captureJobs.col.requested')}</th>
            <th scope="col">{t('evidence.captureJobs.col.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id}>
              <td className="capture-job-url">{job.finalUrl ?? job.url}</td>
              <td>{statusBadge(job)}</td>
              <td className="nowrap">
                {isActive(job) ? (
                  <progress
                    max={100}
                    value={job.progress}
                    aria-label={t('evidence.captureJobs.progressOf', { url: job.url })}
                  >
                    {job.progress}%
                  </progress>
                ) : null}{' '}
                {job.status === 'failed' ? <span className="muted">—</span> : `${job.progress}%`}
              </td>
              <td className="nowrap">
                {t('evidence.captureJobs.attempts', { attempts: job.attempts, max: job.maxAttempts })}
                {job.attempts > 1 && <span className="fact-note">{t('evidence.captureJobs.resumed')}</span>}
              </td>
              <td className="nowrap">
                {formatTimestamp(job.createdAt)}
                <span className="fact-note">{t('custody.by', { who: job.createdBy })}</span>
              </td>
              <td>
                <Outcome job={job} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Upload one file as evidence: chosen file, optional title, progress while the bytes travel, then the
// server's answer stated plainly: sealed (with its SHA-256), a duplicate of an item already sealed (nothing
// new stored), and a flag when the bytes are not the type the file claimed to be.
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api/client.ts';
import type { UploadResult } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { UploadAborted, type UploadHandle, uploadItem } from '../lib/upload.ts';
import { formatBytes } from './labels.ts';

type State =
  | { kind: 'idle' }
  | { kind: 'sending'; sent: number; total: number }
  | { kind: 'sealing' }
  | { kind: 'done'; result: UploadResult; fileName: string }
  | { kind: 'error'; message: string };

export interface IncidentChoice {
  id: string;
  title: string;
}

export function UploadForm({
  slug,
  incidentId,
  incidents,
  onUploaded,
}: {
  slug: string;
  /** Link the upload to this incident (the incident page). */
  incidentId?: string;
  /** Offer to link the upload to one of these (the situation's evidence page). */
  incidents?: IncidentChoice[];
  onUploaded: (result: UploadResult) => void;
}) {
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const handle = useRef<UploadHandle | null>(null);
  const [title, setTitle] = useState('');
  const [incident, setIncident] = useState('');
  const [fileError, setFileError] = useState<string | undefined>();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const busy = state.kind === 'sending' || state.kind === 'sealing';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setFileError(t('upload.fileRequired'));
      fileRef.current?.focus();
      return;
    }
    setFileError(undefined);
    setState({ kind: 'sending', sent: 0, total: file.size });
    const linkTo = incidentId ?? (incident || undefined);
    const h = uploadItem(
      {
        slug,
        file,
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(linkTo ? { incidentId: linkTo } : {}),
      },
      (sent, total) => setState(sent >= total ? { kind: 'sealing' } : { kind: 'sending', sent, total }),
    );
    handle.current = h;
    try {
      const result = await h.done;
      setState({ kind: 'done', result, fileName: file.name });
      setTitle('');
      if (fileRef.current) fileRef.current.value = '';
      onUploaded(result);
    } catch (error) {
      if (error instanceof UploadAborted) setState({ kind: 'error', message: t('upload.cancelled') });
      else if (error instanceof ApiError && error.status === 413)
        setState({ kind: 'error', message: t('upload.tooLarge') });
      else setState({ kind: 'error', message: errorMessage(error instanceof Error ? error : new Error()) });
    } finally {
      handle.current = null;
    }
  };

  const percent =
    state.kind === 'sending' && state.total > 0 ? Math.floor((state.sent / state.total) * 100) : 0;

  return (
    <form className="form upload-form" onSubmit={submit} noValidate aria-describedby={`${id}-about`}>
      <p className="note" id={`${id}-about`}>
        {t('upload.about')}
      </p>
      <Field id={`${id}-file`} label={t('upload.file')} error={fileError}>
        {(props) => <input {...props} ref={fileRef} type="file" name="file" disabled={busy} />}
      </Field>
      <Field id={`${id}-title`} label={t('upload.title')} hint={t('upload.titleHint')}>
        {(props) => (
          <input
            {...props}
            type="text"
            value={title}
            maxLength={500}
            disabled={busy}
            onChange={(e) => setTitle(e.target.value)}
          />
        )}
      </Field>
      {!incidentId && incidents && incidents.length > 0 && (
        <Field id={`${id}-incident`} label={t('upload.incident')}>
          {(props) => (
            <select {...props} value={incident} disabled={busy} onChange={(e) => setIncident(e.target.value)}>
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
      <div className="field-actions">
        <button type="submit" className="button" disabled={busy}>
          {t('upload.submit')}
        </button>
        {state.kind === 'sending' && (
          <button type="button" className="button button-secondary" onClick={() => handle.current?.abort()}>
            {t('upload.cancel')}
          </button>
        )}
      </div>
      {(state.kind === 'sending' || state.kind === 'sealing') && (
        <div className="upload-progress">
          <label htmlFor={`${id}-progress`}>{t('upload.progressLabel')}</label>
          <progress
            id={`${id}-progress`}
            max={100}
            {...(state.kind === 'sending' ? { value: percent } : {})}
            aria-valuetext={
              state.kind === 'sending'
                ? t('upload.progress', {
                    percent,
                    sent: formatBytes(state.sent),
                    total: formatBytes(state.total),
                  })
                : t('upload.sealing')
            }
          />
        </div>
      )}
      <div role="status" className="upload-status">
        {state.kind === 'sending' && (
          <p>
            {t('upload.progress', {
              percent: Math.floor(percent / 10) * 10,
              sent: formatBytes(state.sent),
              total: formatBytes(state.total),
            })}
          </p>
        )}
        {state.kind === 'sealing' && <p>{t('upload.sealing')}</p>}
        {state.kind === 'done' && <UploadOutcome result={state.result} fileName={state.fileName} />}
      </div>
      {state.kind === 'error' && (
        <p className="field-error" role="alert">
          {t('upload.failed', { reason: state.message })}
        </p>
      )}
    </form>
  );
}

function UploadOutcome({ result, fileName }: { result: UploadResult; fileName: string }) {
  const { item } = result;
  const link = (
    <Link href={`/items/${encodeURIComponent(item.id)}`} className="upload-item-link">
      {item.title}
    </Link>
  );
  const sealed = item.sealed;
  const near = item.nearDuplicates?.filter((n) => n.id !== item.id) ?? [];
  return (
    <div className="upload-outcome">
      {result.duplicate ? (
        <div className="notice notice-info upload-duplicate">
          <p>
            <strong>{t('upload.duplicateTitle')}</strong>
          </p>
          <p>
            {t('upload.duplicate', { file: fileName, date: formatTimestamp(item.createdAt) })} {link}
          </p>
        </div>
      ) : (
        <div className="notice notice-ok">
          <p>
            <strong>{t('upload.sealed', { file: fileName })}</strong> {link}
          </p>
        </div>
      )}
      {sealed && (
        <dl className="upload-facts">
          <div>
            <dt>{t('evidence.sha256')}</dt>
            <dd className="hash">{sealed.sha256}</dd>
          </div>
          <div>
            <dt>{t('evidence.size')}</dt>
            <dd>
              {formatBytes(sealed.size)}
              {sealed.size >= 1000 && ` (${tn('evidence.bytes', sealed.size)})`}
            </dd>
          </div>
          <div>
            <dt>{t('evidence.mime')}</dt>
            <dd>{sealed.mime}</dd>
          </div>
        </dl>
      )}
      {sealed?.typeMismatch && (
        <div className="notice notice-warning upload-mismatch">
          <p>
            <strong>{t('evidence.mismatchBadge')}</strong>{' '}
            {t('upload.mismatch', {
              claimed: sealed.claimedMime ?? t('evidence.unknownType'),
              name: sealed.claimedName ?? fileName,
              actual: sealed.mime,
            })}
          </p>
        </div>
      )}
      {near.length > 0 && (
        <p className="note">
          {tn('upload.near', near.length)}{' '}
          {near.map((n, i) => (
            <span key={n.id}>
              {i > 0 && ', '}
              <Link href={`/items/${encodeURIComponent(n.id)}`}>
                {t('upload.nearItem', { distance: n.distance })}
              </Link>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

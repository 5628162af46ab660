// The verification panel of an item: its Berkeley Protocol phase (and moving it), the verification notes
// (method, conclusion, who, when) as separate records, and a form to add one. Notes never edit the item.
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { EvidenceItem, VerificationNote } from '../api/types.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import {
  CONCLUSIONS,
  conclusionLabel,
  methodLabel,
  NOTE_METHODS,
  PHASES,
  phaseLabel,
  phaseStep,
} from './labels.ts';

function PhaseMover({ item, onChanged }: { item: EvidenceItem; onChanged: (item: EvidenceItem) => void }) {
  const id = useId();
  const [phase, setPhase] = useState(item.phase);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (phase === item.phase) {
      setMessage({ ok: false, text: t('phase.same') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const updated = await api.patch<EvidenceItem>(`/items/${encodeURIComponent(item.id)}`, { phase });
      setMessage({ ok: true, text: t('phase.moved', { phase: phaseLabel(updated.phase) }) });
      onChanged(updated);
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error instanceof Error ? error : new Error()) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>{t('phase.moveLabel')}</label>
        <select id={id} value={phase} onChange={(e) => setPhase(e.target.value)} disabled={busy}>
          {PHASES.map((p, i) => (
            <option key={p} value={p}>
              {i + 1}. {phaseLabel(p)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button-secondary" disabled={busy}>
        {t('phase.move')}
      </button>
      <p role="status" className={message && !message.ok ? 'field-error' : 'status-ok'}>
        {message?.text}
      </p>
    </form>
  );
}

function NoteForm({ itemId, onAdded }: { itemId: string; onAdded: () => void }) {
  const id = useId();
  const [method, setMethod] = useState<string>('');
  const [conclusion, setConclusion] = useState<string>('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!method) errs.method = t('note.methodRequired');
    if (!conclusion) errs.conclusion = t('note.conclusionRequired');
    if (!text.trim()) errs.note = t('note.textRequired');
    setErrors(errs);
    setStatus(null);
    setFailure(null);
    if (Object.keys(errs).length > 0) {
      document.getElementById(`${id}-${Object.keys(errs)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.post<VerificationNote>(`/items/${encodeURIComponent(itemId)}/notes`, {
        method,
        conclusion,
        note: text.trim(),
      });
      setMethod('');
      setConclusion('');
      setText('');
      setStatus(t('note.added'));
      onAdded();
    } catch (error) {
      setFailure(errorMessage(error instanceof Error ? error : new Error()));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form note-form" onSubmit={submit} noValidate>
      <h3>{t('note.addTitle')}</h3>
      <div className="form-row">
        <Field id={`${id}-method`} label={t('note.method')} error={errors.method}>
          {(props) => (
            <select {...props} value={method} onChange={(e) => setMethod(e.target.value)} disabled={busy}>
              <option value="">{t('note.choose')}</option>
              {NOTE_METHODS.map((m) => (
                <option key={m} value={m}>
                  {methodLabel(m)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${id}-conclusion`} label={t('note.conclusion')} error={errors.conclusion}>
          {(props) => (
            <select
              {...props}
              value={conclusion}
              onChange={(e) => setConclusion(e.target.value)}
              disabled={busy}
            >
              <option value="">{t('note.choose')}</option>
              {CONCLUSIONS.map((c) => (
                <option key={c} value={c}>
                  {conclusionLabel(c)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field id={`${id}-note`} label={t('note.text')} hint={t('note.textHint')} error={errors.note}>
        {(props) => (
          <textarea
            {...props}
            rows={4}
            value={text}
            maxLength={20_000}
            onChange={(e) => setText(e.target.value)}
            disabled={busy}
          />
        )}
      </Field>
      <div className="field-actions">
        <button type="submit" className="button" disabled={busy}>
          {t('note.submit')}
        </button>
      </div>
      <p role="status" className="status-ok">
        {status}
      </p>
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
    </form>
  );
}

export function VerificationPanel({
  item,
  canWrite,
  onChanged,
}: {
  item: EvidenceItem;
  canWrite: boolean;
  onChanged: (item: EvidenceItem | null) => void;
}) {
  const notes = useApi<{ items: VerificationNote[] }>(`/items/${encodeURIComponent(item.id)}/notes`);
  const step = phaseStep(item.phase);
  return (
    <div className="verification">
      <p className="phase-now">
        {t('phase.current')}: <strong>{phaseLabel(item.phase)}</strong>
        {step && <span className="muted"> ({step})</span>}
      </p>
      <ol className="phase-steps" aria-label={t('phase.stepsLabel')}>
        {PHASES.map((p) => (
          <li key={p} aria-current={p === item.phase ? 'step' : undefined}>
            {phaseLabel(p)}
          </li>
        ))}
      </ol>
      {canWrite && <PhaseMover key={item.phase} item={item} onChanged={onChanged} />}
      <h3>{t('note.listTitle')}</h3>
      {notes.result.state === 'loading' && <Loading />}
      {notes.result.state === 'error' && <ErrorState error={notes.result.error} onRetry={notes.retry} />}
      {notes.result.state === 'ready' &&
        (notes.result.data.items.length === 0 ? (
          <p>{t('note.none')}</p>
        ) : (
          <>
            <p className="note">{tn('note.count', notes.result.data.items.length)}</p>
            <ol className="notes-list">
              {notes.result.data.items.map((n) => (
                <li key={n.id} className={`vnote vnote-${n.conclusion}`}>
                  <p className="vnote-head">
                    <span className="badge">{methodLabel(n.method)}</span>
                    <span className="badge badge-conclusion">{conclusionLabel(n.conclusion)}</span>
                  </p>
                  <p className="vnote-text">{n.note}</p>
                  <p className="vnote-meta">
                    {t('note.byOn', { who: n.author, when: formatTimestamp(n.createdAt) })}
                  </p>
                </li>
              ))}
            </ol>
          </>
        ))}
      {canWrite && (
        <NoteForm
          itemId={item.id}
          onAdded={() => {
            notes.retry();
            onChanged(null);
          }}
        />
      )}
    </div>
  );
}

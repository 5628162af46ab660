// "Export bundle": asks the server for a signed ZIP of the situation's evidence (originals, publishable copies,
// manifest, custody entries, checkpoint, signatures, VERIFY.txt), reads it as it streams in (showing how much
// has arrived), and saves it through an object URL. Needs evidence.read-sealed and a signing key on the server.
import { useId, useState } from 'react';
import { API_BASE, ApiError, getCsrfToken } from '../api/client.ts';
import type { Problem } from '../api/types.ts';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { formatBytes } from './labels.ts';

function filenameOf(res: Response, slug: string): string {
  const header = res.headers.get('content-disposition') ?? '';
  return /filename="([^"]+)"/.exec(header)?.[1] ?? `${slug}-bundle.zip`;
}

export function ExportButton({ slug }: { slug: string }) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [received, setReceived] = useState(0);
  const [done, setDone] = useState<{ name: string; size: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    setReceived(0);
    try {
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        Accept: 'application/zip',
      };
      const csrf = getCsrfToken();
      if (csrf) headers['X-CSRF-Token'] = csrf;
      const res = await fetch(`${API_BASE}/situations/${encodeURIComponent(slug)}/exports`, {
        method: 'POST',
        headers,
        credentials: 'same-origin',
        body: '{}',
      });
      if (!res.ok) {
        const problem = (await res.json().catch(() => null)) as Problem | null;
        throw new ApiError(res.status, problem, problem?.detail ?? `HTTP ${res.status}`);
      }
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let size = 0;
      const reader = res.body?.getReader();
      if (reader) {
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          chunks.push(value);
          size += value.byteLength;
          setReceived(size);
        }
      }
      const blob = new Blob(chunks, { type: 'application/zip' });
      const name = filenameOf(res, slug);
      const href = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = href;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(href), 60_000);
      setDone({ name, size: blob.size });
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export-box">
      <p id={`${id}-about`} className="export-about">
        {t('export.about')}
      </p>
      <button type="button" className="button" onClick={run} disabled={busy} aria-describedby={`${id}-about`}>
        {busy ? t('export.running') : t('export.button')}
      </button>
      <div role="status" aria-live="polite" className="upload-status">
        {busy && <p>{t('export.received', { size: formatBytes(received) })}</p>}
        {done && (
          <p className="status-ok">{t('export.done', { name: done.name, size: formatBytes(done.size) })}</p>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {t('export.failed', { error })}
        </p>
      )}
    </div>
  );
}

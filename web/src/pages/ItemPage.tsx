// One evidence item: the publishable copy, what it is linked to, and for readers of sealed material the
// sealed original's facts (SHA-256, size, sniffed type, claimed type, capture time, metadata), the
// verification panel (phase, notes, add a note) and the custody timeline. Opening this page as a reader of
// sealed material is itself recorded in the custody log.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { EvidenceItem, Incident, SealedOriginal } from '../api/types.ts';
import type { PublishableNote } from '../api/vault.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, isNotFound, Loading } from '../components/Status.tsx';
import { CustodyTimeline } from '../evidence/CustodyTimeline.tsx';
import { MismatchFlag, Thumbnail } from '../evidence/ItemGallery.tsx';
import { formatBytes, originLabel, phaseLabel, phaseStep } from '../evidence/labels.ts';
import { VerificationPanel } from '../evidence/VerificationPanel.tsx';
import { t, tn } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { fetchAllIncidents } from '../lib/incidents.ts';
import { usePageTitle } from '../lib/page.ts';
import { canWriteEvidence } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useLoader } from '../lib/useApi.ts';

function metadataValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function SealedFacts({ sealed, item }: { sealed: SealedOriginal; item: EvidenceItem }) {
  const entries = Object.entries(sealed.metadata);
  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t('evidence.sha256')}</dt>
          <dd className="hash">{sealed.sha256}</dd>
        </div>
        <div>
          <dt>{t('evidence.size')}</dt>
          <dd>
            {formatBytes(sealed.size)}
            {sealed.size >= 1000 && <span className="muted"> ({tn('evidence.bytes', sealed.size)})</span>}
          </dd>
        </div>
        <div>
          <dt>{t('evidence.mime')}</dt>
          <dd>
            {sealed.mime}
            <span className="fact-note">{t('evidence.mimeNote')}</span>
          </dd>
        </div>
        <div>
          <dt>{t('evidence.claimed')}</dt>
          <dd>
            {sealed.claimedName ?? <span className="muted">{t('evidence.notGiven')}</span>}
            {sealed.claimedMime && <span className="fact-note">{sealed.claimedMime}</span>}
            {sealed.typeMismatch && (
              <span className="fact-note fact-warning">
                <MismatchFlag item={item} />{' '}
                {t('upload.mismatch', {
                  claimed: sealed.claimedMime ?? t('evidence.unknownType'),
                  name: sealed.claimedName ?? '',
                  actual: sealed.mime,
                })}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('evidence.capturedAt')}</dt>
          <dd>
            {sealed.capturedAt ?? <span className="muted">{t('evidence.notRecorded')}</span>}
            {sealed.capturedAt && <span className="fact-note">{t('evidence.capturedNote')}</span>}
          </dd>
        </div>
        {sealed.phash && (
          <div>
            <dt>{t('evidence.phash')}</dt>
            <dd className="hash">{sealed.phash}</dd>
          </div>
        )}
        {item.sourceUrl && (
          <div>
            <dt>{t('evidence.sourceUrl')}</dt>
            <dd>
              <a href={item.sourceUrl} rel="noopener noreferrer external">
                {item.sourceUrl}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <p>
        <a href={sealed.url} download className="button button-secondary">
          {t('evidence.downloadOriginal')}
        </a>{' '}
        <span className="note">{t('evidence.downloadNote')}</span>
      </p>
      {item.nearDuplicates && item.nearDuplicates.length > 0 && (
        <p className="note">
          {tn('upload.near', item.nearDuplicates.length)}{' '}
          {item.nearDuplicates.map((n, i) => (
            <span key={n.id}>
              {i > 0 && ', '}
              <Link href={`/items/${encodeURIComponent(n.id)}`}>
                {t('upload.nearItem', { distance: n.distance })}
              </Link>
            </span>
          ))}
        </p>
      )}
      <details className="table-toggle">
        <summary>{tn('evidence.metadataShow', entries.length)}</summary>
        <p className="note">{t('evidence.metadataRestricted')}</p>
        {entries.length > 0 && (
          <div className="table-wrap">
            <table className="data-table">
              <caption>{t('evidence.metadataCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('evidence.metadataKey')}</th>
                  <th scope="col">{t('evidence.metadataValue')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td className="metadata-value">{metadataValue(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </>
  );
}

function LinkIncident({
  item,
  linked,
  onLinked,
}: {
  item: EvidenceItem;
  linked: Set<string>;
  onLinked: (item: EvidenceItem) => void;
}) {
  const id = useId();
  const incidents = useLoader<Incident[]>(item.situationSlug, (signal) =>
    fetchAllIncidents(item.situationSlug, signal),
  );
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (incidents.result.state !== 'ready') return null;
  const options = incidents.result.data
    .filter((i) => !linked.has(i.id))
    .sort((a, b) => a.start.localeCompare(b.start));
  if (options.length === 0) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice) {
      setMessage({ ok: false, text: t('link.required') });
      return;
    }
    setBusy(true);
    try {
      const updated = await api.post<EvidenceItem>(`/items/${encodeURIComponent(item.id)}/incidents`, {
        incidentId: choice,
      });
      setChoice('');
      setMessage({ ok: true, text: t('link.done') });
      onLinked(updated);
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error instanceof Error ? error : new Error()) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>{t('link.label')}</label>
        <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)} disabled={busy}>
          <option value="">{t('link.choose')}</option>
          {options.map((i) => (
            <option key={i.id} value={i.id}>
              {i.start} — {i.title}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button-secondary" disabled={busy}>
        {t('link.submit')}
      </button>
      <p role="status" className={message && !message.ok ? 'field-error' : 'status-ok'}>
        {message?.text}
      </p>
    </form>
  );
}

function LinkedIncidents({ ids }: { ids: string[] }) {
  const key = ids.join(',');
  const titles = useLoader<Map<string, string>>(key || null, async (signal) => {
    const found = await Promise.all(
      ids.map((id) =>
        api.get<Incident>(`/incidents/${encodeURIComponent(id)}`, signal).then(
          (i) => [id, i.title] as const,
          () => [id, null] as const,
        ),
      ),
    );
    return new Map(found.filter((f): f is readonly [string, string] => f[1] !== null));
  });
  if (ids.length === 0) return <span className="muted">{t('evidence.noIncident')}</span>;
  const map = titles.result.state === 'ready' ? titles.result.data : null;
  return (
    <ul className="plain-list">
      {ids.map((id) => (
        <li key={id}>
          <Link href={`/incidents/${encodeURIComponent(id)}`}>
            {map?.get(id) ?? t('evidence.incidentLink')}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export default function ItemPage({ id }: { id: string }) {
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const path = `/items/${encodeURIComponent(id)}`;
  // Keyed by who is signed in: signing in or out changes what may be seen.
  const { result, retry } = useLoader<EvidenceItem>(
    loaded ? `${path}#${user?.id ?? 'anon'}` : null,
    (signal) => api.get(path, signal),
  );
  const { setCurrent } = useSituations();
  const [item, setItem] = useState<EvidenceItem | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (result.state === 'ready') setItem(result.data);
  }, [result]);
  usePageTitle(item?.title ?? null);
  useEffect(() => {
    if (item) setCurrent(item.situationSlug);
  }, [item, setCurrent]);

  if (!loaded || result.state === 'loading' || (result.state === 'ready' && !item)) return <Loading />;
  if (result.state === 'error') {
    if (isNotFound(result.error)) {
      return (
        <div className="page">
          <PageHeading>{t('item.notFoundTitle')}</PageHeading>
          <p>{t('item.notFound')}</p>
          <p>
            <Link href="/">{t('notFound.home')}</Link>
          </p>
        </div>
      );
    }
    return (
      <div className="page">
        <PageHeading>{t('item.errorTitle')}</PageHeading>
        <ErrorState error={result.error} onRetry={retry} />
      </div>
    );
  }
  if (!item) return <Loading />;
  const canWrite = canWriteEvidence(user);
  const changed = (updated: EvidenceItem | null) => {
    if (updated) setItem(updated);
    setVersion((v) => v + 1);
  };
  const step = phaseStep(item.phase);
  return (
    <article className="page evidence-item">
      <p className="breadcrumb">
        <Link href={`/s/${encodeURIComponent(item.situationSlug)}/evidence`}>{t('item.back')}</Link>
      </p>
      <PageHeading>{item.title}</PageHeading>
      <p className="evidence-card-meta">
        <span className="badge badge-phase">{phaseLabel(item.phase)}</span>
        <MismatchFlag item={item} />
      </p>
      <div className="item-layout">
        <figure className="item-figure">
          <Thumbnail item={item} large />
          <figcaption className="note">
            {item.publishable ? (
              <>
                {t('item.publishableCaption', { method: item.publishable.method })}{' '}
                <a href={item.publishable.url}>{t('item.openPublishable')}</a>
              </>
            ) : (item as PublishableNote).publishableNote ? (
              t('evidence.noPublishableWhy', { reason: (item as PublishableNote).publishableNote ?? '' })
            ) : (
              t('item.noPublishableCaption')
            )}
          </figcaption>
        </figure>
        <dl className="facts">
          <div>
            <dt>{t('evidence.col.phase')}</dt>
            <dd>
              {phaseLabel(item.phase)}
              {step && <span className="fact-note">{t('item.phaseNote', { step })}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('evidence.col.added')}</dt>
            <dd>
              {formatTimestamp(item.createdAt)}
              {item.createdBy && (
                <span className="fact-note">{t('custody.by', { who: item.createdBy })}</span>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('item.origin')}</dt>
            <dd>{originLabel(item.origin)}</dd>
          </div>
          <div>
            <dt>{t('evidence.col.incidents')}</dt>
            <dd>
              <LinkedIncidents ids={item.incidentIds} />
              {canWrite && (
                <LinkIncident item={item} linked={new Set(item.incidentIds)} onLinked={(u) => changed(u)} />
              )}
            </dd>
          </div>
        </dl>
      </div>

      {item.sealed ? (
        <>
          <section aria-labelledby="sealed-heading" className="section">
            <h2 id="sealed-heading">{t('item.sealedHeading')}</h2>
            <p className="note">{t('item.sealedNote')}</p>
            <SealedFacts sealed={item.sealed} item={item} />
          </section>
          <section aria-labelledby="verification-heading" className="section">
            <h2 id="verification-heading">{t('item.verificationHeading')}</h2>
            <VerificationPanel item={item} canWrite={canWrite} onChanged={changed} />
          </section>
          <section aria-labelledby="custody-heading" className="section">
            <h2 id="custody-heading">{t('item.custodyHeading')}</h2>
            <CustodyTimeline itemId={item.id} version={version} />
          </section>
        </>
      ) : (
        <p className="note section">{t('item.restrictedNote')}</p>
      )}
    </article>
  );
}

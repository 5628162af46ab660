// The evidence section of an incident page: its items as thumbnails (publishable copies only), the table
// behind them, and for those who may add evidence, the upload form linked to this incident.
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { EvidenceItem, Page } from '../api/types.ts';
import { ErrorState, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { canReadSealed, canWriteEvidence } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useLoader } from '../lib/useApi.ts';
import { ItemGallery } from './ItemGallery.tsx';
import { ItemTable } from './ItemTable.tsx';
import { UploadForm } from './UploadForm.tsx';

export default function IncidentEvidence({ slug, incidentId }: { slug: string; incidentId: string }) {
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const [version, setVersion] = useState(0);
  const path = `/situations/${encodeURIComponent(slug)}/items?incident=${encodeURIComponent(incidentId)}&limit=500`;
  // Keyed by who is signed in too: signing in or out changes what may be seen.
  const { result, retry } = useLoader<Page<EvidenceItem>>(
    loaded ? `${path}#${user?.id ?? 'anon'}#${version}` : null,
    (signal) => api.get(path, signal),
  );
  const sealed = canReadSealed(user);
  return (
    <section aria-labelledby="evidence-heading" className="section">
      <h2 id="evidence-heading">{t('evidence.incidentHeading')}</h2>
      {!sealed && <p className="note">{t('evidence.publicNote')}</p>}
      {result.state === 'loading' && <Loading />}
      {result.state === 'error' && <ErrorState error={result.error} onRetry={retry} />}
      {result.state === 'ready' &&
        (result.data.items.length === 0 ? (
          <p>{t('evidence.noneForIncident')}</p>
        ) : (
          <>
            <p className="note">
              {tn('evidence.count', result.data.items.length)}{' '}
              <Link href={`/s/${encodeURIComponent(slug)}/evidence`}>{t('evidence.allOfSituation')}</Link>
            </p>
            <ItemGallery items={result.data.items} label={t('evidence.galleryLabel')} />
            <details className="table-toggle">
              <summary>{tn('evidence.showTable', result.data.items.length)}</summary>
              <ItemTable items={result.data.items} caption={t('evidence.incidentTableCaption')} />
            </details>
          </>
        ))}
      {canWriteEvidence(user) && (
        <div className="upload-box">
          <h3>{t('upload.heading')}</h3>
          <UploadForm slug={slug} incidentId={incidentId} onUploaded={() => setVersion((v) => v + 1)} />
        </div>
      )}
    </section>
  );
}

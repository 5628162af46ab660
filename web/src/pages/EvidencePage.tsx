// A situation's evidence: key figures, the items as thumbnails (publishable copies), the table behind them
// and, for those who may add evidence, the upload form. What a reader sees depends on their role: readers
// of sealed material see every item with its hash; others only items with a publishable copy.
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, query } from '../api/client.ts';
import type { EvidenceItem, Incident, Page, Situation } from '../api/types.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { CaptureForm } from '../evidence/CaptureForm.tsx';
import { CaptureJobs } from '../evidence/CaptureJobs.tsx';
import { ExportButton } from '../evidence/ExportButton.tsx';
import { ItemGallery } from '../evidence/ItemGallery.tsx';
import { ItemTable } from '../evidence/ItemTable.tsx';
import { SearchBox } from '../evidence/SearchBox.tsx';
import { UploadForm } from '../evidence/UploadForm.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { fetchAllIncidents } from '../lib/incidents.ts';
import { usePageTitle } from '../lib/page.ts';
import { canModerate, canReadSealed, canWriteEvidence } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi, useLoader } from '../lib/useApi.ts';

/** Every item of a situation the reader may see (pages of 500, following nextCursor). */
async function fetchAllItems(slug: string, signal: AbortSignal): Promise<EvidenceItem[]> {
  const all: EvidenceItem[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/situations/${encodeURIComponent(slug)}/items${query({ limit: 500, cursor })}`;
    const page: Page<EvidenceItem> = await api.get<Page<EvidenceItem>>(path, signal);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

const LATER_PHASES = new Set(['verification', 'investigative-analysis']);

/**
 * Whether the signed-in user acts in the situation's organisation (docs/organisations.md): always for a
 * situation of the installation, for members and for admins. The server decides; this only hides controls
 * a non-member would be refused.
 */
function actsIn(situation: Situation | null, role: string | undefined, organisations: { slug: string }[]) {
  const organisation = (situation as (Situation & { organisation?: string | null }) | null)?.organisation;
  return !organisation || role === 'admin' || organisations.some((o) => o.slug === organisation);
}

export default function EvidencePage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const [version, setVersion] = useState(0);
  const [captures, setCaptures] = useState(0);
  const situation = useApi<Situation>(`/situations/${encodeURIComponent(slug)}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('evidence.documentTitle', { name: sit.name }) : t('evidence.title'));
  const items = useLoader<EvidenceItem[]>(
    loaded ? `${slug}#${user?.id ?? 'anon'}#${version}` : null,
    (signal) => fetchAllItems(slug, signal),
  );
  const incidents = useLoader<Incident[]>(loaded ? `${slug}#${user?.id ?? 'anon'}` : null, (signal) =>
    fetchAllIncidents(slug, signal),
  );
  const incidentList = incidents.result.state === 'ready' ? incidents.result.data : null;
  const titles = useMemo(() => new Map((incidentList ?? []).map((i) => [i.id, i.title])), [incidentList]);
  const choices = useMemo(
    () =>
      [...(incidentList ?? [])]
        .sort((a, b) => a.start.localeCompare(b.start))
        .map((i) => ({ id: i.id, title: `${i.start} — ${i.title}` })),
    [incidentList],
  );
  const list = items.result.state === 'ready' ? items.result.data : null;
  const member = sit !== null && actsIn(sit, user?.role, session?.organisations ?? []);
  const sealed = canReadSealed(user) && member;
  const writer = canWriteEvidence(user) && member;
  // The figures point at the table below them, which is there only when there are items.
  const tableLink =
    list && list.length > 0 ? <a href="#evidence-table">{t('evidence.figure.tableSource')}</a> : null;

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('evidence.title')}</PageHeading>
      <p className="lead">{sealed ? t('evidence.leadSealed') : t('evidence.leadPublic')}</p>
      <p className="link-row">
        <Link href={`${base}/report`}>{t('report.title')}</Link>
        {canModerate(user) && member && <Link href={`${base}/reports`}>{t('reports.title')}</Link>}
      </p>
      <SearchBox slug={slug} />
      {situation.result.state === 'error' && (
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      )}
      {items.result.state === 'loading' && <Loading />}
      {items.result.state === 'error' && <ErrorState error={items.result.error} onRetry={items.retry} />}
      {list && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('evidence.figure.items')} value={formatNumber(list.length)}>
              {tableLink}
            </KeyFigure>
            <KeyFigure
              label={t('evidence.figure.linked')}
              value={formatNumber(list.filter((i) => i.incidentIds.length > 0).length)}
            >
              {tableLink}
            </KeyFigure>
            <KeyFigure
              label={t('evidence.figure.verification')}
              value={formatNumber(list.filter((i) => LATER_PHASES.has(i.phase)).length)}
            >
              <span className="figure-note">{t('evidence.figure.verificationNote')}</span>
              {tableLink}
            </KeyFigure>
            {sealed && (
              <KeyFigure
                label={t('evidence.figure.mismatch')}
                value={formatNumber(list.filter((i) => i.sealed?.typeMismatch).length)}
              >
                <span className="figure-note">{t('evidence.figure.mismatchNote')}</span>
                {tableLink}
              </KeyFigure>
            )}
          </dl>

          <section aria-labelledby="gallery-heading" className="section">
            <h2 id="gallery-heading">{t('evidence.gallery')}</h2>
            {list.length === 0 ? (
              <p>{sealed ? t('evidence.noneSealed') : t('evidence.nonePublic')}</p>
            ) : (
              <>
                <p className="note">{t('evidence.galleryNote')}</p>
                <ItemGallery items={list} label={t('evidence.galleryLabel')} />
              </>
            )}
          </section>

          {list.length > 0 && (
            <section aria-labelledby="evidence-table" className="section">
              <h2 id="evidence-table" tabIndex={-1}>
                {t('evidence.tableHeading')}
              </h2>
              <ItemTable
                items={list}
                caption={tn('evidence.tableCaption', list.length, { name: sit?.name ?? slug })}
                incidentTitles={titles}
              />
            </section>
          )}
        </>
      )}
      {writer && (
        <section aria-labelledby="upload-heading" className="section upload-box">
          <h2 id="upload-heading">{t('upload.heading')}</h2>
          <UploadForm slug={slug} incidents={choices} onUploaded={() => setVersion((v) => v + 1)} />
        </section>
      )}
      {writer && (
        <section aria-labelledby="capture-heading" className="section upload-box">
          <h2 id="capture-heading">{t('capture.heading')}</h2>
          <CaptureForm
            slug={slug}
            incidents={choices}
            onQueued={() => setCaptures((v) => v + 1)}
            onCaptured={() => {
              setVersion((v) => v + 1);
              setCaptures((v) => v + 1);
            }}
          />
        </section>
      )}
      {writer && (
        <section aria-labelledby="capture-jobs-heading" className="section">
          <h2 id="capture-jobs-heading">{t('evidence.captureJobs.heading')}</h2>
          <p className="note">{t('evidence.captureJobs.explain')}</p>
          <CaptureJobs slug={slug} version={captures} />
        </section>
      )}
      {sealed && (
        <section aria-labelledby="export-heading" className="section upload-box">
          <h2 id="export-heading">{t('export.heading')}</h2>
          <ExportButton slug={slug} />
        </section>
      )}
      {loaded && !user && (
        <p className="note section">
          <Link href="/login">{t('evidence.signInHint')}</Link>
        </p>
      )}
    </div>
  );
}

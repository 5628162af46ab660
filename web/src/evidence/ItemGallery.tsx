// Evidence items as cards: the publishable copy as a thumbnail (never the original), the title linking to
// the item's page, its protocol phase, and for readers of sealed material the hash, size, sniffed type and
// a visible flag when the bytes did not match the type claimed for them.
import { Link } from 'wouter';
import type { EvidenceItem } from '../api/types.ts';
import { t } from '../i18n/index.ts';
import { formatBytes, phaseLabel, shortHash } from './labels.ts';

export function MismatchFlag({ item }: { item: EvidenceItem }) {
  if (!item.sealed?.typeMismatch) return null;
  return (
    <span className="badge badge-warning">
      {t('evidence.mismatchBadge')}
      <span className="visually-hidden">
        {' '}
        {t('evidence.mismatchDetail', {
          claimed: item.sealed.claimedMime ?? item.sealed.claimedName ?? t('evidence.unknownType'),
          actual: item.sealed.mime,
        })}
      </span>
    </span>
  );
}

export function Thumbnail({ item, large = false }: { item: EvidenceItem; large?: boolean }) {
  const className = large ? 'evidence-thumb evidence-thumb-large' : 'evidence-thumb';
  if (item.publishable?.mime.startsWith('image/')) {
    return (
      <img
        className={className}
        src={item.publishable.url}
        alt={large ? t('evidence.publishableAlt', { title: item.title }) : ''}
        loading="lazy"
        decoding="async"
      />
    );
  }
  if (large && item.publishable?.mime.startsWith('video/')) {
    return (
      // biome-ignore lint/a11y/useMediaCaption: evidence footage has no captions; the page describes it
      <video
        className={className}
        src={item.publishable.url}
        controls
        preload="metadata"
        aria-label={t('evidence.publishableVideo', { title: item.title })}
      />
    );
  }
  if (item.publishable?.mime.startsWith('video/')) {
    // A card shows the copy's first frame; the item's page has the player.
    return (
      <video
        className={className}
        src={`${item.publishable.url}#t=0.1`}
        preload="metadata"
        muted
        aria-hidden="true"
        tabIndex={-1}
      />
    );
  }
  if (large && item.publishable?.mime.startsWith('audio/')) {
    return (
      // biome-ignore lint/a11y/useMediaCaption: evidence recordings have no captions; the page describes them
      <audio
        src={item.publishable.url}
        controls
        preload="metadata"
        aria-label={t('evidence.publishableAudio', { title: item.title })}
      />
    );
  }
  const type = item.sealed?.mime ?? item.publishable?.mime ?? '';
  return (
    <span className={`${className} evidence-thumb-none`} aria-hidden={large ? undefined : true}>
      <span className="evidence-thumb-type">{type.split('/')[1]?.toUpperCase() ?? '?'}</span>
      <span>{item.publishable ? t('evidence.publishableNoPreview') : t('evidence.noPublishable')}</span>
    </span>
  );
}

export function ItemGallery({ items, label }: { items: EvidenceItem[]; label: string }) {
  return (
    <ul className="evidence-gallery" aria-label={label}>
      {items.map((item) => (
        <li key={item.id} className="evidence-card">
          <Link href={`/items/${encodeURIComponent(item.id)}`} className="evidence-card-link">
            <Thumbnail item={item} />
            <span className="evidence-card-title">{item.title}</span>
          </Link>
          <p className="evidence-card-meta">
            <span className="badge badge-phase">{phaseLabel(item.phase)}</span>
            <MismatchFlag item={item} />
          </p>
          {item.sealed && (
            <p className="evidence-card-seal">
              <span className="hash" title={item.sealed.sha256}>
                <span className="visually-hidden">{t('evidence.sha256')} </span>
                {shortHash(item.sealed.sha256)}
              </span>
              <span>
                {item.sealed.mime} · {formatBytes(item.sealed.size)}
              </span>
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

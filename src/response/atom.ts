// An Atom 1.0 feed (RFC 4287) of a situation's measure status changes: one entry per change.
import type { FeedChange } from './schema.ts';
import { MEASURE_STATUSES } from './vocabulary.ts';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

export function statusChangesFeed(options: {
  situationSlug: string;
  situationName: string;
  /** Absolute base URL of the API (e.g. http://host/api/v1), for links and the feed id. */
  apiBase: string;
  changes: readonly FeedChange[];
}): string {
  const { apiBase, changes } = options;
  const selfUrl = `${apiBase}/situations/${options.situationSlug}/measures/feed.atom`;
  const updated =
    changes
      .map((c) => c.recordedAt)
      .sort()
      .at(-1) ?? '1970-01-01T00:00:00.000Z';
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(selfUrl)}</id>`,
    `  <title>${escapeXml(`Response measures: ${options.situationName}`)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>`,
    '  <generator>Vigil</generator>',
  ];
  for (const c of changes) {
    const title = `${c.measureTitle}: ${c.status.replaceAll('_', ' ')}${c.date ? ` (${c.date})` : ''}`;
    const lines = [
      `Status: ${c.status} (${MEASURE_STATUSES[c.status]})`,
      c.statusText ? `Source wording: ${c.statusText}` : null,
      c.date ? `Date: ${c.date}` : 'Date: not given by the source',
      c.note ? `Note: ${c.note}` : null,
      ...c.sources.map((s) => `Source: ${s.outlet ? `${s.outlet} ` : ''}${s.url}`),
      `Recorded by ${c.recordedBy} at ${c.recordedAt}`,
    ].filter((l): l is string => l !== null);
    out.push(
      '  <entry>',
      `    <id>urn:uuid:${c.id}</id>`,
      `    <title>${escapeXml(title)}</title>`,
      `    <updated>${c.recordedAt}</updated>`,
      `    <author><name>${escapeXml(c.recordedBy)}</name></author>`,
      `    <link rel="alternate" type="application/json" href="${escapeXml(`${apiBase}/measures/${c.measureId}`)}"/>`,
      `    <category term="${escapeXml(c.category)}"/>`,
      `    <content type="text">${escapeXml(lines.join('\n'))}</content>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}

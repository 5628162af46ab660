// The Atom 1.0 feed (RFC 4287) of a situation's public alerts: one entry per alert, updated as it changes.
import type { Alert } from './schema.ts';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

export function alertsFeed(options: {
  situationSlug: string;
  situationName: string;
  apiBase: string;
  alerts: readonly Alert[];
}): string {
  const { apiBase, alerts } = options;
  const selfUrl = `${apiBase}/situations/${options.situationSlug}/alerts.atom`;
  const updated =
    alerts
      .map((a) => a.updatedAt)
      .sort()
      .at(-1) ?? '1970-01-01T00:00:00.000Z';
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(selfUrl)}</id>`,
    `  <title>${escapeXml(`Alerts: ${options.situationName}`)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>`,
    '  <generator>Vigil</generator>',
  ];
  for (const a of alerts) {
    const lines = [
      a.message,
      `Severity: ${a.severity}; status: ${a.status}`,
      `Condition since ${a.startsOn}; raised ${a.firedOn}; last held ${a.lastHeldOn}${a.endedOn ? `; ended ${a.endedOn}` : ''}`,
      ...a.evidence.flatMap((e) => [
        `Evidence: ${e.kind} ${e.ref}`,
        ...e.sources.map((s) => `Source: ${s.outlet ? `${s.outlet} ` : ''}${s.url}`),
      ]),
    ];
    out.push(
      '  <entry>',
      `    <id>urn:uuid:${a.id}</id>`,
      `    <title>${escapeXml(`[${a.severity}] ${a.title}`)}</title>`,
      `    <updated>${a.updatedAt}</updated>`,
      `    <published>${a.createdAt}</published>`,
      `    <author><name>Vigil (${escapeXml(a.ruleName)})</name></author>`,
      `    <link rel="alternate" type="application/json" href="${escapeXml(`${apiBase}/alerts/${a.id}`)}"/>`,
      `    <category term="${escapeXml(a.kind)}"/>`,
      `    <content type="text">${escapeXml(lines.join('\n'))}</content>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}

// A printable assessment report: one self-contained HTML page (no scripts, no outside files) that prints
// cleanly to PDF from a browser. Everything taken from the database is escaped.
import { FRAMEWORK, FRAMEWORK_DOCUMENT, FRAMEWORK_TITLE } from './catalogue.ts';
import type { Assessment, MarkStatus } from './schema.ts';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const LABEL: Record<MarkStatus, string> = {
  absent: 'Absent',
  present: 'Present',
  'strongly-present': 'Strongly present',
  unknown: 'Unknown',
};

const GROUP: Record<string, string> = {
  common: 'Common risk factor',
  genocide: 'Specific risk factor: genocide',
  'crimes-against-humanity': 'Specific risk factor: crimes against humanity',
  'war-crimes': 'Specific risk factor: war crimes',
};

const STYLE = `
  body { font: 11pt/1.4 Georgia, 'Times New Roman', serif; margin: 2em auto; max-width: 52em; color: #111; }
  h1 { font-size: 18pt; margin-bottom: 0.2em; }
  h2 { font-size: 13pt; margin: 1.4em 0 0.3em; border-bottom: 1px solid #888; break-after: avoid; }
  .meta, .cite, .group { color: #444; font-size: 9.5pt; }
  table { border-collapse: collapse; width: 100%; font-size: 10pt; }
  th, td { border: 1px solid #bbb; padding: 0.3em 0.4em; vertical-align: top; text-align: left; }
  tr { break-inside: avoid; }
  .s-present { background: #fde9c8; } .s-strongly-present { background: #f7c1bb; font-weight: bold; }
  .s-absent { background: #e6f2e6; } .s-unknown { color: #666; }
  .links { font-family: monospace; font-size: 8.5pt; word-break: break-all; }
  .summary { white-space: pre-wrap; }
  @page { margin: 18mm; }
  @media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

export function renderReport(a: Assessment, situationName: string): string {
  const marks = new Map(a.marks.map((m) => [m.indicator, m]));
  const summaries = new Map(a.factors.map((f) => [f.factor, f]));
  const overview = a.factors
    .map(
      (f) =>
        `<tr class="s-${f.level}"><td>${f.factor}</td><td>${esc(f.title)}</td><td>${LABEL[f.level]}</td>` +
        `<td>${f.stronglyPresent}</td><td>${f.present}</td><td>${f.absent}</td><td>${f.unknown}</td></tr>`,
    )
    .join('\n');
  const sections = FRAMEWORK.map((factor) => {
    const s = summaries.get(factor.number);
    const rows = factor.indicators
      .map((i) => {
        const m = marks.get(i.id);
        const status = m?.status ?? 'unknown';
        const links = [
          ...(m?.incidents ?? []).map((id) => `<a href="/incidents/${esc(id)}">incident ${esc(id)}</a>`),
          ...(m?.items ?? []).map((id) => `<a href="/items/${esc(id)}">evidence ${esc(id)}</a>`),
        ].join('<br>');
        return (
          `<tr class="s-${status}"><td>${esc(i.id)}</td><td>${esc(i.text)}<div class="cite">${esc(i.cite.document)}, ${esc(i.cite.ref)}</div></td>` +
          `<td>${LABEL[status]}</td><td class="summary">${esc(m?.note ?? '')}</td><td class="links">${links}</td></tr>`
        );
      })
      .join('\n');
    const incomplete = factor.complete
      ? ''
      : '<p class="cite">Vigil does not yet carry every indicator the Framework lists under this factor.</p>';
    return `<section>
<h2>Risk Factor ${factor.number}: ${esc(factor.title)}</h2>
<p class="group">${GROUP[factor.group]} · ${esc(factor.cite.document)}, ${esc(factor.cite.ref)} · level: ${LABEL[s?.level ?? 'unknown']}</p>
${incomplete}
${rows ? `<table><thead><tr><th>No.</th><th>Indicator</th><th>Status</th><th>Note</th><th>Links</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : ''}
</section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${esc(situationName)}: risk assessment of ${esc(a.assessedOn)}</title>
<style>${STYLE}</style></head>
<body>
<h1>${esc(situationName)}: risk assessment of ${esc(a.assessedOn)}</h1>
${a.title ? `<p><strong>${esc(a.title)}</strong></p>` : ''}
<p class="meta">Assessed by ${esc(a.createdBy)} · last changed ${esc(a.updatedAt.slice(0, 10))} · assessment ${esc(a.id)}<br>
Indicators as numbered in the ${esc(FRAMEWORK_TITLE)}, UN document ${esc(FRAMEWORK_DOCUMENT)}; wording paraphrased by Vigil.</p>
${a.summary ? `<p class="summary">${esc(a.summary)}</p>` : ''}
<h2>Factor summary</h2>
<table><thead><tr><th>No.</th><th>Risk factor</th><th>Level</th><th>Strongly present</th><th>Present</th><th>Absent</th><th>Unknown</th></tr></thead>
<tbody>
${overview}
</tbody></table>
${sections}
</body></html>
`;
}

// Text extracted from sealed items for search: an HTML page without its tags, scripts and styles, or the
// text a rendered page showed. Derived from sealed bytes, so restricted like them.
import type { Queryable } from '../db/types.ts';

const MAX_TEXT = 1_000_000;

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  copy: '©',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The readable text of an HTML document: no tags, comments, scripts, styles or templates. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(script|style|noscript|template|svg)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<(br|\/p|\/div|\/li|\/h[1-6]|\/tr|\/title|\/section|\/article)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, ' '),
  )
    .replace(/[ \t\f\v\r\u00a0]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim()
    .slice(0, MAX_TEXT);
}

/** Keeps the text of an item for search (once; a duplicate item keeps its first text). */
export async function storeItemText(
  db: Queryable,
  itemId: string,
  method: string,
  text: string,
): Promise<void> {
  await db.query(
    'INSERT INTO evidence_texts (item_id, method, body) VALUES ($1, $2, $3) ON CONFLICT (item_id) DO NOTHING',
    [itemId, method, text.slice(0, MAX_TEXT)],
  );
}

/** The text of a PDF (every page, in order), or null when it holds none or cannot be parsed. */
export async function pdfText(data: Uint8Array): Promise<string | null> {
  try {
    const { extractText, getDocumentProxy } = await import('unpdf');
    const pdf = await getDocumentProxy(new Uint8Array(data));
    try {
      const { text } = await extractText(pdf, { mergePages: true });
      const clean = text
        .replace(/[ \t\f\v\r\u00a0]+/g, ' ')
        .replace(/ ?\n\s*/g, '\n')
        .trim();
      return clean ? clean.slice(0, MAX_TEXT) : null;
    } finally {
      await pdf.cleanup().catch(() => {});
    }
  } catch {
    return null;
  }
}

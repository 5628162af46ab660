// A printable postal letter (A4 PDF, pdf-lib): the sender's name and address, the date, the official's
// office address where a window envelope shows it, the subject and the letter, over as many pages as
// it needs. Built from the request and returned, never stored.
//
// Text is set in Noto Sans (SIL Open Font License, shipped by the @fontsource packages): Latin with its
// extensions, Greek, Cyrillic and Armenian, each script's subset embedded only when the letter uses it.
// A character no shipped font has is written as "?", and the answer says how many were replaced.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont } from 'pdf-lib';

export interface PostalLetter {
  senderName: string;
  senderAddress: string | null;
  recipientAddress: string;
  date: string;
  subject: string;
  body: string;
  /** Shown in the document's metadata. */
  campaignTitle: string;
}

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const MARGIN = 25 * MM;
const SIZE = 11;
const LEADING = 15;

const require = createRequire(import.meta.url);
const SUBSETS = [
  ['noto-sans', 'latin'],
  ['noto-sans', 'latin-ext'],
  ['noto-sans', 'greek'],
  ['noto-sans', 'greek-ext'],
  ['noto-sans', 'cyrillic'],
  ['noto-sans', 'cyrillic-ext'],
  ['noto-sans-armenian', 'armenian'],
] as const;

type Weight = 400 | 700;

/** The font files of a weight, in the order a character looks for its glyph. */
function fontFiles(weight: Weight): string[] {
  return SUBSETS.map(([pkg, subset]) =>
    require.resolve(`@fontsource/${pkg}/files/${pkg}-${subset}-${weight}-normal.woff`),
  );
}

/** One typeface over several script subsets: each character is set in the first subset that has it. */
class FontSet {
  private readonly loaded: (PDFFont | null)[];
  private readonly files: string[];
  private readonly charsets: Set<number>[] = [];

  private constructor(
    private readonly doc: PDFDocument,
    weight: Weight,
  ) {
    this.files = fontFiles(weight);
    this.loaded = this.files.map(() => null);
  }

  static async create(doc: PDFDocument, weight: Weight): Promise<FontSet> {
    const set = new FontSet(doc, weight);
    for (const file of set.files) set.charsets.push(new Set(fontkit.create(readFileSync(file)).characterSet));
    return set;
  }

  /** Which subset sets this character, or -1 when none has it. */
  indexOf(codePoint: number): number {
    return this.charsets.findIndex((c) => c.has(codePoint));
  }

  async font(index: number): Promise<PDFFont> {
    let font = this.loaded[index];
    if (!font) {
      font = await this.doc.embedFont(readFileSync(this.files[index]!), { subset: true });
      this.loaded[index] = font;
    }
    return font;
  }

  /** Text split into runs of one subset each; characters no subset has become "?" (counted). */
  async runs(text: string, replaced?: { count: number }): Promise<{ font: PDFFont; text: string }[]> {
    const runs: { font: PDFFont; text: string; index: number }[] = [];
    for (let ch of text.replace(/\t/g, '    ')) {
      let index = this.indexOf(ch.codePointAt(0)!);
      if (index < 0) {
        if (replaced) replaced.count++;
        ch = '?';
        index = this.indexOf(63);
      }
      const last = runs[runs.length - 1];
      if (last && last.index === index) last.text += ch;
      else runs.push({ font: await this.font(index), text: ch, index });
    }
    return runs;
  }

  async width(text: string): Promise<number> {
    let width = 0;
    for (const run of await this.runs(text)) width += run.font.widthOfTextAtSize(run.text, SIZE);
    return width;
  }
}

/** Breaks a paragraph into lines no wider than `width`. */
async function wrap(fonts: FontSet, text: string, width: number): Promise<string[]> {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word;
    const candidateWidth = await fonts.width(candidate);
    if (candidateWidth <= width || !line) {
      // A single word wider than the line is cut where it overflows.
      if (candidateWidth > width && !line) {
        let part = '';
        for (const ch of word) {
          if ((await fonts.width(part + ch)) > width) {
            lines.push(part);
            part = '';
          }
          part += ch;
        }
        line = part;
      } else line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

export async function postalLetterPdf(letter: PostalLetter): Promise<{ pdf: Uint8Array; replaced: number }> {
  const doc = await PDFDocument.create();
  doc.setTitle(letter.subject);
  doc.setSubject(letter.campaignTitle);
  doc.setAuthor(letter.senderName);
  doc.setCreator('Vigil');
  doc.setProducer('Vigil (pdf-lib)');
  doc.registerFontkit(fontkit);
  const font = await FontSet.create(doc, 400);
  const bold = await FontSet.create(doc, 700);
  const replaced = { count: 0 };
  const width = PAGE.width - 2 * MARGIN;
  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const write = async (text: string, options: { font?: FontSet; x?: number } = {}) => {
    const fonts = options.font ?? font;
    for (const line of await wrap(fonts, text, width)) {
      if (y < MARGIN + LEADING) {
        page = doc.addPage([PAGE.width, PAGE.height]);
        y = PAGE.height - MARGIN;
      }
      let x = options.x ?? MARGIN;
      for (const run of await fonts.runs(line, replaced)) {
        page.drawText(run.text, { x, y, size: SIZE, font: run.font });
        x += run.font.widthOfTextAtSize(run.text, SIZE);
      }
      y -= LEADING;
    }
  };
  // The sender, top right-aligned block (left edge at the page's middle).
  const senderX = PAGE.width / 2 + 10 * MM;
  const senderLines = [letter.senderName, ...(letter.senderAddress ?? '').split(/\r?\n/)].filter((l) =>
    l.trim(),
  );
  for (const line of senderLines)
    await write(line.trim(), { x: senderX, font: line === letter.senderName ? bold : font });
  // The recipient where a DL window envelope shows it (about 45 mm from the top).
  y = Math.min(y - LEADING, PAGE.height - 50 * MM);
  for (const line of letter.recipientAddress.split(/\r?\n/)) await write(line.trim());
  y -= LEADING;
  await write(letter.date, { x: senderX });
  y -= LEADING;
  await write(letter.subject, { font: bold });
  y -= LEADING / 2;
  for (const paragraph of letter.body.replace(/\r\n/g, '\n').split('\n')) {
    if (paragraph.trim() === '') y -= LEADING / 2;
    else await write(paragraph);
  }
  return { pdf: await doc.save(), replaced: replaced.count };
}

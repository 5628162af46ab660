// A printable postal letter (A4 PDF, pdf-lib): the sender's name and address, the date, the official's
// office address where a window envelope shows it, the subject and the letter, over as many pages as
// it needs. Built from the request and returned, never stored.
//
// pdf-lib's standard fonts encode WinAnsi (Western European) only: other characters are written without
// their accents where that makes them encodable, else as "?"; the answer says how many were replaced,
// and the web page then suggests copying the letter into a word processor instead.
import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';

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

/** Makes text encodable in the standard font: accents dropped where that helps, else "?". */
function encodable(font: PDFFont, text: string, replaced: { count: number }): string {
  let out = '';
  for (const ch of text.replace(/\t/g, '    ')) {
    if (fits(font, ch)) {
      out += ch;
      continue;
    }
    const plain = ch.normalize('NFD').replace(/\p{M}/gu, '');
    if (plain && fits(font, plain)) out += plain;
    else {
      out += '?';
      replaced.count++;
    }
  }
  return out;
}

function fits(font: PDFFont, text: string): boolean {
  try {
    font.encodeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Breaks a paragraph into lines no wider than `width`. */
function wrap(font: PDFFont, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, SIZE) <= width || !line) {
      // A single word wider than the line is cut where it overflows.
      if (font.widthOfTextAtSize(candidate, SIZE) > width && !line) {
        let part = '';
        for (const ch of word) {
          if (font.widthOfTextAtSize(part + ch, SIZE) > width) {
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
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const replaced = { count: 0 };
  const width = PAGE.width - 2 * MARGIN;
  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const write = (text: string, options: { font?: PDFFont; x?: number } = {}) => {
    const f = options.font ?? font;
    for (const line of wrap(f, encodable(f, text, replaced), width)) {
      if (y < MARGIN + LEADING) {
        page = doc.addPage([PAGE.width, PAGE.height]);
        y = PAGE.height - MARGIN;
      }
      page.drawText(line, { x: options.x ?? MARGIN, y, size: SIZE, font: f });
      y -= LEADING;
    }
  };
  // The sender, top right-aligned block (left edge at the page's middle).
  const senderX = PAGE.width / 2 + 10 * MM;
  const senderLines = [letter.senderName, ...(letter.senderAddress ?? '').split(/\r?\n/)].filter((l) =>
    l.trim(),
  );
  for (const line of senderLines)
    write(line.trim(), { x: senderX, font: line === letter.senderName ? bold : font });
  // The recipient where a DL window envelope shows it (about 45 mm from the top).
  y = Math.min(y - LEADING, PAGE.height - 50 * MM);
  for (const line of letter.recipientAddress.split(/\r?\n/)) write(line.trim());
  y -= LEADING;
  write(letter.date, { x: senderX });
  y -= LEADING;
  write(letter.subject, { font: bold });
  y -= LEADING / 2;
  for (const paragraph of letter.body.replace(/\r\n/g, '\n').split('\n')) {
    if (paragraph.trim() === '') y -= LEADING / 2;
    else write(paragraph);
  }
  return { pdf: await doc.save(), replaced: replaced.count };
}

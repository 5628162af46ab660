// A small, strict XML reader for list files (no XML package is installed, and node: has none). It
// builds a tree of elements with attributes and text, and refuses what is not well-formed: mismatched
// or unclosed tags, a second root, stray text outside the root, unknown entities. No DTDs, no namespaces
// beyond keeping prefixed names as written. Returns line numbers for error messages.

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  /** The element's own text (text of children not included). */
  text: string;
  line: number;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, line: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);|&/g, (match, body: string | undefined) => {
    if (!body) throw new XmlError('a bare "&" (write &amp;)', line);
    if (body.startsWith('#x')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    const value = ENTITIES[body];
    if (value === undefined) throw new XmlError(`unknown entity ${match}`, line);
    return value;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;

export function parseXml(source: string): XmlNode {
  const input = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  let i = 0;
  let line = 1;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (input.charCodeAt(k) === 10) line++;
    i = to;
  };
  const expectEnd = (marker: string, what: string) => {
    const end = input.indexOf(marker, i);
    if (end < 0) throw new XmlError(`unterminated ${what}`, line);
    return end;
  };
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > i) {
      const raw = input.slice(i, textEnd);
      const top = stack.at(-1);
      if (top) top.text += decode(raw, line);
      else if (raw.trim()) throw new XmlError('text outside the root element', line);
      advance(textEnd);
      if (lt < 0) break;
    }
    if (input.startsWith('<?', i)) {
      advance(expectEnd('?>', 'processing instruction') + 2);
    } else if (input.startsWith('<!--', i)) {
      advance(expectEnd('-->', 'comment') + 3);
    } else if (input.startsWith('<![CDATA[', i)) {
      const end = expectEnd(']]>', 'CDATA section');
      const top = stack.at(-1);
      if (!top) throw new XmlError('CDATA outside the root element', line);
      top.text += input.slice(i + 9, end);
      advance(end + 3);
    } else if (input.startsWith('<!', i)) {
      throw new XmlError('DOCTYPE and other declarations are not accepted', line);
    } else if (input.startsWith('</', i)) {
      const end = expectEnd('>', 'end tag');
      const name = input.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open) throw new XmlError(`end tag </${name}> without a start tag`, line);
      if (open.name !== name)
        throw new XmlError(`end tag </${name}> does not close <${open.name}> (line ${open.line})`, line);
      advance(end + 1);
    } else {
      const end = expectEnd('>', 'start tag');
      let body = input.slice(i + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const nameMatch = NAME.exec(body);
      if (!nameMatch) throw new XmlError(`malformed tag <${body.slice(0, 40)}>`, line);
      const node: XmlNode = { name: nameMatch[0], attributes: {}, children: [], text: '', line };
      const attrs = body.slice(nameMatch[0].length);
      const attrPattern = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/gy;
      let pos = 0;
      for (;;) {
        attrPattern.lastIndex = pos;
        const m = attrPattern.exec(attrs);
        if (!m) break;
        node.attributes[m[1]!] = decode(m[3] ?? m[4] ?? '', line);
        pos = attrPattern.lastIndex;
      }
      if (attrs.slice(pos).trim()) throw new XmlError(`malformed attributes in <${node.name}>`, line);
      const parent = stack.at(-1);
      if (parent) parent.children.push(node);
      else if (root) throw new XmlError(`a second root element <${node.name}>`, line);
      else root = node;
      if (!selfClosing) stack.push(node);
      advance(end + 1);
    }
  }
  if (stack.length)
    throw new XmlError(`<${stack.at(-1)!.name}> (line ${stack.at(-1)!.line}) is never closed`, line);
  if (!root) throw new XmlError('no root element', line);
  return root;
}

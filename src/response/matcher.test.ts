import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUNDLED_LISTS_DIR, ListFormatError, readListPath, readOfac, readUn } from './lists.ts';
import { canonical, NameIndex, transliterate } from './matcher.ts';
import { parseXml } from './xml.ts';

describe('transliteration and canonical spelling', () => {
  it('reads Cyrillic, Armenian, Arabic and Azerbaijani letters in Latin', () => {
    assert.equal(transliterate('Рамзан Кадыров'), 'ramzan kadyrov');
    assert.equal(transliterate('Նիկոլ Փաշինյան'), 'nikol pashinyan');
    assert.equal(transliterate('Əliyev İlham'), 'aliyev ilham');
    assert.equal(transliterate('Cəmil Qasımov'), 'jamil kasimov', 'c and q read the Azerbaijani way');
    assert.equal(transliterate('محمد'), 'mhmd');
  });

  it('collapses romanisation variants to one spelling', () => {
    const same = (a: string, b: string) => assert.equal(canonical(a), canonical(b), `${a} ~ ${b}`);
    same('aliyev', 'aliev');
    same('sargsyan', 'sargsian');
    same('dzhamal', 'jamal');
    same('khalid', 'halid');
    same('tchaikovsky', 'chaikovski');
    same('ivanoff', 'ivanov');
    same('kadyrow', 'kadyrov');
  });
});

describe('screening against a small list', () => {
  const entries = [
    { ref: 0, names: [{ name: 'KADYROV, Ramzan Akhmatovich', kind: 'primary' as const }] },
    {
      ref: 1,
      names: [
        { name: 'MAMMADOV, Elnur Huseyn oglu', kind: 'primary' as const },
        { name: 'MAMEDOV, Elnur', kind: 'aka' as const },
      ],
    },
    { ref: 2, names: [{ name: 'SARGSYAN, Vardan', kind: 'primary' as const }] },
    { ref: 3, names: [{ name: 'AL-ASSAD, Bushra', kind: 'primary' as const }] },
    { ref: 4, names: [{ name: 'BANCO NACIONAL DE CUBA', kind: 'primary' as const }] },
  ];
  const index = new NameIndex(entries);
  const top = (name: string) => index.screen(name, { threshold: 0.8 })[0];

  it('finds a known name reordered, and says so', () => {
    const m = top('Ramzan Kadyrov');
    assert.equal(m?.ref, 0);
    assert.ok(m.score >= 0.85);
    assert.ok(m.reasons.includes('name parts in a different order'));
  });

  it('finds it with a typo', () => {
    const m = top('Ramzan Kadryov');
    assert.equal(m?.ref, 0);
    assert.ok(
      m.reasons.some((r) => /spelled close to|sounds like/.test(r)),
      m.reasons.join('; '),
    );
  });

  it('finds it in another romanisation and in Cyrillic script', () => {
    assert.equal(top('Ramzan Kadyrow')?.ref, 0);
    const cyrillic = top('Кадыров Рамзан Ахматович');
    assert.equal(cyrillic?.ref, 0);
    assert.ok(cyrillic.reasons.some((r) => r.startsWith('transliterated from cyrillic')));
  });

  it('reads Azerbaijani spelling and Russian-style -ov, and patronymic markers', () => {
    const m = top('Elnur Məmmədov');
    assert.equal(m?.ref, 1);
    assert.equal(top('Mamedov Elnur')?.ref, 1);
    assert.equal(top('Elnur Mammadov Huseyn oglu')?.ref, 1, 'oglu is a patronymic marker');
  });

  it('matches Armenian -yan/-ian and the Armenian script', () => {
    assert.equal(top('Vardan Sargsian')?.ref, 2);
    assert.equal(top('Վարդան Սարգսյան')?.ref, 2);
  });

  it('accepts initials for given names', () => {
    const m = top('R. Kadyrov');
    assert.equal(m?.ref, 0);
    assert.ok(m.reasons.some((r) => r.startsWith('initial "R."')));
  });

  it('does not match different people who share one name part', () => {
    assert.equal(top('Bashar al-Assad'), undefined, 'Bashar is not Bushra');
    assert.equal(top('Ramzan Ivanov'), undefined);
    assert.equal(top('Anna Smith'), undefined);
    assert.deepEqual(index.screen('   '), []);
  });

  it('names the alias it matched', () => {
    const m = index.screen('Elnur Mamedov', { threshold: 0.8 })[0];
    assert.equal(m?.ref, 1);
    assert.equal(m.matchedKind, 'aka');
  });
});

describe('list files', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lists-'));
    dirs.push(dir);
    cpSync(BUNDLED_LISTS_DIR, dir, { recursive: true });
    return dir;
  };

  it('reads the bundled OFAC snapshot: -0- is empty, the Ctrl-Z line is skipped, aliases attached', () => {
    const list = readOfac(BUNDLED_LISTS_DIR);
    assert.equal(list.source, 'ofac-sdn');
    assert.equal(list.entries.length, 8976);
    assert.equal(list.publishedAt, null, 'the CSV files carry no date');
    assert.match(list.sha256, /^[0-9a-f]{64}$/);
    assert.equal(list.files.length, 3);
    const cuba = list.entries.find((e) => e.entryId === '306');
    assert.equal(cuba?.name, 'BANCO NACIONAL DE CUBA');
    assert.equal(cuba.details.title, undefined, '-0- means empty');
    assert.ok(cuba.aliases.some((a) => a.name === 'NATIONAL BANK OF CUBA'));
    assert.ok((cuba.details.addresses as string[])[0]!.includes('Zurich'));
  });

  it('reads the bundled UN list with its generation date', () => {
    const list = readUn(join(BUNDLED_LISTS_DIR, 'UN_consolidated.xml'));
    assert.equal(list.publishedAt, '2026-02-27T00:00:09.554Z');
    assert.equal(list.entries.length, 1003);
    assert.ok(list.entries.some((e) => e.entryType === 'entity'));
  });

  it('refuses malformed and unknown files with the file, line and reason', () => {
    const dir = copy();
    const sdn = join(dir, 'ofac-sdn.csv');
    writeFileSync(sdn, readFileSync(sdn, 'latin1').replace('173,"ANGLO', '173,"ANGLO",x,"'), 'latin1');
    assert.throws(
      () => readOfac(dir),
      (e: unknown) => e instanceof ListFormatError && e.file === 'ofac-sdn.csv',
    );
    writeFileSync(sdn, 'abc,"NAME",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n');
    assert.throws(() => readOfac(dir), /ofac-sdn\.csv:1: entry number "abc"/);
    writeFileSync(sdn, '1,"NAME",-0- \r\n');
    assert.throws(() => readOfac(dir), /ofac-sdn\.csv:1: 3 columns where 12 were expected/);
    const un = join(dir, 'UN_consolidated.xml');
    writeFileSync(un, readFileSync(un, 'utf8').replace('</INDIVIDUAL>', '</INDIVIDUALX>'));
    assert.throws(() => readUn(un), /UN_consolidated\.xml:\d+: end tag <\/INDIVIDUALX> does not close/);
    writeFileSync(un, '<?xml version="1.0"?><sanctionsData/>');
    assert.throws(() => readUn(un), /unknown list format/);
    const other = join(dir, 'list.json');
    writeFileSync(other, '{"entries": []}');
    assert.throws(() => readListPath(other), /unknown list format/);
    assert.throws(() => readOfac(join(dir, 'nowhere')), /not a folder/);
  });

  it('parses well-formed XML and refuses what is not', () => {
    const root = parseXml('<?xml version="1.0"?>\n<a x="1 &amp; 2"><b>t&lt;<![CDATA[<raw>]]></b><c/></a>');
    assert.equal(root.attributes.x, '1 & 2');
    assert.equal(root.children[0]!.text, 't<<raw>');
    assert.throws(() => parseXml('<a><b></a>'), /does not close/);
    assert.throws(() => parseXml('<a></a><b/>'), /second root/);
    assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity/);
    assert.throws(() => parseXml('<a>'), /never closed/);
  });
});

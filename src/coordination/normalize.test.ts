import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanString, isMissing, normaliseUrl, parseList, parseTime, textWords } from './normalize.ts';

describe('parseTime', () => {
  const t = Date.UTC(2024, 2, 4, 12, 30, 0) / 1000;
  it('normalises mixed formats and zones to the same UTC instant', () => {
    for (const v of [
      '2024-03-04T12:30:00Z',
      '2024-03-04T12:30:00.000Z',
      '2024-03-04T14:30:00+02:00',
      '2024-03-04T07:30:00-0500',
      '2024-03-04 12:30',
      '2024-03-04 12:30:00 UTC',
      'Mon Mar 04 12:30:00 +0000 2024',
      'Mon, 04 Mar 2024 12:30:00 GMT',
      String(t),
      t,
      t * 1000,
      `${t * 1000}`,
    ]) {
      assert.equal(parseTime(v), t, `for ${v}`);
    }
  });
  it('treats a time without zone as UTC, whatever the machine zone', () => {
    assert.equal(parseTime('2024-03-04T12:30:00'), t);
  });
  it('rejects placeholders and garbage', () => {
    for (const v of ['', 'NA', 'null', 'yesterday', '2024-13-45T99:00:00Z', {}, null])
      assert.equal(parseTime(v), null);
  });
});

describe('normaliseUrl', () => {
  it('lower-cases the host, drops www, scheme, fragment and tracking parameters', () => {
    const a = normaliseUrl('https://WWW.Example.org/Path/?utm_source=x&b=2&fbclid=abc&a=1#frag');
    const b = normaliseUrl('http://example.org/Path?a=1&b=2&utm_medium=social');
    assert.equal(a, 'example.org/Path?a=1&b=2');
    assert.equal(a, b);
  });
  it('is null for placeholders, empty strings and non-web values', () => {
    for (const v of ['', ' ', 'NA', 'nan', 'None', 'mailto:x@y.org', 'not a url', null, undefined]) {
      assert.equal(normaliseUrl(v), null, `for ${String(v)}`);
    }
  });
});

describe('list cells and placeholders', () => {
  it('parses JSON, Python-style and loose lists', () => {
    assert.deepEqual(parseList('["a","b"]'), ['a', 'b']);
    assert.deepEqual(parseList("['a', 'b']"), ['a', 'b']);
    assert.deepEqual(parseList('[a, b]'), ['a', 'b']);
    assert.deepEqual(parseList('a b;c|d'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(parseList('NA'), []);
    assert.deepEqual(parseList('[]'), []);
    assert.deepEqual(parseList(['x', '', 'NA', null]), ['x']);
  });
  it('knows what is missing', () => {
    for (const v of ['', 'NA', 'n/a', 'NaN', 'null', 'None', '  ', null, undefined, Number.NaN]) {
      assert.equal(isMissing(v), true);
    }
    assert.equal(cleanString(' 12 '), '12');
    assert.equal(cleanString(12), '12');
    assert.equal(isMissing('Nancy'), false);
  });
});

describe('textWords', () => {
  it('drops links, mentions and the retweet prefix; keeps hashtag words', () => {
    assert.deepEqual(textWords('RT @someone: Hello, WORLD! https://t.co/x #Peace @other hello'), [
      'hello',
      'world',
      'peace',
    ]);
  });
  it('handles non-Latin scripts', () => {
    assert.deepEqual(textWords('Привет мир, привет'), ['привет', 'мир']);
  });
});

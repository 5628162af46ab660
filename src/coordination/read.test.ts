// Input adapters and the streaming reader. Fixtures follow the formats' public documentation:
// Twitter/X API v2 (tweet object with entities/referenced_tweets, response `includes.users`), the Twitter/X
// transparency "information operations" archive CSV header, and Telegram Desktop's "Export chat history"
// JSON (messages with text entities, service messages, forwarded_from).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TELEGRAM, TWITTER_V2 } from './fixtures.ts';
import { CoordinationInputError, readPosts } from './read.ts';
import type { Post, ReadStats } from './types.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-coord-read-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(
  name: string,
  content: string | Buffer,
  strict = false,
): Promise<{ posts: Post[]; stats: ReadStats }> {
  const file = join(dir, name);
  await writeFile(file, content);
  const posts: Post[] = [];
  const stats = await readPosts([file], { format: 'auto', strict }, (p) => posts.push(p));
  return { posts, stats };
}

const ARCHIVE_HEADER =
  'tweetid,userid,user_display_name,user_screen_name,user_reported_location,user_profile_description,user_profile_url,follower_count,following_count,account_creation_date,account_language,tweet_language,tweet_text,tweet_time,tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices';

describe('normalised JSON Lines and CSV', () => {
  it('reads JSON Lines with mixed time formats to UTC', async () => {
    const lines = [
      { id: '1', author: 'a', created_at: '2024-03-04T14:30:00+02:00', text: 'x', urls: ['https://e.org'] },
      { id: '2', author: 'b', created_at: 1709555400, text: 'y' },
      { id: '3', author: 'c', created_at: '2024-03-04 12:30', text: 'z', hashtags: '#A #b' },
    ];
    const { posts, stats } = await read('mixed.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
    assert.equal(stats.posts, 3);
    assert.deepEqual(
      posts.map((p) => p.createdAt),
      [1709555400, 1709555400, 1709555400],
    );
    assert.deepEqual(posts[2]?.hashtags, ['a', 'b']);
  });

  it('counts malformed lines with their line numbers and names the missing field', async () => {
    const content = [
      JSON.stringify({ id: '1', author: 'a', created_at: '2024-03-04T12:00:00Z' }),
      '{"id": "2", "author": ',
      JSON.stringify({ id: '3', created_at: '2024-03-04T12:00:00Z' }),
      '',
      JSON.stringify({ id: '4', author: 'd', created_at: 'soon' }),
      JSON.stringify({ id: '5', author: 'e', created_at: '2024-03-04T12:00:00Z' }),
    ].join('\n');
    const { stats } = await read('bad.jsonl', content);
    assert.equal(stats.posts, 2);
    assert.equal(stats.malformed, 3);
    assert.deepEqual(
      stats.malformedSamples.map((m) => m.line),
      [2, 3, 5],
    );
    assert.match(stats.malformedSamples[1]?.reason ?? '', /missing required field 'author'/);
    assert.match(stats.malformedSamples[2]?.reason ?? '', /invalid created_at 'soon'/);
  });

  it('--strict makes the first malformed record fatal, with file and line', async () => {
    const content = `${JSON.stringify({ id: '1', author: 'a', created_at: '2024-03-04T12:00:00Z' })}\n{"id":"2","created_at":"2024-03-04T12:00:00Z"}\n`;
    await assert.rejects(read('strict.jsonl', content, true), (err: Error) => {
      assert.ok(err instanceof CoordinationInputError);
      assert.match(err.message, /strict\.jsonl:2: missing required field 'author'/);
      return true;
    });
    const csv = 'id,author,created_at\n1,a,2024-03-04T12:00:00Z\n2,,2024-03-04T12:00:00Z\n';
    await assert.rejects(read('strict.csv', csv, true), /strict\.csv:3: missing required field 'author'/);
  });

  it('stops a large file at its first malformed record while the next chunk is being read', async () => {
    // Three MiB of valid lines after the bad one: the reader has the next chunk in flight when the error
    // comes; the error is what the caller gets, and the same file reads in full without --strict.
    const good = `${JSON.stringify({ id: 'n', author: 'a', created_at: 1709555400, text: 'fine' })}\n`;
    const content = `${good}{"id":"2"}\n${good.repeat(Math.ceil((3 << 20) / good.length))}`;
    await assert.rejects(
      read('strict-large.jsonl', content, true),
      /strict-large\.jsonl:2: missing required field/,
    );
    const { stats } = await read('strict-large.jsonl', content);
    assert.equal(stats.malformed, 1);
    assert.equal(stats.posts, 1 + Math.ceil((3 << 20) / good.length));
  });

  it('reads CSV with a spreadsheet index column and NA placeholders that are never accounts or links', async () => {
    const csv = [
      ',id,author,created_at,text,urls,repost_of',
      '0,1,alice,2024-03-04T12:00:00Z,hello,NA,NA',
      '1,2,NA,2024-03-04T12:00:01Z,hello,,',
      '2,3,,2024-03-04T12:00:02Z,hello,,',
      '3,4,bob,2024-03-04T12:00:03Z,"with, comma","[\'https://e.org/x\']",',
      '4,5,carol,2024-03-04T12:00:04Z,bad row',
    ].join('\n');
    const { posts, stats } = await read('index.csv', csv);
    assert.deepEqual(
      posts.map((p) => p.author),
      ['alice', 'bob'],
    );
    assert.deepEqual(posts[0]?.urls, []);
    assert.equal(posts[0]?.repostOf, null);
    assert.deepEqual(posts[1]?.urls, ['https://e.org/x']);
    assert.equal(posts[1]?.text, 'with, comma');
    assert.equal(stats.malformed, 3);
    assert.deepEqual(
      stats.malformedSamples.map((m) => m.line),
      [3, 4, 6],
    );
  });

  it('reads gzip transparently, whatever the file is called', async () => {
    const content = `${JSON.stringify({ id: '1', author: 'a', created_at: '2024-03-04T12:00:00Z', text: 'hi' })}\n`;
    const a = await read('posts.jsonl.gz', gzipSync(content));
    const b = await read('posts.data', gzipSync(content));
    assert.equal(a.posts.length, 1);
    assert.equal(b.posts.length, 1);
  });

  it('gives nothing, not a crash, for empty files', async () => {
    for (const [name, content] of [
      ['empty.jsonl', ''],
      ['empty.csv', ''],
      ['header-only.csv', 'id,author,created_at\n'],
      ['blank.json', '\n\n'],
      ['empty.jsonl.gz', gzipSync('')],
    ] as const) {
      const { posts, stats } = await read(name, content);
      assert.equal(posts.length, 0, name);
      assert.equal(stats.malformed, 0, name);
    }
  });

  it('reads lines across chunks whole, and numbers records alike when a second pass passes most over', async () => {
    // Lines longer than a read (1 MiB), a character of three bytes at every chunk boundary, a byte-order
    // mark, CRLF, and lines that are blank only as Unicode sees them (a no-break space, a BOM).
    const long = 'ж'.repeat(700_000);
    const lines = [
      `\uFEFF${JSON.stringify({ id: '1', author: 'a', created_at: 1709555400, text: 'first' })}\r`,
      JSON.stringify({ id: '2', author: 'b', created_at: 1709555401, text: long }),
      '\u00a0 ',
      JSON.stringify({ id: '3', author: 'c', created_at: 1709555402, text: `€${long}€` }),
      '\uFEFF',
      '{"id": "4", "author": ',
      `${JSON.stringify({ id: '5', author: 'e', created_at: 1709555403, text: 'last' })}\r`,
    ];
    const file = join(dir, 'long-lines.jsonl');
    await writeFile(file, lines.join('\n'));
    const all: { id: string; record: number; length: number }[] = [];
    const stats = await readPosts([file], { format: 'auto', strict: false }, (p, record) =>
      all.push({ id: p.id, record, length: p.text.length }),
    );
    assert.deepEqual(all, [
      { id: '1', record: 0, length: 5 },
      { id: '2', record: 1, length: 700_000 },
      { id: '3', record: 2, length: 700_002 },
      { id: '5', record: 4, length: 4 },
    ]);
    assert.deepEqual(
      stats.malformedSamples.map((m) => m.line),
      [6],
    );
    const asked: number[] = [];
    const some: { id: string; record: number }[] = [];
    await readPosts(
      [file],
      {
        format: 'auto',
        strict: false,
        selectRecord: (r) => {
          asked.push(r);
          return r === 2 || r === 4;
        },
      },
      (p, record) => some.push({ id: p.id, record }),
    );
    assert.deepEqual(some, [
      { id: '3', record: 2 },
      { id: '5', record: 4 },
    ]);
    assert.ok(!asked.includes(5), 'no record beyond the last');
  });

  it('says so, and how much was not read, when a first line too long to wait for is followed by more', async () => {
    const first = JSON.stringify({ id: '1', author: 'a', created_at: 1709555400, text: 'x'.repeat(9 << 20) });
    const second = JSON.stringify({ id: '2', author: 'b', created_at: 1709555401, text: 'y' });
    const { posts, stats } = await read('long-first-line.jsonl', `${first}\n${second}\n`);
    assert.deepEqual(
      posts.map((p) => p.id),
      ['1'],
    );
    assert.equal(stats.malformed, 1);
    assert.match(
      stats.malformedSamples[0]?.reason ?? '',
      /longer than 8 MiB.*the rest of the file was not read/,
    );
    await assert.rejects(
      read('long-first-line.jsonl', `${first}\n${second}\n`, true),
      /rest of the file was not read/,
    );
  });

  it('names a file that cannot be read', async () => {
    await assert.rejects(
      readPosts([join(dir, 'missing.jsonl')], { format: 'auto', strict: false }, () => {}),
      /cannot read input file/,
    );
  });
});

describe('Twitter/X API v2', () => {
  it('reads a pretty-printed response with includes (users, retweets, replies, entities)', async () => {
    const { posts, stats } = await read('response.json', JSON.stringify(TWITTER_V2, null, 2));
    assert.equal(stats.formats[join(dir, 'response.json')], 'twitter-v2');
    assert.equal(posts.length, 3);
    const [original, retweet, reply] = posts as [Post, Post, Post];
    assert.equal(original.author, '2244994945');
    assert.equal(original.authorName, 'TwitterDev');
    assert.equal(original.followers, 527960);
    assert.equal(original.authorCreatedAt, Date.UTC(2013, 11, 14, 4, 35, 55) / 1000);
    assert.deepEqual(original.hashtags, ['twitterdev']);
    assert.deepEqual(original.urls, [
      'https://developer.twitter.com/en/docs/twitter-api?utm_source=twitter&utm_medium=social',
    ]);
    assert.equal(retweet.repostOf, '1460323737035677698');
    assert.equal(reply.replyTo, '1460323737035677698');
    assert.equal(reply.repostOf, null);
  });

  it('reads one response per line (as twarc2 writes them), gzipped', async () => {
    const line = JSON.stringify(TWITTER_V2);
    const { posts } = await read('tweets.jsonl.gz', gzipSync(`${line}\n${line}\n`));
    assert.equal(posts.length, 6);
  });
});

describe('Twitter/X information-operations archive', () => {
  it('reads the archive CSV layout', async () => {
    const blank = (n: number): string => ','.repeat(n);
    const rows = [
      ARCHIVE_HEADER,
      // tweetid..tweet_time and the retweet columns, then hashtags and urls as the archive writes them.
      `901,u_hash1,Disp,screen1,Somewhere,desc,,120,50,2017-01-05,en,en,"Hello #World https://t.co/a",2018-03-04 12:30,Twitter Web Client,,,,False,,,absent,absent,0,0,1,0,[World],['https://example.com/x?utm_source=a'],[],`,
      `902,u_hash2,Disp2,screen2,,,,5,1,2017-01-06,en,en,"RT @screen1: Hello",2018-03-04 12:31,Twitter for Android,,,,True,u_hash1,901,absent,absent,0,0,0,0,[],[],[],`,
      `903,u_hash3${blank(12)}2018-03-04 12:32${blank(17)}`,
    ];
    const { posts, stats } = await read('archive.csv', rows.join('\n'));
    assert.equal(stats.formats[join(dir, 'archive.csv')], 'twitter-ioa');
    assert.equal(posts.length, 3);
    const [a, b] = posts as [Post, Post];
    assert.equal(a.author, 'u_hash1');
    assert.equal(a.authorName, 'screen1');
    assert.equal(a.createdAt, Date.UTC(2018, 2, 4, 12, 30) / 1000);
    assert.equal(a.authorCreatedAt, Date.UTC(2017, 0, 5) / 1000);
    assert.equal(a.followers, 120);
    assert.deepEqual(a.hashtags, ['world']);
    assert.deepEqual(a.urls, ['https://example.com/x?utm_source=a']);
    assert.equal(b.repostOf, '901');
    assert.equal(a.repostOf, null);
  });
});

describe('Telegram Desktop export', () => {
  it('reads messages, skips service messages, and turns forwards into repost objects', async () => {
    const { posts, stats } = await read('result.json', JSON.stringify(TELEGRAM, null, 1));
    assert.equal(stats.formats[join(dir, 'result.json')], 'telegram');
    assert.equal(stats.skipped, 1);
    assert.equal(posts.length, 2);
    const [post, forward] = posts as [Post, Post];
    assert.equal(post.id, '1234567890:2');
    assert.equal(post.author, 'channel1234567890');
    assert.equal(post.createdAt, 1646129100);
    assert.equal(post.text, 'Read this https://example.org/a?utm_source=tg now #News');
    assert.deepEqual(post.urls, ['https://example.org/a?utm_source=tg']);
    assert.deepEqual(post.hashtags, ['news']);
    assert.equal(forward.author, 'user111');
    assert.deepEqual(forward.urls, ['https://example.net/b']);
    assert.match(forward.repostOf ?? '', /^tg-fwd:Other Channel:/);
    assert.equal(forward.replyTo, '1234567890:2');
  });

  it('reads a full export with several chats', async () => {
    const full = { about: 'export', chats: { about: '', list: [TELEGRAM, { ...TELEGRAM, id: 99 }] } };
    const { posts } = await read('full.json', JSON.stringify(full, null, 2));
    assert.equal(posts.length, 4);
    assert.equal(posts[2]?.id, '99:2');
  });
});

// Adapters: turn one raw record of a supported format into a normalised Post, or say what is wrong.
// Formats: Vigil's normalised JSON Lines / CSV, the Twitter/X API v2 response (tweets + includes), the
// Twitter/X information-operations archive CSV, and Telegram Desktop's JSON export.

import type { JsonDecision, JsonPathPart, JsonStreamHandler, JsonValueKind } from './jsonstream.ts';
import {
  cleanString,
  hashString,
  hashtagsFromText,
  isMissing,
  normaliseHashtag,
  parseList,
  parseTime,
  urlsFromText,
} from './normalize.ts';
import type { Post } from './types.ts';

export type Converted = { post: Post } | { error: string } | { skip: true };
type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = cleanString(v);
  if (s === null) return null;
  const n = Number(s.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

function hashtagsOf(list: string[]): string[] {
  const out: string[] = [];
  for (const t of list) {
    const h = normaliseHashtag(t);
    if (h !== null) out.push(h);
  }
  return out;
}

/** Field aliases accepted in the normalised format (first is canonical). */
const FIELDS = {
  id: ['id', 'post_id'],
  platform: ['platform'],
  author: ['author', 'author_id', 'account'],
  author_name: ['author_name', 'username', 'screen_name'],
  created_at: ['created_at', 'timestamp', 'time'],
  text: ['text', 'content'],
  urls: ['urls'],
  hashtags: ['hashtags'],
  repost_of: ['repost_of', 'retweet_of', 'forward_of'],
  reply_to: ['reply_to', 'in_reply_to'],
  lang: ['lang', 'language'],
  author_created_at: ['author_created_at'],
  followers: ['followers', 'followers_count'],
} as const;

function field(raw: Raw, name: keyof typeof FIELDS): unknown {
  for (const key of FIELDS[name]) if (key in raw) return raw[key];
  return undefined;
}

/** One record of Vigil's normalised format (a parsed JSON line, or a CSV row keyed by header). */
export function fromNormalised(raw: Raw): Converted {
  const id = cleanString(field(raw, 'id'));
  if (id === null) return { error: "missing required field 'id'" };
  const author = cleanString(field(raw, 'author'));
  if (author === null) return { error: "missing required field 'author'" };
  const rawTime = field(raw, 'created_at');
  if (isMissing(rawTime)) return { error: "missing required field 'created_at'" };
  const createdAt = parseTime(rawTime);
  if (createdAt === null) return { error: `invalid created_at '${String(rawTime).slice(0, 40)}'` };
  const textValue = field(raw, 'text');
  const text = typeof textValue === 'string' && !isMissing(textValue) ? textValue : '';
  const urlsValue = field(raw, 'urls');
  const tagsValue = field(raw, 'hashtags');
  // When a column is absent altogether, links and hashtags are read from the text.
  const urls = urlsValue === undefined ? urlsFromText(text) : parseList(urlsValue);
  const hashtags = hashtagsOf(tagsValue === undefined ? hashtagsFromText(text) : parseList(tagsValue));
  const authorCreatedRaw = field(raw, 'author_created_at');
  return {
    post: {
      id,
      platform: cleanString(field(raw, 'platform')) ?? 'unknown',
      author,
      authorName: cleanString(field(raw, 'author_name')),
      createdAt,
      text,
      urls,
      hashtags,
      repostOf: cleanString(field(raw, 'repost_of')),
      replyTo: cleanString(field(raw, 'reply_to')),
      lang: cleanString(field(raw, 'lang')),
      authorCreatedAt: isMissing(authorCreatedRaw) ? null : parseTime(authorCreatedRaw),
      followers: num(field(raw, 'followers')),
    },
  };
}

// ---------------------------------------------------------------- Twitter/X API v2

interface V2User {
  username: string | null;
  createdAt: number | null;
  followers: number | null;
}

/** Users of a v2 response's `includes.users`, by id. */
export function v2Users(includes: unknown): Map<string, V2User> {
  const users = new Map<string, V2User>();
  const list = isRecord(includes) && Array.isArray(includes.users) ? includes.users : [];
  for (const u of list) {
    if (!isRecord(u)) continue;
    const id = cleanString(u.id);
    if (id === null) continue;
    const metrics = isRecord(u.public_metrics) ? u.public_metrics : {};
    users.set(id, {
      username: cleanString(u.username) ?? cleanString(u.name),
      createdAt: parseTime(u.created_at),
      followers: num(metrics.followers_count),
    });
  }
  return users;
}

/** One tweet object of the v2 API (`data[]`), with the users of the same response's `includes`. */
export function fromTwitterV2(tweet: Raw, users: Map<string, V2User>): Converted {
  const id = cleanString(tweet.id);
  if (id === null) return { error: "missing required field 'id'" };
  // twarc2's flattened tweets carry the user inline as `author`.
  const inline = isRecord(tweet.author) ? tweet.author : null;
  const author = cleanString(tweet.author_id) ?? (inline ? cleanString(inline.id) : null);
  if (author === null) return { error: "missing required field 'author_id'" };
  if (isMissing(tweet.created_at)) return { error: "missing required field 'created_at'" };
  const createdAt = parseTime(tweet.created_at);
  if (createdAt === null) return { error: `invalid created_at '${String(tweet.created_at).slice(0, 40)}'` };
  const user =
    users.get(author) ??
    (inline ? v2Users({ users: [inline] }).get(author) : undefined) ??
    ({ username: null, createdAt: null, followers: null } satisfies V2User);
  const entities = isRecord(tweet.entities) ? tweet.entities : {};
  const urls: string[] = [];
  for (const u of Array.isArray(entities.urls) ? entities.urls : []) {
    if (!isRecord(u)) continue;
    const link = cleanString(u.unwound_url) ?? cleanString(u.expanded_url) ?? cleanString(u.url);
    if (link !== null) urls.push(link);
  }
  const tags: string[] = [];
  for (const h of Array.isArray(entities.hashtags) ? entities.hashtags : []) {
    if (isRecord(h) && typeof h.tag === 'string') tags.push(h.tag);
  }
  let repostOf: string | null = null;
  let replyTo: string | null = null;
  for (const ref of Array.isArray(tweet.referenced_tweets) ? tweet.referenced_tweets : []) {
    if (!isRecord(ref)) continue;
    if (ref.type === 'retweeted') repostOf = cleanString(ref.id);
    else if (ref.type === 'replied_to') replyTo = cleanString(ref.id);
  }
  const text = typeof tweet.text === 'string' ? tweet.text : '';
  return {
    post: {
      id,
      platform: 'twitter',
      author,
      authorName: user.username,
      createdAt,
      text,
      urls,
      hashtags: hashtagsOf(tags),
      repostOf,
      replyTo,
      lang: cleanString(tweet.lang),
      authorCreatedAt: user.createdAt,
      followers: user.followers,
    },
  };
}

export function isTwitterV2Response(v: unknown): v is Raw {
  return isRecord(v) && (Array.isArray(v.data) || (isRecord(v.data) && 'text' in v.data) || 'includes' in v);
}

export function isTwitterV2Tweet(v: unknown): v is Raw {
  return isRecord(v) && 'text' in v && ('author_id' in v || 'edit_history_tweet_ids' in v);
}

/** All tweets of one v2 response object. */
export function twitterV2ResponseTweets(response: Raw): { tweets: unknown[]; users: Map<string, V2User> } {
  const data = response.data;
  const tweets = Array.isArray(data) ? data : isRecord(data) ? [data] : [];
  return { tweets, users: v2Users(response.includes) };
}

// ---------------------------------------------------------------- Twitter/X information-operations archive

export function isTwitterArchiveHeader(columns: string[]): boolean {
  return columns.includes('tweetid') && columns.includes('userid');
}

const TRUE = new Set(['true', '1', 'yes', 't']);

/** One row of the Twitter/X transparency (information operations) archive, keyed by its header. */
export function fromTwitterArchive(row: Raw): Converted {
  const id = cleanString(row.tweetid);
  if (id === null) return { error: "missing required field 'tweetid'" };
  const author = cleanString(row.userid);
  if (author === null) return { error: "missing required field 'userid'" };
  if (isMissing(row.tweet_time)) return { error: "missing required field 'tweet_time'" };
  const createdAt = parseTime(row.tweet_time);
  if (createdAt === null) return { error: `invalid tweet_time '${String(row.tweet_time).slice(0, 40)}'` };
  const isRetweet = typeof row.is_retweet === 'string' && TRUE.has(row.is_retweet.trim().toLowerCase());
  const text = typeof row.tweet_text === 'string' && !isMissing(row.tweet_text) ? row.tweet_text : '';
  return {
    post: {
      id,
      platform: 'twitter',
      author,
      authorName: cleanString(row.user_screen_name) ?? cleanString(row.user_display_name),
      createdAt,
      text,
      urls: parseList(row.urls),
      hashtags: hashtagsOf(parseList(row.hashtags)),
      repostOf: isRetweet ? cleanString(row.retweet_tweetid) : null,
      replyTo: cleanString(row.in_reply_to_tweetid),
      lang: cleanString(row.tweet_language),
      authorCreatedAt: isMissing(row.account_creation_date) ? null : parseTime(row.account_creation_date),
      followers: num(row.follower_count),
    },
  };
}

// ---------------------------------------------------------------- Telegram Desktop export

export function isTelegramExport(v: unknown): v is Raw {
  return isRecord(v) && (Array.isArray(v.messages) || (isRecord(v.chats) && Array.isArray(v.chats.list)));
}

/** The chats of an export: a single chat ({name, id, messages}) or a full export ({chats: {list}}). */
export function telegramChats(doc: Raw): Raw[] {
  if (Array.isArray(doc.messages)) return [doc];
  const chats = isRecord(doc.chats) && Array.isArray(doc.chats.list) ? doc.chats.list : [];
  return chats.filter(isRecord);
}

function telegramText(text: unknown): string {
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) return '';
  return text
    .map((part) => (typeof part === 'string' ? part : isRecord(part) ? String(part.text ?? '') : ''))
    .join('');
}

/** One message of a Telegram Desktop chat export. Service messages (joins, pins) are skipped. */
export function fromTelegram(message: Raw, chat: Raw): Converted {
  if (message.type !== undefined && message.type !== 'message') return { skip: true };
  const chatId = cleanString(chat.id) ?? cleanString(chat.name) ?? 'chat';
  const msgId = cleanString(message.id);
  if (msgId === null) return { error: "missing required field 'id'" };
  // Channel posts carry the channel as sender; fall back to the chat itself.
  const author = cleanString(message.from_id) ?? cleanString(message.actor_id) ?? `channel${chatId}`;
  const rawTime = isMissing(message.date_unixtime) ? message.date : message.date_unixtime;
  if (isMissing(rawTime)) return { error: "missing required field 'date'" };
  // `date` is local time without a zone in older exports; read as UTC (documented limit).
  const createdAt = parseTime(rawTime);
  if (createdAt === null) return { error: `invalid date '${String(rawTime).slice(0, 40)}'` };
  const text = telegramText(message.text);
  const urls: string[] = [];
  const tags: string[] = [];
  const entities = Array.isArray(message.text_entities)
    ? message.text_entities
    : Array.isArray(message.text)
      ? message.text
      : [];
  for (const e of entities) {
    if (!isRecord(e)) continue;
    if (e.type === 'link' && typeof e.text === 'string') urls.push(e.text);
    else if (e.type === 'text_link' && typeof e.href === 'string') urls.push(e.href);
    else if (e.type === 'hashtag' && typeof e.text === 'string') tags.push(e.text);
  }
  // The export names the source of a forward but not the original message: the source plus the text
  // identifies it. A forward without text cannot be identified and is not a repost object.
  const forwardedFrom = cleanString(message.forwarded_from);
  const repostOf =
    forwardedFrom !== null && text.trim() !== ''
      ? `tg-fwd:${forwardedFrom}:${hashString(text.trim()).toString(36)}`
      : null;
  const replyId = cleanString(message.reply_to_message_id);
  return {
    post: {
      id: `${chatId}:${msgId}`,
      platform: 'telegram',
      author,
      authorName: cleanString(message.from) ?? cleanString(message.actor) ?? cleanString(chat.name),
      createdAt,
      text,
      urls,
      hashtags: hashtagsOf(tags),
      repostOf,
      replyTo: replyId === null ? null : `${chatId}:${replyId}`,
      lang: null,
      authorCreatedAt: null,
      followers: null,
    },
  };
}

/** Dispatches one parsed JSON value of unknown shape; calls `emit` once per record found in it. */
export function convertJsonValue(value: unknown, emit: (c: Converted) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) convertJsonValue(item, emit);
    return;
  }
  if (!isRecord(value)) {
    emit({ error: 'not a JSON object' });
    return;
  }
  if (isTelegramExport(value)) {
    for (const chat of telegramChats(value)) {
      for (const m of Array.isArray(chat.messages) ? chat.messages : []) {
        emit(isRecord(m) ? fromTelegram(m, chat) : { error: 'message is not an object' });
      }
    }
    return;
  }
  if (isTwitterV2Response(value)) {
    const { tweets, users } = twitterV2ResponseTweets(value);
    for (const t of tweets) emit(isRecord(t) ? fromTwitterV2(t, users) : { error: 'tweet is not an object' });
    return;
  }
  if (isTwitterV2Tweet(value)) {
    emit(fromTwitterV2(value, new Map()));
    return;
  }
  emit(fromNormalised(value));
}

// ---------------------------------------------------------------- Whole JSON documents, streamed

/** Top-level parts of a Telegram Desktop full export that hold no chat messages. */
const TELEGRAM_OTHER_PARTS = new Set([
  'personal_information',
  'profile_pictures',
  'contacts',
  'frequent_contacts',
  'left_chats',
  'other_data',
  'stories',
]);

/**
 * Turns the values a JsonStreamScanner hands over into posts, one message or tweet at a time: a Telegram
 * Desktop export (one chat `{name, id, messages}` or a full export `{chats: {list}}`), a Twitter/X API v2
 * response (`{data, includes}`), an array of any records `convertJsonValue` reads, or a single record.
 *
 * A v2 response names its users in `includes`, which the API writes after `data`: when `data` comes
 * first, its tweets are left for a second pass over the file (`needsDataPass`, then a handler made with
 * `dataPass`), so that neither part is ever held whole. A chat's own fields (`id`, `name`) are read
 * before its messages, the order in which Telegram Desktop writes them.
 */
export class DocumentPosts implements JsonStreamHandler {
  format: 'json' | 'telegram' | 'twitter-v2' = 'json';
  /** `data` came before `includes.users`: its tweets need a second pass with `dataPass()`. */
  needsDataPass = false;
  private readonly users: Map<string, V2User>;
  private usersRead = false;
  private pendingTweet: { tweet: unknown; line: number } | null = null;
  private readonly root: Raw = {};
  private chat: Raw = {};
  private streamed = false;
  private rootIsArray = false;

  constructor(
    private readonly emit: (c: Converted, line: number) => void,
    private readonly onlyData = false,
    users?: Map<string, V2User>,
  ) {
    this.users = users ?? new Map();
    if (onlyData) this.usersRead = true;
  }

  /** The handler of the second pass: only the tweets of `data`, with the users the first pass read. */
  dataPass(emit: (c: Converted, line: number) => void): DocumentPosts {
    return new DocumentPosts(emit, true, this.users);
  }

  decide(path: readonly JsonPathPart[], kind: JsonValueKind): JsonDecision {
    const depth = path.length;
    if (depth === 0) {
      this.rootIsArray = kind === 'array';
      return kind === 'scalar' ? 'capture' : 'descend';
    }
    if (this.rootIsArray) return 'capture';
    const top = path[0];
    if (this.onlyData) {
      if (top !== 'data') return 'skip';
      return depth === 1 && kind === 'array' ? 'descend' : depth === 2 ? 'capture' : 'skip';
    }
    if (depth === 1) {
      if (top === 'messages' && kind === 'array') {
        this.format = 'telegram';
        this.streamed = true;
        this.chat = this.root;
        return 'descend';
      }
      if (top === 'chats' && kind === 'object') return 'descend';
      if (top === 'data' && (kind === 'array' || kind === 'object')) {
        this.format = 'twitter-v2';
        this.streamed = true;
        if (kind === 'object') return 'capture';
        if (this.usersRead) return 'descend';
        this.needsDataPass = true;
        return 'skip';
      }
      if (top === 'includes' && kind === 'object') {
        this.format = 'twitter-v2';
        this.streamed = true;
        return 'descend';
      }
      return TELEGRAM_OTHER_PARTS.has(String(top)) ? 'skip' : 'capture';
    }
    if (top === 'messages') return depth === 2 ? 'capture' : 'skip';
    if (top === 'data') return depth === 2 ? 'capture' : 'skip';
    if (top === 'includes') {
      if (path[1] !== 'users') return 'skip';
      return depth === 2 && kind === 'array' ? 'descend' : depth === 3 ? 'capture' : 'skip';
    }
    if (top === 'chats') {
      if (path[1] !== 'list') return 'skip';
      if (depth === 2) {
        if (kind !== 'array') return 'skip';
        this.format = 'telegram';
        this.streamed = true;
        return 'descend';
      }
      if (depth === 3) {
        this.chat = {};
        return kind === 'object' ? 'descend' : 'skip';
      }
      if (depth === 4) return path[3] === 'messages' && kind === 'array' ? 'descend' : 'capture';
      return depth === 5 ? 'capture' : 'skip';
    }
    return 'skip';
  }

  value(path: readonly JsonPathPart[], value: unknown, line: number): void {
    const depth = path.length;
    if (depth === 0 || this.rootIsArray) {
      convertJsonValue(value, (c) => this.emit(c, line));
      return;
    }
    const top = path[0];
    if (top === 'data') {
      if (depth === 1 && !this.usersRead) this.pendingTweet = { tweet: value, line };
      else
        this.emit(
          isRecord(value) ? fromTwitterV2(value, this.users) : { error: 'tweet is not an object' },
          line,
        );
      return;
    }
    if (top === 'messages' && depth === 2) {
      this.emit(
        isRecord(value) ? fromTelegram(value, this.chat) : { error: 'message is not an object' },
        line,
      );
      return;
    }
    if (top === 'includes') {
      for (const [id, user] of v2Users({ users: [value] })) this.users.set(id, user);
      return;
    }
    if (top === 'chats') {
      if (depth === 5) {
        this.emit(
          isRecord(value) ? fromTelegram(value, this.chat) : { error: 'message is not an object' },
          line,
        );
      } else if (depth === 4) this.chat[String(path[3])] = value;
      return;
    }
    if (depth === 1) this.root[String(top)] = value;
  }

  invalid(_path: readonly JsonPathPart[], message: string, line: number): void {
    this.emit({ error: `invalid JSON (${message.slice(0, 80)})` }, line);
  }

  close(path: readonly JsonPathPart[]): void {
    if (path.length === 1 && path[0] === 'includes') this.usersRead = true;
  }

  /** After the scanner has ended: a document that was one record, or a lone tweet waiting for users. */
  finish(): void {
    if (this.onlyData) return;
    if (this.pendingTweet) {
      const { tweet, line } = this.pendingTweet;
      this.emit(
        isRecord(tweet) ? fromTwitterV2(tweet, this.users) : { error: 'tweet is not an object' },
        line,
      );
    }
    if (!this.streamed && !this.rootIsArray && Object.keys(this.root).length > 0) {
      convertJsonValue(this.root, (c) => this.emit(c, 1));
    }
  }
}

// Test fixtures for the input formats, written from their public documentation: a Twitter/X API v2
// response (tweet objects with entities and referenced_tweets, `includes.users`) and a Telegram Desktop
// "Export chat history" JSON chat (messages with text entities, a service message, a forward); and a
// builder of normalised posts for the engine's tests.
import type { Post } from './types.ts';

/** A normalised post with nothing but what is given: no text, links, hashtags or account fields. */
export function makePost(fields: Partial<Post> & { id: string; author: string; createdAt: number }): Post {
  return {
    platform: 'test',
    authorName: null,
    text: '',
    urls: [],
    hashtags: [],
    repostOf: null,
    replyTo: null,
    lang: null,
    authorCreatedAt: null,
    followers: null,
    ...fields,
  };
}

export const TWITTER_V2 = {
  data: [
    {
      id: '1460323737035677698',
      text: 'Introducing a new era for the Twitter Developer Platform! https://t.co/3xgtmZIpa8 #TwitterDev',
      author_id: '2244994945',
      created_at: '2021-11-15T19:08:05.000Z',
      lang: 'en',
      edit_history_tweet_ids: ['1460323737035677698'],
      entities: {
        urls: [
          {
            start: 58,
            end: 81,
            url: 'https://t.co/3xgtmZIpa8',
            expanded_url:
              'https://developer.twitter.com/en/docs/twitter-api?utm_source=twitter&utm_medium=social',
            display_url: 'developer.twitter.com/en/docs/twitt…',
          },
        ],
        hashtags: [{ start: 82, end: 93, tag: 'TwitterDev' }],
      },
    },
    {
      id: '1460324000000000000',
      text: 'RT @TwitterDev: Introducing a new era for the Twitter Developer Platform! https://t.co/3xgtmZIpa8',
      author_id: '783214',
      created_at: '2021-11-15T19:09:00.000Z',
      lang: 'en',
      referenced_tweets: [{ type: 'retweeted', id: '1460323737035677698' }],
    },
    {
      id: '1460324000000000001',
      text: '@TwitterDev nice',
      author_id: '783214',
      created_at: '2021-11-15T19:10:00.000Z',
      referenced_tweets: [{ type: 'replied_to', id: '1460323737035677698' }],
    },
  ],
  includes: {
    users: [
      {
        id: '2244994945',
        name: 'Twitter Dev',
        username: 'TwitterDev',
        created_at: '2013-12-14T04:35:55.000Z',
        public_metrics: {
          followers_count: 527960,
          following_count: 2040,
          tweet_count: 3885,
          listed_count: 1930,
        },
      },
      { id: '783214', name: 'Twitter', username: 'Twitter', created_at: '2007-02-20T14:35:54.000Z' },
    ],
  },
  meta: { newest_id: '1460324000000000001', oldest_id: '1460323737035677698', result_count: 3 },
};

export const TELEGRAM = {
  name: 'Example Channel',
  type: 'public_channel',
  id: 1234567890,
  messages: [
    {
      id: 1,
      type: 'service',
      date: '2022-03-01T10:00:00',
      date_unixtime: '1646128800',
      actor: 'Example Channel',
      actor_id: 'channel1234567890',
      action: 'create_channel',
      title: 'Example Channel',
      text: '',
      text_entities: [],
    },
    {
      id: 2,
      type: 'message',
      date: '2022-03-01T10:05:00',
      date_unixtime: '1646129100',
      from: 'Example Channel',
      from_id: 'channel1234567890',
      text: [
        'Read this ',
        { type: 'link', text: 'https://example.org/a?utm_source=tg' },
        ' now ',
        { type: 'hashtag', text: '#News' },
      ],
      text_entities: [
        { type: 'plain', text: 'Read this ' },
        { type: 'link', text: 'https://example.org/a?utm_source=tg' },
        { type: 'plain', text: ' now ' },
        { type: 'hashtag', text: '#News' },
      ],
    },
    {
      id: 3,
      type: 'message',
      date: '2022-03-01T10:06:00',
      date_unixtime: '1646129160',
      from: 'Alice',
      from_id: 'user111',
      forwarded_from: 'Other Channel',
      reply_to_message_id: 2,
      text: [{ type: 'text_link', text: 'this', href: 'https://example.net/b' }, ' is forwarded'],
      text_entities: [
        { type: 'text_link', text: 'this', href: 'https://example.net/b' },
        { type: 'plain', text: ' is forwarded' },
      ],
    },
  ],
};

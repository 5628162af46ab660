// Letters by each official's route (e-mail through SMTP on the supporter's behalf, contact form, postal
// PDF), the unchanged-template warning, and the "did they reply?" question two weeks later, driven by an
// injectable clock (no waiting), against a real SMTP server on localhost.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { extractText, getDocumentProxy } from 'unpdf';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import { testOfficial } from '../../test/support/officials.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../../test/support/smtp.ts';
import { ANONYMOUS, type Role } from '../auth/permissions.ts';
import { storeSnapshots } from '../officials/service.ts';
import type { DirectorySnapshot } from '../officials/types.ts';
import { insertSituation } from '../situations/service.ts';
import {
  answerReply,
  confirmLetter,
  letterSummary,
  REPLY_QUESTION_DELAY_MS,
  replyQuestion,
  sendLetter,
} from './letters.ts';
import { deliverOutbox, type MailSender, smtpSender } from './mail.ts';
import { eraseSupporter, TokenError } from './petitions.ts';

const DAY = 24 * 3600 * 1000;

const person = testOfficial;

// Three WA officials, one per route, and an Oregon senator the campaign does not target.
const SNAPSHOT: DirectorySnapshot = {
  source: 'us-congress',
  country: 'US',
  loadedFrom: 'test',
  officials: [
    person('L000001', 'Ann Form', { contactForm: 'https://form.senate.example/contact' }),
    person('L000002', 'Bob Post', {}),
    person('L000003', 'Cy Mail', {
      chamber: 'house',
      title: 'Representative',
      district: 7,
      email: 'cy@house.example',
    }),
    person('L000004', 'Dee Elsewhere', { region: 'OR' }),
  ],
  committees: [],
  memberships: [],
};

const TEMPLATE =
  'Dear {{official.title}} {{official.family_name}},\n\nPlease {{campaign.ask}}.\n\n{{supporter.name}}';

describeEachDatabase('campaign letters', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const ids: Record<string, string> = {};
  const secret = Buffer.alloc(32, 9);
  let smtp: SmtpReceiver;
  let sender: MailSender;
  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, role?: Role) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: role ? bearer(tokens[role]) : {},
      payload: payload as never,
    });
  const outbox = () =>
    getDb().query<{ kind: string; to_address: string; body: string; next_attempt_at: Date }>(
      'SELECT kind, to_address, body, next_attempt_at FROM campaign_outbox ORDER BY created_at, kind',
    );
  // Quoted-printable: join soft line breaks and decode =XX.
  const decoded = (mail: string) =>
    mail
      .replace(/\r\n[ \t]+/g, ' ')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  const codeIn = (body: string) => /Confirmation code \(if the link does not open\): (\S+)/.exec(body)![1]!;

  before(async () => {
    const db = getDb();
    await storeSnapshots(db, [SNAPSHOT]);
    for (const row of await db.query<{ id: string; external_id: string }>(
      'SELECT id, external_id FROM officials',
    ))
      ids[row.external_id] = row.id;
    await insertSituation(db, {
      slug: 'letters',
      name: 'Letters',
      startsOn: '2022-12-12',
      visibility: 'public',
    });
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
    const created = await api(
      'POST',
      '/situations/letters/campaigns',
      {
        slug: 'write-them',
        title: 'Write to them',
        ask: 'sanction the officials responsible for the blockade',
        targetRules: [{ state: 'WA' }],
        letterSubject: 'From a constituent',
        letterTemplate: TEMPLATE,
      },
      'organiser',
    );
    assert.equal(created.statusCode, 201, created.body);
    smtp = await startSmtpReceiver();
    sender = smtpSender({ url: smtp.url, from: 'Vigil <campaigns@vigil.test>' });
  });
  after(async () => {
    sender?.close?.();
    await smtp?.close();
  });

  it('refuses bad letters: no address for an e-mail route, an invalid address, unknown or untargeted officials', async () => {
    const letter = { subject: 'S', text: 'Hello', name: 'Sam Supporter' };
    const noEmail = await api('POST', '/campaigns/write-them/letters', { ...letter, official: 'L000003' });
    assert.equal(noEmail.statusCode, 400);
    assert.match(noEmail.json().detail, /email: is required/);
    const invalid = await api('POST', '/campaigns/write-them/letters', {
      ...letter,
      official: 'L000003',
      email: 'sam@',
    });
    assert.equal(invalid.statusCode, 400);
    assert.match(JSON.stringify(invalid.json()), /email/);
    const unknown = await api('POST', '/campaigns/write-them/letters', { ...letter, official: 'NOBODY1' });
    assert.equal(unknown.statusCode, 404);
    const untargeted = await api('POST', '/campaigns/write-them/letters', { ...letter, official: 'L000004' });
    assert.equal(untargeted.statusCode, 400);
    assert.match(untargeted.json().detail, /Dee Elsewhere is not a target of this campaign/);
    const noCampaign = await api('POST', '/campaigns/no-such/letters', { ...letter, official: 'L000001' });
    assert.equal(noCampaign.statusCode, 404);
    assert.equal((await outbox()).length, 0, 'nothing queued');
    assert.equal((await getDb().query('SELECT 1 FROM campaign_letters')).length, 0, 'nothing recorded');
  });

  it('e-mails a letter on the supporter’s behalf once confirmed, then asks two weeks later whether they replied', async () => {
    const db = getDb();
    const t0 = Date.parse('2024-03-04T10:00:00Z');
    const options = { secret, baseUrl: 'https://vigil.example.org', now: t0 };
    const text =
      'Dear Representative Mail,\n\nMy family fled Stepanakert in 2023. Please sanction the officials responsible for the blockade.\n\nSam Supporter';
    const receipt = await sendLetter(
      db,
      'write-them',
      { official: 'L000003', subject: 'From Seattle', text, name: 'Sam Supporter', email: 'Sam@Example.org' },
      options,
    );
    assert.equal(receipt.status, 'awaiting-confirmation');
    assert.equal(receipt.route, 'email');
    assert.equal(receipt.unchanged, false);
    let queued = await outbox();
    assert.deepEqual(
      queued.map((m) => [m.kind, m.to_address]),
      [['letter-confirmation', 'sam@example.org']],
      'nothing goes to the official before the sender confirms',
    );
    const token = codeIn(queued[0]!.body);
    assert.match(queued[0]!.body, /https:\/\/vigil\.example\.org\/confirm-letter\?token=/);

    // A forged token, and the real one after its 7 days, are refused.
    await assert.rejects(confirmLetter(db, `${token.slice(0, -2)}xx`, options), TokenError);
    await assert.rejects(confirmLetter(db, token, { ...options, now: t0 + 8 * DAY }), /expired/);

    const confirmed = await confirmLetter(db, token, { ...options, now: t0 + 3600_000 });
    assert.equal(confirmed.alreadyConfirmed, false);
    assert.equal(confirmed.replyQuestionDue, new Date(t0 + 3600_000 + REPLY_QUESTION_DELAY_MS).toISOString());
    const again = await confirmLetter(db, token, { ...options, now: t0 + 7200_000 });
    assert.equal(again.alreadyConfirmed, true);
    queued = await outbox();
    assert.deepEqual(queued.map((m) => m.kind).sort(), [
      'letter',
      'letter-confirmation',
      'letter-reply-question',
    ]);
    const [pending] = await db.query<{ pending_body: string | null }>(
      'SELECT pending_body FROM campaign_letters',
    );
    assert.equal(pending!.pending_body, null, 'the text is not kept once queued');

    // Delivery at the confirmation time: the confirmation and the letter go, the question waits.
    assert.deepEqual(await deliverOutbox(db, sender, { now: new Date(t0 + 3600_000) }), {
      sent: 2,
      failed: 0,
    });
    const toOfficial = smtp.messages.find((m) => m.to[0] === 'cy@house.example')!;
    assert.ok(toOfficial, 'the letter reached the official over SMTP');
    const mail = decoded(toOfficial.text);
    assert.match(
      mail,
      /^From: "Sam Supporter via Vigil campaign \\"Write to them\\"" <campaigns@vigil\.test>/m,
    );
    assert.match(mail, /^Reply-To: sam@example\.org/m);
    assert.match(mail, /^Subject: From Seattle/m);
    assert.match(mail, /sent through the campaign "Write to them" on Vigil/);
    assert.match(mail, /My family fled Stepanakert in 2023\./);
    assert.equal(
      toOfficial.from,
      'campaigns@vigil.test',
      'the envelope is the campaign’s, not the supporter’s',
    );

    assert.deepEqual(
      await deliverOutbox(db, sender, { now: new Date(t0 + 13 * DAY) }),
      { sent: 0, failed: 0 },
      'not asked before two weeks',
    );
    assert.deepEqual(await deliverOutbox(db, sender, { now: new Date(t0 + 14 * DAY + 2 * 3600_000) }), {
      sent: 1,
      failed: 0,
    });
    const question = decoded(smtp.messages.find((m) => /Subject: Did Cy Mail reply\?/.test(m.text))!.text);
    const replyToken = decodeURIComponent(
      /https:\/\/vigil\.example\.org\/letter-reply\?token=(\S+)/.exec(question)![1]!,
    );
    const shown = await replyQuestion(db, replyToken, { secret, now: t0 + 15 * DAY });
    assert.deepEqual(shown, {
      campaign: 'write-them',
      campaignTitle: 'Write to them',
      official: 'Cy Mail',
      writtenOn: '2024-03-04',
      answer: null,
    });
    await assert.rejects(
      answerReply(
        db,
        { token: replyToken, replied: false, statedPosition: 'supports' },
        { secret, now: t0 + 15 * DAY },
      ),
      /statedPosition/,
    );
    await answerReply(db, { token: replyToken, replied: false }, { secret, now: t0 + 15 * DAY });
    await answerReply(
      db,
      { token: replyToken, replied: true, statedPosition: 'supports' },
      { secret, now: t0 + 22 * DAY },
    );
    assert.equal((await replyQuestion(db, replyToken, { secret, now: t0 + 23 * DAY })).answer, true);
    await assert.rejects(
      answerReply(db, { token: replyToken, replied: true }, { secret, now: t0 + 80 * DAY }),
      /expired/,
    );
    await assert.rejects(
      answerReply(db, { token: token, replied: true }, { secret, now: t0 + DAY }),
      /not valid/,
      'a confirmation token is no reply token',
    );
    const summary = await letterSummary(db, ANONYMOUS, 'write-them', t0 + 30 * DAY);
    assert.equal(summary.letters, 1);
    assert.deepEqual(summary.byRoute, { email: 1 });
    assert.equal(summary.questionsDue, 1);
    assert.equal(summary.replied, 1, 'the newest answer counts');
    assert.equal(summary.notReplied, 0);
    assert.deepEqual(summary.overTime, [
      { week: '2024-03-04', letters: 1, replied: 0, notReplied: 0 },
      { week: '2024-03-25', letters: 0, replied: 1, notReplied: 0 },
    ]);
    assert.deepEqual(summary.byOfficial[0]!.statedPositions, { supports: 1 });
  });

  it('records contact-form letters, warns of an unchanged template, and serves the summary', async () => {
    const unchanged = await api('POST', '/campaigns/write-them/letters', {
      official: 'L000001',
      subject: 'From a constituent',
      text: 'Dear Senator Form,\n\nPlease sanction the officials responsible for the blockade.\n\nKim Example',
      name: 'Kim Example',
    });
    assert.equal(unchanged.statusCode, 201, unchanged.body);
    const receipt = unchanged.json();
    assert.equal(receipt.status, 'recorded');
    assert.equal(receipt.confirmationSent, false);
    assert.equal(receipt.unchanged, true);
    assert.match(receipt.warning, /template unchanged/);
    assert.deepEqual(receipt.delivery, {
      kind: 'contact_form',
      address: 'https://form.senate.example/contact',
    });
    const withEmail = await api('POST', '/campaigns/write-them/letters', {
      official: 'L000001',
      subject: 'Mine',
      text: 'My own words about the blockade of the Lachin corridor.',
      name: 'Lee Example',
      email: 'lee@example.org',
    });
    assert.equal(withEmail.statusCode, 201);
    assert.equal(withEmail.json().confirmationSent, true, 'asked to confirm, for the follow-up question');
    const summary = (await api('GET', '/campaigns/write-them/letters/summary')).json();
    assert.equal(summary.letters, 3);
    assert.deepEqual(summary.byRoute, { email: 1, contact_form: 2 });
    assert.equal(summary.unchanged, 1);
  });

  it('prints a postal letter as a PDF addressed to the office, nothing stored', async () => {
    const res = await api('POST', '/campaigns/write-them/letters/pdf', {
      official: 'L000002',
      subject: 'About the blockade',
      text: 'Dear Senator Post,\n\nPlease act. Ժողովուրդ — café — Народ — Λαός. \u{1F600}\n\nSam Supporter',
      name: 'Sam Supporter',
      senderAddress: '12 Pine Street\nSeattle WA 98101',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(
      res.headers['x-replaced-characters'],
      '1',
      'only the emoji has no glyph in the shipped fonts',
    );
    const pdf = await getDocumentProxy(new Uint8Array(res.rawPayload));
    const { text } = await extractText(pdf, { mergePages: true });
    for (const expected of [
      'Sam Supporter',
      '12 Pine Street',
      'Bob Post',
      '1 Hart Building',
      'Washington DC 20510',
      'About the blockade',
      'Please act.',
      'café',
      'Ժողովուրդ',
      'Народ',
      'Λαός',
    ])
      assert.ok(text.includes(expected), `the PDF says "${expected}":\n${text}`);
    const unknown = await api('POST', '/campaigns/write-them/letters/pdf', {
      official: 'NOBODY1',
      subject: 'x',
      text: 'x',
      name: 'x',
    });
    assert.equal(unknown.statusCode, 404);
  });

  it('keeps letters as anonymous counts when their sender is erased', async () => {
    const erased = await eraseSupporter(getDb(), ANONYMOUS, 'sam@example.org').catch((e: Error) => e);
    assert.ok(erased instanceof Error, 'erasure needs campaign.write');
    const res = await api('POST', '/supporters/erasures', { email: 'sam@example.org' }, 'organiser');
    assert.deepEqual(res.json(), { erased: true });
    const rows = await getDb().query<{ supporter_id: string | null }>(
      `SELECT l.supporter_id FROM campaign_letters l JOIN officials o ON o.id = l.official_id
       WHERE o.external_id = 'L000003'`,
    );
    assert.deepEqual(rows, [{ supporter_id: null }]);
    const summary = (await api('GET', '/campaigns/write-them/letters/summary')).json();
    assert.equal(summary.letters, 3, 'the letter still counts');
    assert.equal(summary.replied, 1, 'and so does its reply');
    assert.ok(!(await outbox()).some((m) => m.to_address === 'sam@example.org'));
  });
});

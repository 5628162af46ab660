// Letters to officials, by the route each one has (docs/campaigns.md, "Letters"):
// - e-mail: sent through the outbox on the supporter's behalf, from the campaign's address with the
//   supporter as Reply-To, once the supporter has opened the link mailed to them (no letter goes out in
//   someone else's name);
// - contact form or post: the supporter delivers it (the web page opens the form with the letter to
//   copy, or prints the PDF of src/campaigns/pdf.ts); the letter is recorded as written.
// Two weeks after a letter, a scheduled outbox message asks the supporter whether the official replied,
// with a signed, expiring link; the answers give the organiser's "replies over time".
import { type Actor, ANONYMOUS } from '../auth/permissions.ts';
import type { Database } from '../db/types.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { getOfficial } from '../officials/service.ts';
import { enqueueMail } from './mail.ts';
import { postalLetterPdf } from './pdf.ts';
import { EMAIL, TokenError, upsertSupporter } from './petitions.ts';
import type { LetterCreate, LetterSummary, PositionValue, PostalLetterRequest } from './schema.ts';
import {
  actionText,
  compareLetter,
  deliveryRoute,
  getCampaign,
  postalAddress,
  resolveTargets,
} from './service.ts';
import { CONFIRMATION_TTL_MS, signToken, verifyToken } from './tokens.ts';

export const CONFIRM_LETTER_PURPOSE = 'confirm-letter';
export const LETTER_REPLY_PURPOSE = 'letter-reply';
/** The "did they reply?" question goes this long after the letter. */
export const REPLY_QUESTION_DELAY_MS = 14 * 24 * 3600 * 1000;
/** Its link stays valid this long after it is sent. */
export const REPLY_LINK_TTL_MS = 60 * 24 * 3600 * 1000;

export interface LetterOptions {
  secret: Buffer;
  /** The web app's base, e.g. https://vigil.example.org: links go to /confirm-letter and /letter-reply. */
  baseUrl: string;
  /** The clock (milliseconds since the epoch); tests move it instead of waiting. */
  now?: number;
}

/** Records a supporter's letter to one of the campaign's targets; an e-mail letter waits for confirmation. */
export async function sendLetter(db: Database, slug: string, input: LetterCreate, options: LetterOptions) {
  const campaign = await getCampaign(db, ANONYMOUS, slug);
  if (campaign.status !== 'active') throw new NotFoundError(`campaign ${slug}`);
  const official = await getOfficial(db, input.official);
  const targets = await resolveTargets(db, ANONYMOUS, slug, {
    ...(official.state ? { state: official.state } : {}),
    ...(official.state && official.district !== null ? { district: official.district } : {}),
  });
  if (!targets.some((t) => t.official.id === official.id))
    throw ValidationError.field('official', `${official.name} is not a target of this campaign`);
  const route = deliveryRoute(official);
  const email = input.email?.trim().toLowerCase() || null;
  if (email && !EMAIL.test(email)) throw ValidationError.field('email', 'is not an email address');
  if (route.kind === 'email' && !email)
    throw ValidationError.field(
      'email',
      'is required: the letter is e-mailed on your behalf and the office replies to your address',
    );
  const { letter: template } = await actionText(db, ANONYMOUS, slug, official.id, {
    name: input.name,
    ...(input.region ? { region: input.region } : {}),
    ...(input.postalCode ? { postalCode: input.postalCode } : {}),
  });
  const check = compareLetter(template, input.text);
  const now = options.now ?? Date.now();
  return db.transaction(async (tx) => {
    const supporter = email
      ? await upsertSupporter(tx, { email, region: input.region, postalCode: input.postalCode })
      : null;
    const pending = route.kind === 'email';
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO campaign_letters (campaign_id, official_id, supporter_id, route, unchanged, changed_share,
         pending_subject, pending_body, pending_sender_name, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        campaign.id,
        official.id,
        supporter?.id ?? null,
        route.kind,
        check.unchanged,
        check.changedShare,
        pending ? input.subject : null,
        pending ? input.text : null,
        pending ? input.name.trim() : null,
        new Date(now),
      ],
    );
    const id = row!.id;
    if (email) {
      const token = signToken(options.secret, {
        purpose: CONFIRM_LETTER_PURPOSE,
        subject: id,
        expires: now + CONFIRMATION_TTL_MS,
      });
      const link = `${options.baseUrl}/confirm-letter?token=${encodeURIComponent(token)}`;
      await enqueueMail(tx, {
        kind: 'letter-confirmation',
        to: email,
        subject: pending
          ? `Confirm your letter to ${official.name}`
          : `Confirm your address: did ${official.name} reply?`,
        text: [
          pending
            ? `Someone (we hope you) wrote to ${official.name} through the campaign "${campaign.title}" with this address.`
            : `You wrote to ${official.name} through the campaign "${campaign.title}" and gave this address.`,
          '',
          pending
            ? 'The letter is sent by e-mail on your behalf, with your address to reply to, once you confirm within 7 days:'
            : 'Confirm it within 7 days, and we will ask you in two weeks whether they replied:',
          link,
          '',
          pending
            ? 'If you did not write it, ignore this message: nothing is sent without confirmation.'
            : 'If you did not write to them, ignore this message: we will not write again.',
          '',
          `Confirmation code (if the link does not open): ${token}`,
        ].join('\n'),
        supporterId: supporter!.id,
        notBefore: new Date(now),
      });
    }
    return {
      id,
      route: route.kind,
      delivery: route,
      status: pending ? ('awaiting-confirmation' as const) : ('recorded' as const),
      confirmationSent: email !== null,
      ...check,
    };
  });
}

/**
 * Confirms the address of a letter's sender: an e-mail letter is queued to the official (Reply-To the
 * supporter, clearly from the campaign), and the "did they reply?" question is scheduled two weeks
 * later. Confirming twice changes nothing.
 */
export async function confirmLetter(db: Database, token: string, options: LetterOptions) {
  const now = options.now ?? Date.now();
  const check = verifyToken(options.secret, token, CONFIRM_LETTER_PURPOSE, now);
  if (!check.ok) throw new TokenError(check.reason, 'link');
  return db.transaction(async (tx) => {
    const [letter] = await tx.query<{
      id: string;
      route: 'email' | 'contact_form' | 'postal';
      confirmed_at: Date | null;
      reply_question_due: Date | null;
      supporter_id: string | null;
      email: string | null;
      pending_subject: string | null;
      pending_body: string | null;
      pending_sender_name: string | null;
      campaign_slug: string;
      campaign_title: string;
      official_name: string;
      official_email: string | null;
    }>(
      `SELECT l.id, l.route, l.confirmed_at, l.reply_question_due, l.supporter_id, s.email, l.pending_subject,
         l.pending_body, l.pending_sender_name, c.slug AS campaign_slug, c.title AS campaign_title,
         o.name AS official_name, o.email AS official_email
       FROM campaign_letters l JOIN campaigns c ON c.id = l.campaign_id JOIN officials o ON o.id = l.official_id
       LEFT JOIN supporters s ON s.id = l.supporter_id
       WHERE l.id = $1 FOR UPDATE OF l`,
      [check.payload.subject],
    );
    // A valid token whose letter (or sender) is gone: erased meanwhile.
    if (!letter?.email || !letter.supporter_id) throw new NotFoundError('letter');
    const result = {
      campaign: letter.campaign_slug,
      official: letter.official_name,
      route: letter.route,
      alreadyConfirmed: letter.confirmed_at !== null,
    };
    if (letter.confirmed_at)
      return {
        ...result,
        replyQuestionDue: (letter.reply_question_due ?? letter.confirmed_at).toISOString(),
      };
    const due = new Date(now + REPLY_QUESTION_DELAY_MS);
    if (letter.route === 'email') {
      if (!letter.official_email || letter.pending_body === null) throw new NotFoundError('letter');
      const sender = letter.pending_sender_name ?? letter.email;
      await enqueueMail(tx, {
        kind: 'letter',
        to: letter.official_email,
        replyTo: letter.email,
        fromName: `${sender} via Vigil campaign "${letter.campaign_title}"`.slice(0, 200),
        subject: letter.pending_subject ?? letter.campaign_title,
        text: [
          `This letter is from ${sender} (${letter.email}), sent through the campaign "${letter.campaign_title}" on Vigil.`,
          'They wrote or approved its words; reply to this message to answer them directly.',
          '',
          '---',
          '',
          letter.pending_body,
        ].join('\n'),
        supporterId: letter.supporter_id,
        notBefore: new Date(now),
      });
    }
    const replyToken = signToken(options.secret, {
      purpose: LETTER_REPLY_PURPOSE,
      subject: letter.id,
      expires: due.getTime() + REPLY_LINK_TTL_MS,
    });
    await enqueueMail(tx, {
      kind: 'letter-reply-question',
      to: letter.email,
      subject: `Did ${letter.official_name} reply?`,
      text: [
        `Two weeks ago you wrote to ${letter.official_name} through the campaign "${letter.campaign_title}".`,
        '',
        'Did they reply? One click tells the campaign (your answer is counted, your address is not shown):',
        `${options.baseUrl}/letter-reply?token=${encodeURIComponent(replyToken)}`,
        '',
        'The link works for 60 days. If they reply later, you can use it again.',
      ].join('\n'),
      supporterId: letter.supporter_id,
      notBefore: due,
    });
    await tx.query(
      `UPDATE campaign_letters SET confirmed_at = $2, reply_question_due = $3, pending_subject = NULL,
         pending_body = NULL, pending_sender_name = NULL WHERE id = $1`,
      [letter.id, new Date(now), due],
    );
    return { ...result, replyQuestionDue: due.toISOString() };
  });
}

async function letterForReply(db: Database, token: string, options: { secret: Buffer; now?: number }) {
  const check = verifyToken(options.secret, token, LETTER_REPLY_PURPOSE, options.now);
  if (!check.ok) throw new TokenError(check.reason, 'link');
  const [letter] = await db.query<{
    id: string;
    campaign_slug: string;
    campaign_title: string;
    official_name: string;
    created_at: Date;
    answer: boolean | null;
  }>(
    `SELECT l.id, c.slug AS campaign_slug, c.title AS campaign_title, o.name AS official_name, l.created_at,
       (SELECT r.replied FROM campaign_letter_replies r WHERE r.letter_id = l.id
        ORDER BY r.answered_at DESC, r.id DESC LIMIT 1) AS answer
     FROM campaign_letters l JOIN campaigns c ON c.id = l.campaign_id JOIN officials o ON o.id = l.official_id
     WHERE l.id = $1`,
    [check.payload.subject],
  );
  if (!letter) throw new NotFoundError('letter');
  return letter;
}

/** What the reply page shows before the supporter answers. */
export async function replyQuestion(db: Database, token: string, options: { secret: Buffer; now?: number }) {
  const letter = await letterForReply(db, token, options);
  return {
    campaign: letter.campaign_slug,
    campaignTitle: letter.campaign_title,
    official: letter.official_name,
    writtenOn: letter.created_at.toISOString().slice(0, 10),
    answer: letter.answer,
  };
}

/** Records the supporter's answer; a later answer (a reply came after all) supersedes, the earlier stays. */
export async function answerReply(
  db: Database,
  input: { token: string; replied: boolean; statedPosition?: PositionValue | undefined },
  options: { secret: Buffer; now?: number },
) {
  const letter = await letterForReply(db, input.token, options);
  if (!input.replied && input.statedPosition)
    throw ValidationError.field('statedPosition', 'only with a reply (replied: true)');
  await db.query(
    `INSERT INTO campaign_letter_replies (letter_id, replied, stated_position, answered_at)
     VALUES ($1, $2, $3, $4)`,
    [letter.id, input.replied, input.statedPosition ?? null, new Date(options.now ?? Date.now())],
  );
  return { recorded: true as const, replied: input.replied, official: letter.official_name };
}

/** Letters and replies of a campaign, in total, per week and per official: counts only, no supporter. */
export async function letterSummary(
  db: Database,
  actor: Actor,
  slug: string,
  now = Date.now(),
): Promise<LetterSummary> {
  const campaign = await getCampaign(db, actor, slug);
  // A letter counts once it went out (e-mail: confirmed) or was written (contact form, post).
  const rows = await db.query<{
    official_id: string;
    name: string;
    route: string;
    unchanged: boolean;
    counted: boolean;
    week: string;
    question_due: boolean;
    replied: boolean | null;
    stated_position: string | null;
    answer_week: string | null;
  }>(
    `SELECT l.official_id, o.name, l.route, l.unchanged,
       (l.route <> 'email' OR l.confirmed_at IS NOT NULL) AS counted,
       to_char(date_trunc('week', COALESCE(l.confirmed_at, l.created_at) AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
       (l.reply_question_due IS NOT NULL AND l.reply_question_due <= $2) AS question_due,
       r.replied, r.stated_position,
       to_char(date_trunc('week', r.answered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS answer_week
     FROM campaign_letters l JOIN officials o ON o.id = l.official_id
     LEFT JOIN LATERAL (SELECT replied, stated_position, answered_at FROM campaign_letter_replies x
       WHERE x.letter_id = l.id ORDER BY x.answered_at DESC, x.id DESC LIMIT 1) r ON true
     WHERE l.campaign_id = $1`,
    [campaign.id, new Date(now)],
  );
  const summary: LetterSummary = {
    letters: 0,
    byRoute: {},
    unchanged: 0,
    awaitingConfirmation: 0,
    questionsDue: 0,
    answered: 0,
    replied: 0,
    notReplied: 0,
    overTime: [],
    byOfficial: [],
  };
  const weeks = new Map<string, LetterSummary['overTime'][number]>();
  const week = (w: string) => {
    let entry = weeks.get(w);
    if (!entry) {
      entry = { week: w, letters: 0, replied: 0, notReplied: 0 };
      weeks.set(w, entry);
    }
    return entry;
  };
  const officials = new Map<string, LetterSummary['byOfficial'][number]>();
  for (const r of rows) {
    if (!r.counted) {
      summary.awaitingConfirmation++;
      continue;
    }
    summary.letters++;
    summary.byRoute[r.route] = (summary.byRoute[r.route] ?? 0) + 1;
    if (r.unchanged) summary.unchanged++;
    if (r.question_due) summary.questionsDue++;
    week(r.week).letters++;
    const official = officials.get(r.official_id) ?? {
      officialId: r.official_id,
      name: r.name,
      letters: 0,
      replied: 0,
      notReplied: 0,
      statedPositions: {},
    };
    official.letters++;
    officials.set(r.official_id, official);
    if (r.replied === null || !r.answer_week) continue;
    summary.answered++;
    if (r.replied) {
      summary.replied++;
      official.replied++;
      week(r.answer_week).replied++;
      if (r.stated_position)
        official.statedPositions[r.stated_position] = (official.statedPositions[r.stated_position] ?? 0) + 1;
    } else {
      summary.notReplied++;
      official.notReplied++;
      week(r.answer_week).notReplied++;
    }
  }
  summary.overTime = [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week));
  summary.byOfficial = [...officials.values()].sort(
    (a, b) => b.letters - a.letters || a.name.localeCompare(b.name),
  );
  return summary;
}

/** The printable letter for one of the campaign's targets, addressed to their office (nothing stored). */
export async function postalLetter(db: Database, slug: string, input: PostalLetterRequest, now = Date.now()) {
  const campaign = await getCampaign(db, ANONYMOUS, slug);
  if (campaign.status !== 'active') throw new NotFoundError(`campaign ${slug}`);
  const official = await getOfficial(db, input.official);
  const recipient = postalAddress(official);
  if (!recipient)
    throw ValidationError.field('official', `the directory has no postal address for ${official.name}`);
  return postalLetterPdf({
    senderName: input.name.trim(),
    senderAddress: input.senderAddress?.trim() || null,
    recipientAddress: recipient,
    date: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(now)),
    subject: input.subject,
    body: input.text,
    campaignTitle: campaign.title,
  });
}

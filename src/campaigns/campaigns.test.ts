import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import { testOfficial } from '../../test/support/officials.ts';
import { startSmtpReceiver } from '../../test/support/smtp.ts';
import type { Role } from '../auth/permissions.ts';
import { storeSnapshots } from '../officials/service.ts';
import type { DirectorySnapshot } from '../officials/types.ts';
import { insertSituation } from '../situations/service.ts';
import { deliverOutbox, smtpSender } from './mail.ts';
import { confirmSignature, purgeUnconfirmed, signPetition, TokenError } from './petitions.ts';
import { signToken, verifyToken } from './tokens.ts';

const person = testOfficial;

// A small directory: two WA senators (one on SSFR), a WA representative, an Oregon senator on SSFR.
const SNAPSHOT: DirectorySnapshot = {
  source: 'us-congress',
  country: 'US',
  loadedFrom: 'test',
  officials: [
    person('T000001', 'Ann Alpha', { contactForm: 'https://alpha.senate.example/contact' }),
    person('T000002', 'Bob Beta', {}),
    person('T000003', 'Cy Gamma', {
      chamber: 'house',
      title: 'Representative',
      district: 7,
      email: 'cy@house.example',
    }),
    person('T000004', 'Dee Delta', { region: 'OR', party: 'Republican' }),
  ],
  committees: [
    {
      code: 'SSFR',
      parentCode: null,
      chamber: 'senate',
      name: 'Senate Committee on Foreign Relations',
      url: null,
      phone: null,
      address: null,
    },
  ],
  memberships: [
    { committeeCode: 'SSFR', externalId: 'T000001', rank: 2, title: null, side: 'minority' },
    { committeeCode: 'SSFR', externalId: 'T000004', rank: 1, title: 'Chairman', side: 'majority' },
  ],
};

const CAMPAIGN = {
  slug: 'sanction-blockade',
  title: 'Sanction the blockade',
  ask: 'sanction the officials responsible for the blockade',
  targetRules: [{ committee: 'SSFR' }, { delegation: true }],
  letterSubject: 'From a constituent in {{supporter.region}}',
  letterTemplate:
    'Dear {{official.title}} {{official.family_name}},\n\nPlease {{campaign.ask}}.\n\n{{supporter.name}}',
  callScripts: {
    default: 'Hello, I ask {{official.name}} to {{campaign.ask}}.',
    supports: 'Thank {{official.name}} for supporting sanctions.',
    opposes: 'Ask {{official.name}} to reconsider.',
    committee: 'As a member of {{official.committees}}, they can act first.',
  },
  petitionText: 'We ask the Senate to sanction those responsible.',
};

describe('confirmation tokens', () => {
  const secret = Buffer.alloc(32, 7);
  it('verifies a signed token, refuses a forged, expired or repurposed one', () => {
    const token = signToken(secret, { purpose: 'confirm-signature', subject: 'abc', expires: 2_000 });
    assert.deepEqual(verifyToken(secret, token, 'confirm-signature', 1_000), {
      ok: true,
      payload: { purpose: 'confirm-signature', subject: 'abc', expires: 2_000 },
    });
    assert.deepEqual(verifyToken(secret, token, 'confirm-signature', 2_000), {
      ok: false,
      reason: 'expired',
    });
    assert.deepEqual(verifyToken(secret, token, 'unsubscribe', 1_000), { ok: false, reason: 'forged' });
    assert.deepEqual(verifyToken(Buffer.alloc(32, 8), token, 'confirm-signature', 1_000), {
      ok: false,
      reason: 'forged',
    });
    const [body] = token.split('.');
    const other = signToken(secret, { purpose: 'confirm-signature', subject: 'abd', expires: 2_000 });
    assert.deepEqual(verifyToken(secret, `${body}.${other.split('.')[1]}`, 'confirm-signature', 1_000), {
      ok: false,
      reason: 'forged',
    });
  });
});

describeEachDatabase('campaigns', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const ids: Record<string, string> = {};
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, role?: Role, payload?: unknown) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: role ? bearer(tokens[role]) : {},
      payload: payload as never,
    });
  const outbox = () =>
    getDb().query<{ to_address: string; body: string; sent_at: Date | null }>(
      'SELECT to_address, body, sent_at FROM campaign_outbox ORDER BY created_at',
    );
  const tokenIn = (body: string) => /Confirmation code \(if the link does not open\): (\S+)/.exec(body)![1]!;

  before(async () => {
    const db = getDb();
    await storeSnapshots(db, [SNAPSHOT]);
    for (const row of await db.query<{ id: string; external_id: string }>(
      'SELECT id, external_id FROM officials',
    ))
      ids[row.external_id] = row.id;
    await insertSituation(db, {
      slug: 'test-situation',
      name: 'Test',
      startsOn: '2022-12-12',
      visibility: 'public',
    });
    tokens = await createUsersWithTokens(db);
    app = await buildTestApp(db);
  });

  it('starts a campaign (organiser) and refuses others and unknown merge fields', async () => {
    assert.equal(
      (await api('POST', '/situations/test-situation/campaigns', 'viewer', CAMPAIGN)).statusCode,
      403,
    );
    assert.equal(
      (await api('POST', '/situations/test-situation/campaigns', undefined, CAMPAIGN)).statusCode,
      401,
    );
    const bad = await api('POST', '/situations/test-situation/campaigns', 'organiser', {
      ...CAMPAIGN,
      letterTemplate: 'Dear {{official.shoe_size}}',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /letterTemplate: unknown merge field\(s\) \{\{official.shoe_size\}\}/);
    const res = await api('POST', '/situations/test-situation/campaigns', 'organiser', {
      ...CAMPAIGN,
      targetOfficials: [ids.T000002],
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().signatureCount, 0);
    const list = (await api('GET', '/situations/test-situation/campaigns')).json().items;
    assert.deepEqual(
      list.map((c: { slug: string }) => c.slug),
      ['sanction-blockade'],
    );
  });

  it('selects targets by committee, by the supporter delegation and by hand', async () => {
    const noPlace = (await api('GET', '/campaigns/sanction-blockade/targets')).json().items;
    assert.deepEqual(noPlace.map((t: { official: { externalId: string } }) => t.official.externalId).sort(), [
      'T000001',
      'T000002',
      'T000004',
    ]);
    const wa7 = (await api('GET', '/campaigns/sanction-blockade/targets?state=WA&district=7')).json()
      .items as {
      official: { externalId: string };
      why: string[];
      delivery: { kind: string; address: string };
    }[];
    const by = (id: string) => wa7.find((t) => t.official.externalId === id)!;
    assert.equal(wa7.length, 4);
    assert.deepEqual(by('T000001').why, ['committee SSFR', 'your delegation']);
    assert.deepEqual(by('T000002').why, ['your delegation', 'chosen by hand']);
    assert.deepEqual(by('T000003').delivery, { kind: 'email', address: 'cy@house.example' });
    assert.equal(by('T000001').delivery.kind, 'contact_form');
    assert.equal(by('T000002').delivery.kind, 'postal');
    assert.match(by('T000002').delivery.address, /1 Hart Building/);
  });

  it('records positions with their history and source; scripts follow the current position', async () => {
    const url = `/officials/${ids.T000001}/positions`;
    const first = { campaign: 'sanction-blockade', position: 'opposes', sourceText: 'call to the DC office' };
    assert.equal((await api('POST', url, 'documenter', first)).statusCode, 403);
    assert.equal((await api('POST', url, undefined, first)).statusCode, 401);
    const noSource = await api('POST', url, 'organiser', {
      campaign: 'sanction-blockade',
      position: 'supports',
    });
    assert.equal(noSource.statusCode, 400);
    assert.equal((await api('POST', url, 'organiser', first)).statusCode, 201);
    const before = (await api('GET', `/campaigns/sanction-blockade/targets/${ids.T000001}/action`)).json();
    assert.equal(before.position, 'opposes');
    assert.match(
      before.script,
      /^Ask Ann Alpha to reconsider\.\n\nAs a member of Senate Committee on Foreign Relations/,
    );
    const second = await api('POST', url, 'admin', {
      campaign: 'sanction-blockade',
      position: 'supports',
      statedOn: '2024-03-02',
      sourceUrl: 'https://alpha.senate.example/press/sanctions',
      note: 'press release',
    });
    assert.equal(second.statusCode, 201, second.body);
    const history = (await api('GET', `${url}?campaign=sanction-blockade`)).json();
    assert.deepEqual(
      history.history.map((p: { position: string }) => p.position),
      ['opposes', 'supports'],
    );
    assert.equal(history.current.position, 'supports');
    assert.equal(history.current.sourceUrl, 'https://alpha.senate.example/press/sanctions');
    assert.equal(history.history[0].recordedBy, 'organiser@example.org');
    const action = (
      await api(
        'GET',
        `/campaigns/sanction-blockade/targets/T000001/action?name=Sam%20Supporter&region=Seattle`,
      )
    ).json();
    assert.match(action.script, /^Thank Ann Alpha for supporting sanctions\./);
    assert.equal(action.letterSubject, 'From a constituent in Seattle');
    assert.equal(
      action.letter,
      'Dear Senator Alpha,\n\nPlease sanction the officials responsible for the blockade.\n\nSam Supporter',
    );
    const other = (await api('GET', `/campaigns/sanction-blockade/targets/${ids.T000002}/action`)).json();
    assert.equal(
      other.script,
      'Hello, I ask Bob Beta to sanction the officials responsible for the blockade.',
    );
    const unknown = await api(
      'POST',
      '/officials/00000000-0000-4000-8000-000000000000/positions',
      'organiser',
      first,
    );
    assert.equal(unknown.statusCode, 404);
  });

  it('records call outcomes without the caller, and warns of an unchanged letter', async () => {
    const call = (body: unknown) => api('POST', '/campaigns/sanction-blockade/calls', undefined, body);
    assert.equal(
      (await call({ official: 'T000001', outcome: 'reached', statedPosition: 'supports' })).statusCode,
      201,
    );
    assert.equal((await call({ official: ids.T000001, outcome: 'voicemail' })).statusCode, 201);
    assert.equal((await call({ official: 'T000002', outcome: 'busy' })).statusCode, 201);
    assert.equal((await call({ official: 'T000002', outcome: 'hung up' })).statusCode, 400);
    assert.equal((await call({ official: 'NOBODY', outcome: 'busy' })).statusCode, 404);
    const summary = (await api('GET', '/campaigns/sanction-blockade/calls')).json().items;
    assert.deepEqual(summary[0], {
      officialId: ids.T000001,
      name: 'Ann Alpha',
      calls: 2,
      outcomes: { reached: 1, voicemail: 1 },
      statedPositions: { supports: 1 },
    });
    const check = (text: string) =>
      api('POST', '/campaigns/sanction-blockade/letters/check', undefined, {
        official: 'T000001',
        name: 'Sam Supporter',
        text,
      });
    const same = (
      await check(
        'Dear Senator Alpha,\n\nPlease sanction the officials responsible for the blockade.\n\nSam Supporter',
      )
    ).json();
    assert.equal(same.unchanged, true);
    assert.match(same.warning, /unchanged/);
    const own = (
      await check(
        'Dear Senator Alpha, my grandparents lived in Stepanakert. Please sanction the officials responsible for the blockade. Sam Supporter',
      )
    ).json();
    assert.equal(own.unchanged, false);
    assert.equal(own.warning, null);
    assert.ok(own.changedShare > 0.2 && own.changedShare < 0.6, String(own.changedShare));
  });

  it('counts a signature once, only after its emailed link confirms it', async () => {
    const sign = (email: string) =>
      api('POST', '/campaigns/sanction-blockade/signatures', undefined, {
        email,
        givenName: 'Sam',
        region: 'WA',
      });
    // Without VIGIL_PUBLIC_URL, a request naming another host gets no link built from its Host header.
    const spoofed = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/sanction-blockade/signatures',
      headers: { host: 'attacker.example' },
      payload: { email: 'sam@example.org', givenName: 'Sam', region: 'WA' },
    });
    assert.equal(spoofed.statusCode, 503, spoofed.body);
    assert.match(spoofed.json().detail, /VIGIL_PUBLIC_URL/);
    assert.equal((await outbox()).length, 0, 'nothing queued');
    const first = await sign('sam@example.org');
    assert.equal(first.statusCode, 202, first.body);
    assert.equal((await api('GET', '/campaigns/sanction-blockade/signature-count')).json().signatureCount, 0);
    const [mail] = await outbox();
    assert.equal(mail!.to_address, 'sam@example.org');
    const token = tokenIn(mail!.body);
    assert.match(mail!.body, /confirm-signature\?token=/);

    const forged = await api('POST', '/petition-confirmations', undefined, {
      token: `${token.slice(0, -3)}abc`,
    });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.json().detail, /not valid/);
    const ok = await api('POST', '/petition-confirmations', undefined, { token });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), {
      campaign: 'sanction-blockade',
      confirmed: true,
      alreadyConfirmed: false,
      signatureCount: 1,
    });
    const again = await api('POST', '/petition-confirmations', undefined, { token });
    assert.equal(again.json().alreadyConfirmed, true);
    assert.equal(again.json().signatureCount, 1);

    const duplicate = await sign('SAM@Example.org');
    assert.equal(duplicate.statusCode, 202, 'the same answer for an address that signed');
    assert.equal((await outbox()).length, 1, 'a confirmed address gets no new mail');
    assert.equal((await api('GET', '/campaigns/sanction-blockade/signature-count')).json().signatureCount, 1);
    const invalid = await sign('not-an-address');
    assert.equal(invalid.statusCode, 400);
  });

  it('refuses an expired confirmation link', async () => {
    const db = getDb();
    const secret = Buffer.alloc(32, 1);
    const past = Date.now() - 8 * 24 * 3600 * 1000;
    await signPetition(
      db,
      'sanction-blockade',
      { email: 'late@example.org' },
      { secret, confirmUrl: 'x?t=', now: past },
    );
    const rows = await outbox();
    const token = tokenIn(rows[rows.length - 1]!.body);
    await assert.rejects(confirmSignature(db, token, { secret }), (e: unknown) => {
      assert.ok(e instanceof TokenError);
      assert.match(e.message, /expired/);
      return true;
    });
    const fresh = await confirmSignature(db, token, { secret, now: past + 1000 });
    assert.equal(fresh.signatureCount, 2, 'the same token within its lifetime confirms');
  });

  it('exports supporters with OSDI field names and erases one on request', async () => {
    assert.equal((await api('GET', '/supporters', 'viewer')).statusCode, 403);
    const json = (await api('GET', '/supporters', 'organiser')).json().items;
    assert.equal(json.length, 2);
    const sam = json.find(
      (p: { email_addresses: { address: string }[] }) => p.email_addresses[0]!.address === 'sam@example.org',
    );
    assert.equal(sam.given_name, 'Sam');
    assert.equal(sam.email_addresses[0].status, 'subscribed');
    assert.deepEqual(sam.postal_addresses, [{ region: 'WA', postal_code: null, country: null }]);
    assert.equal(sam['vigil:signatures'][0].campaign, 'sanction-blockade');
    const csv = await api('GET', '/supporters?format=csv&email=sam@example.org', 'organiser');
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(
      lines[0],
      'identifier,given_name,family_name,email_address,email_status,region,postal_code,country,created_date,modified_date,signed_campaigns',
    );
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^vigil:[0-9a-f-]+,Sam,,sam@example\.org,subscribed,WA,,,/);

    const erased = await api('POST', '/supporters/erasures', 'organiser', { email: 'Sam@example.org' });
    assert.deepEqual(erased.json(), { erased: true });
    assert.equal((await api('GET', '/supporters?email=sam@example.org', 'organiser')).json().items.length, 0);
    assert.equal((await api('GET', '/campaigns/sanction-blockade/signature-count')).json().signatureCount, 1);
    assert.ok(!(await outbox()).some((m) => m.to_address === 'sam@example.org'), 'their mail is gone too');
  });

  it('confirms through the link of a message delivered by SMTP', async () => {
    const smtp = await startSmtpReceiver();
    const sender = smtpSender({ url: smtp.url, from: 'Vigil <campaigns@vigil.test>' });
    try {
      const signed = await api('POST', '/campaigns/sanction-blockade/signatures', undefined, {
        email: 'kim@example.org',
      });
      assert.equal(signed.statusCode, 202);
      const result = await deliverOutbox(getDb(), sender);
      assert.ok(result.sent >= 1);
      const mail = smtp.messages.find((m) => /^To: kim@example\.org/m.test(m.text))?.text;
      assert.ok(mail, 'the confirmation reached the SMTP server');
      // Quoted-printable: join soft line breaks and decode =XX before reading the link.
      const body = mail
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
      const token = decodeURIComponent(/confirm-signature\?token=(\S+)/.exec(body)![1]!);
      const confirmed = await api('POST', '/petition-confirmations', undefined, { token });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().alreadyConfirmed, false);
    } finally {
      sender.close?.();
      await smtp.close();
    }
  });

  it('deletes signatures never confirmed, and supporters left without one', async () => {
    const db = getDb();
    await signPetition(
      db,
      'sanction-blockade',
      { email: 'never@example.org' },
      {
        secret: Buffer.alloc(32, 2),
        confirmUrl: 'x?t=',
      },
    );
    const count = async () =>
      (await db.query(`SELECT 1 FROM supporters WHERE email = 'never@example.org'`)).length;
    assert.deepEqual(
      await purgeUnconfirmed(db),
      { signatures: 0, supporters: 0 },
      'not before the link expires',
    );
    assert.equal(await count(), 1);
    const later = Date.now() + 8 * 24 * 3600 * 1000;
    const purged = await purgeUnconfirmed(db, later);
    assert.ok(purged.signatures >= 1);
    assert.equal(await count(), 0);
    const kept = (await api('GET', '/campaigns/sanction-blockade/signature-count')).json().signatureCount;
    assert.ok(kept >= 1, 'confirmed signatures stay');
  });

  it('documents its endpoints in the OpenAPI document', async () => {
    const doc = (await api('GET', '/openapi.json')).json();
    for (const path of [
      '/api/v1/officials',
      '/api/v1/officials/{id}',
      '/api/v1/officials/{id}/positions',
      '/api/v1/situations/{slug}/campaigns',
      '/api/v1/campaigns/{campaign}/targets',
      '/api/v1/campaigns/{campaign}/signatures',
      '/api/v1/petition-confirmations',
      '/api/v1/supporters',
    ]) {
      assert.ok(doc.paths[path], `documents ${path}`);
    }
  });

  it('limits the public petition endpoints per client', async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      status = (await api('POST', '/petition-confirmations', undefined, { token: 'x'.repeat(20) }))
        .statusCode;
    }
    assert.equal(status, 429);
  });
});

// Campaign writes in an organisation's PUBLIC situation: anyone reads its active campaigns and may act on them
// (sign, write, call: the public supporter actions stay open), but only the organisation's members (and
// admins) start or change a campaign, choose its targets or record an official's position. A non-member with
// the organiser's role gets 403 and nothing is written; the organisation's draft campaigns stay hidden from them.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { createApiToken, createUser } from '../auth/service.ts';
import { storeSnapshots } from '../officials/service.ts';
import type { DirectorySnapshot } from '../officials/types.ts';

const SITUATION = 'org-b-public';
const BASE = `/api/v1/situations/${SITUATION}`;

// Every table a staff write of the campaigns module adds to or changes.
const CAMPAIGN_TABLES = ['campaigns', 'campaign_targets', 'official_positions'];

const SNAPSHOT: DirectorySnapshot = {
  source: 'us-congress',
  country: 'US',
  loadedFrom: 'test',
  officials: ['T000001', 'T000002'].map((externalId, i) => ({
    externalId,
    name: `Senator ${i + 1}`,
    givenName: 'Senator',
    familyName: String(i + 1),
    chamber: 'senate',
    title: 'Senator',
    region: 'WA',
    district: null,
    party: 'Democrat',
    email: null,
    phone: '202-224-0000',
    contactForm: 'https://senator.example/contact',
    url: null,
    offices: [],
    terms: [],
    ids: { bioguide: externalId },
    social: {},
  })),
  committees: [],
  memberships: [],
};

const CAMPAIGN = {
  slug: 'org-b-campaign',
  title: 'Sanction the blockade',
  ask: 'sanction the officials responsible for the blockade',
  targetRules: [{ chamber: 'senate' }],
  letterTemplate: 'Dear {{official.name}},\n\nPlease {{campaign.ask}}.\n\n{{supporter.name}}',
  callScripts: { default: 'I ask {{official.name}} to {{campaign.ask}}.' },
  petitionText: 'We ask the Senate to sanction those responsible.',
};

describeEachDatabase('campaign writes in an organisation’s public situation', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  // Organisers of B and of A: the same role, only membership differs.
  const member = { organiserB: '', organiserA: '' };
  const officials: string[] = [];

  const get = (url: string, token?: string) => app.inject({ url, headers: token ? bearer(token) : {} });
  const send = (method: 'POST' | 'PATCH', url: string, token: string | undefined, payload: object) =>
    app.inject({ method, url, headers: token ? bearer(token) : {}, payload });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of CAMPAIGN_TABLES) {
      const [row] = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      out[table] = row!.n;
    }
    return out;
  };

  before(async () => {
    const db = getDb();
    tokens = await createUsersWithTokens(db);
    await storeSnapshots(db, [SNAPSHOT]);
    for (const key of ['organiserB', 'organiserA'] as const) {
      const email = `${key.toLowerCase()}@example.org`;
      await createUser(db, { email, password: TEST_PASSWORD, role: 'organiser' });
      member[key] = (await createApiToken(db, email, 'test')).token;
    }
    app = await buildTestApp(db);
    for (const [slug, email] of [
      ['org-a', 'organisera@example.org'],
      ['org-b', 'organiserb@example.org'],
    ] as const) {
      const made = await send('POST', '/api/v1/organisations', tokens.admin, { slug, name: slug });
      assert.equal(made.statusCode, 201, made.body);
      const added = await send('POST', `/api/v1/organisations/${slug}/members`, tokens.admin, { email });
      assert.equal(added.statusCode, 201, added.body);
    }
    const situation = await send('POST', '/api/v1/situations', tokens.admin, {
      slug: SITUATION,
      name: 'A public situation of organisation B',
      startsOn: '2024-01-01',
      visibility: 'public',
      organisation: 'org-b',
    });
    assert.equal(situation.statusCode, 201, situation.body);
    const found = await get('/api/v1/officials?chamber=senate');
    assert.equal(found.statusCode, 200, found.body);
    officials.push(...found.json().items.map((o: { id: string }) => o.id));
    assert.equal(officials.length, 2);
  });

  after(async () => {
    await app.close();
  });

  it('lets B’s members start and change campaigns, choose targets and record positions', async () => {
    const created = await send('POST', `${BASE}/campaigns`, member.organiserB, {
      ...CAMPAIGN,
      targetOfficials: [officials[0]],
    });
    assert.equal(created.statusCode, 201, created.body);
    const changed = await send('PATCH', `/api/v1/campaigns/${CAMPAIGN.slug}`, member.organiserB, {
      title: 'Sanction the blockade now',
      targetOfficials: officials,
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().targetOfficials.length, 2);
    const recorded = await send('POST', `/api/v1/officials/${officials[0]}/positions`, member.organiserB, {
      campaign: CAMPAIGN.slug,
      position: 'supports',
      sourceUrl: 'https://example.org/statement',
    });
    assert.equal(recorded.statusCode, 201, recorded.body);
    const draft = await send('POST', `${BASE}/campaigns`, member.organiserB, {
      ...CAMPAIGN,
      slug: 'org-b-draft',
      status: 'draft',
    });
    assert.equal(draft.statusCode, 201, draft.body);
  });

  it('refuses every campaign write from outside B with 403, and writes nothing', async () => {
    const counted = await counts();
    // Same role as B's member, in another organisation or in none: only membership is missing.
    for (const [who, organiser] of [
      ['member of A', member.organiserA],
      ['member of no organisation', tokens.organiser],
    ] as const) {
      const writes: [string, Awaited<ReturnType<typeof send>>][] = [
        ['campaign', await send('POST', `${BASE}/campaigns`, organiser, { ...CAMPAIGN, slug: 'other' })],
        [
          'change',
          await send('PATCH', `/api/v1/campaigns/${CAMPAIGN.slug}`, organiser, { status: 'closed' }),
        ],
        [
          'targets',
          await send('PATCH', `/api/v1/campaigns/${CAMPAIGN.slug}`, organiser, { targetOfficials: [] }),
        ],
        [
          'position',
          await send('POST', `/api/v1/officials/${officials[1]}/positions`, organiser, {
            campaign: CAMPAIGN.slug,
            position: 'opposes',
            sourceText: 'a call to the office',
          }),
        ],
      ];
      for (const [what, res] of writes) {
        assert.equal(res.statusCode, 403, `${what} by a ${who}: ${res.body}`);
        assert.match(res.json().detail ?? res.body, /only members of the situation's organisation/, what);
      }
    }
    assert.deepEqual(await counts(), counted, 'nothing was written');
    const unchanged = (await get(`/api/v1/campaigns/${CAMPAIGN.slug}`)).json();
    assert.equal(unchanged.status, 'active');
    assert.equal(unchanged.title, 'Sanction the blockade now');
    assert.equal(unchanged.targetOfficials.length, 2, 'the targets stay as B’s member set them');
    const history = (
      await get(`/api/v1/officials/${officials[1]}/positions?campaign=${CAMPAIGN.slug}`)
    ).json();
    assert.equal(history.current, null);
  });

  it('keeps B’s draft campaigns with B, and the active ones open to everybody', async () => {
    for (const token of [member.organiserA, tokens.organiser, undefined]) {
      assert.equal((await get('/api/v1/campaigns/org-b-draft', token)).statusCode, 404);
      const listed = (await get(`${BASE}/campaigns`, token))
        .json()
        .items.map((c: { slug: string }) => c.slug);
      assert.deepEqual(listed, [CAMPAIGN.slug]);
      // A non-member cannot change a draft they cannot see either.
      if (token)
        assert.equal(
          (await send('PATCH', '/api/v1/campaigns/org-b-draft', token, { status: 'active' })).statusCode,
          404,
        );
    }
    for (const token of [member.organiserB, tokens.admin]) {
      assert.equal((await get('/api/v1/campaigns/org-b-draft', token)).statusCode, 200);
      assert.equal((await get(`${BASE}/campaigns`, token)).json().items.length, 2);
    }
  });

  it('keeps the public supporter actions open to anyone', async () => {
    const call = await send('POST', `/api/v1/campaigns/${CAMPAIGN.slug}/calls`, undefined, {
      official: officials[0],
      outcome: 'reached',
      statedPosition: 'supports',
    });
    assert.equal(call.statusCode, 201, call.body);
    const letter = await send('POST', `/api/v1/campaigns/${CAMPAIGN.slug}/letters`, member.organiserA, {
      official: officials[1],
      subject: 'A letter',
      text: 'Dear Senator 2, please act on the blockade now. Sam',
      name: 'Sam Supporter',
    });
    assert.equal(letter.statusCode, 201, letter.body);
    const signed = await send('POST', `/api/v1/campaigns/${CAMPAIGN.slug}/signatures`, undefined, {
      email: 'sam@example.org',
    });
    assert.equal(signed.statusCode, 202, signed.body);
  });

  it('exports the supporters of B’s campaigns to B’s organisers and admins, never to another organisation’s', async () => {
    const emails = async (token: string) => {
      const res = await get('/api/v1/supporters', token);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().items as { email_addresses: { address: string }[] }[]).map(
        (p) => p.email_addresses[0]?.address,
      );
    };
    assert.ok((await emails(member.organiserB)).includes('sam@example.org'));
    assert.ok((await emails(tokens.admin)).includes('sam@example.org'));
    assert.deepEqual(await emails(member.organiserA), [], 'A’s organiser sees none of B’s supporters');
    const one = await get('/api/v1/supporters?email=sam@example.org', member.organiserA);
    assert.deepEqual(one.json().items, []);
  });

  it('lets admins write in every organisation', async () => {
    const changed = await send('PATCH', `/api/v1/campaigns/${CAMPAIGN.slug}`, tokens.admin, {
      status: 'closed',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const recorded = await send('POST', `/api/v1/officials/${officials[1]}/positions`, tokens.admin, {
      campaign: CAMPAIGN.slug,
      position: 'undecided',
      sourceText: 'a call to the office',
    });
    assert.equal(recorded.statusCode, 201, recorded.body);
  });
});

// Bad input and faults on the public campaign endpoints (issue 7): invalid e-mail addresses, double and
// concurrent signatures, and a flood over the rate limit that loses no confirmed signature and does not
// stop confirmations.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import { storeSnapshots } from '../officials/service.ts';
import { buildApp } from '../server/app.ts';
import { insertSituation } from '../situations/service.ts';

describeEachDatabase('campaign endpoints under bad input and floods', (getDb) => {
  let limited: FastifyInstance;
  let open: FastifyInstance;
  const sign = (app: FastifyInstance, email: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/flood-test/signatures',
      payload: { email },
    });
  const confirm = (app: FastifyInstance, token: string) =>
    app.inject({ method: 'POST', url: '/api/v1/petition-confirmations', payload: { token } });
  const count = async () =>
    (await open.inject({ method: 'GET', url: '/api/v1/campaigns/flood-test/signature-count' })).json()
      .signatureCount as number;
  const tokensFor = async (email: string) =>
    (
      await getDb().query<{ body: string }>(
        'SELECT body FROM campaign_outbox WHERE to_address = $1 ORDER BY created_at',
        [email],
      )
    ).map((r) => /Confirmation code \(if the link does not open\): (\S+)/.exec(r.body)![1]!);

  before(async () => {
    const db = getDb();
    await storeSnapshots(db, [
      {
        source: 'us-congress',
        country: 'US',
        loadedFrom: 'test',
        officials: [],
        committees: [],
        memberships: [],
      },
    ]);
    await insertSituation(db, { slug: 'flood', name: 'Flood', startsOn: '2022-12-12', visibility: 'public' });
    const tokens = await createUsersWithTokens(db);
    // The same database behind two apps: one with a small public limit, one (the "benchmark" setting) without.
    limited = await buildApp({ db, cookieSecure: false, logger: false, webDist: null, petitionRateLimit: 5 });
    open = await buildApp({
      db,
      cookieSecure: false,
      logger: false,
      webDist: null,
      petitionRateLimit: 100_000,
      rateLimit: 100_000,
    });
    const created = await open.inject({
      method: 'POST',
      url: '/api/v1/situations/flood/campaigns',
      headers: bearer(tokens.organiser),
      payload: { slug: 'flood-test', title: 'Flood test', ask: 'hold', petitionText: 'We ask.' },
    });
    assert.equal(created.statusCode, 201, created.body);
  });

  it('refuses invalid e-mail addresses, naming the field, and stores nothing', async () => {
    for (const email of [
      'not-an-email',
      'a@b',
      'two words@example.org',
      '',
      `${'x'.repeat(250)}@example.org`,
    ]) {
      const res = await sign(open, email);
      assert.equal(res.statusCode, 400, `${email}: ${res.body}`);
      assert.match(JSON.stringify(res.json()), /email/);
    }
    assert.equal((await getDb().query('SELECT 1 FROM supporters')).length, 0);
    assert.equal((await getDb().query('SELECT 1 FROM campaign_outbox')).length, 0);
  });

  it('counts concurrent double signatures of one address once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sign(open, i % 2 ? 'twice@example.org' : 'TWICE@example.org')),
    );
    assert.ok(answers.every((a) => a.statusCode === 202));
    const rows = await getDb().query(
      `SELECT 1 FROM petition_signatures p JOIN supporters s ON s.id = p.supporter_id WHERE s.email = 'twice@example.org'`,
    );
    assert.equal(rows.length, 1, 'one signature row');
    const tokens = await tokensFor('twice@example.org');
    assert.ok(tokens.length >= 1);
    await Promise.all(tokens.map((t) => confirm(open, t)));
    assert.equal(await count(), 1, 'every link confirms the same signature');
  });

  it('survives a flood over the rate limit without losing a confirmed signature or blocking confirmations', async () => {
    assert.equal((await sign(limited, 'waiting@example.org')).statusCode, 202);
    const [waiting] = await tokensFor('waiting@example.org');
    const flood = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sign(limited, i % 3 ? `flood${i}@example.org` : 'twice@example.org'),
      ),
    );
    const statuses = flood.map((r) => r.statusCode);
    assert.ok(statuses.filter((s) => s === 429).length >= 55, 'the limit holds');
    assert.ok(
      statuses.every((s) => s === 202 || s === 429),
      statuses.join(','),
    );
    assert.equal(await count(), 1, 'the confirmed signature is still counted, once');
    const [row] = await getDb().query<{ confirmed_at: Date | null }>(
      `SELECT p.confirmed_at FROM petition_signatures p JOIN supporters s ON s.id = p.supporter_id
       WHERE s.email = 'twice@example.org'`,
    );
    assert.ok(row!.confirmed_at, 'still confirmed');
    // Confirming has its own budget: the flood of signatures does not lock this client out of it.
    const confirmed = await confirm(limited, waiting!);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().signatureCount, 2);
  });
});

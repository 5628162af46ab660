import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, TEST_PASSWORD } from '../../test/support/fixtures.ts';
import { buildApp } from '../server/app.ts';
import { PERMISSIONS, ROLES } from './permissions.ts';
import { createApiToken, createUser, revokeApiToken } from './service.ts';

const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const header = res.headers['set-cookie'];
  const line = Array.isArray(header) ? header[0] : String(header);
  return String(line).split(';')[0]!;
};

it('gives each role exactly the actions of the documented table', () => {
  const table = Object.fromEntries(ROLES.map((r) => [r, [...PERMISSIONS[r]].sort()]));
  assert.deepEqual(table, {
    viewer: ['situation.read-private'],
    documenter: [
      'evidence.read-sealed',
      'evidence.write',
      'incident.write',
      'lifeline.write',
      'situation.read-private',
    ],
    analyst: [
      'alert.manage',
      'analysis.run',
      'assessment.write',
      'coordination.read',
      'coordination.write',
      'evidence.read-sealed',
      'evidence.write',
      'incident.write',
      'lifeline.write',
      'sanctions.screen',
      'situation.read-private',
    ],
    organiser: ['campaign.write', 'measure.write', 'sanctions.screen', 'situation.read-private'],
    admin: [
      'alert.manage',
      'analysis.run',
      'assessment.write',
      'campaign.write',
      'coordination.read',
      'coordination.write',
      'evidence.read-sealed',
      'evidence.write',
      'incident.write',
      'lifeline.write',
      'measure.write',
      'organisation.manage',
      'sanctions.screen',
      'situation.read-private',
      'situation.write',
      'user.manage',
    ],
  });
});

describeEachDatabase('auth', (getDb) => {
  let app: FastifyInstance;

  before(async () => {
    app = await buildTestApp(getDb(), { loginRateLimit: 5 });
  });

  it('says the first admin is missing until one exists', async () => {
    assert.equal((await app.inject({ url: '/api/v1/auth/session' })).json().setupNeeded, true);
    await createUser(getDb(), { email: 'Admin@Example.org', password: TEST_PASSWORD, role: 'admin' });
    const session = (await app.inject({ url: '/api/v1/auth/session' })).json();
    assert.equal(session.setupNeeded, false);
    assert.equal(session.user, null);
  });

  it('stores passwords as argon2id hashes only', async () => {
    const [row] = await getDb().query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE email = 'admin@example.org'",
    );
    assert.match(row!.password_hash, /^\$argon2id\$/);
    assert.ok(!row!.password_hash.includes(TEST_PASSWORD));
  });

  it('refuses weak passwords and unknown roles, naming the field', async () => {
    await assert.rejects(
      createUser(getDb(), { email: 'x@example.org', password: 'short', role: 'viewer' }),
      /password/,
    );
    await assert.rejects(
      createUser(getDb(), { email: 'x@example.org', password: TEST_PASSWORD, role: 'king' }),
      /role/,
    );
    await assert.rejects(
      createUser(getDb(), { email: 'not-an-email', password: TEST_PASSWORD, role: 'viewer' }),
      /email/,
    );
    await assert.rejects(
      createUser(getDb(), { email: 'admin@example.org', password: TEST_PASSWORD, role: 'viewer' }),
      /exists/,
    );
  });

  it('signs in with an HTTP-only SameSite cookie and guards writes with a CSRF token', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@example.org', password: 'wrong password!' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.headers['content-type'] as string, /problem\+json/);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ADMIN@example.org', password: TEST_PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    const cookie = cookieOf(login);
    const { csrfToken } = login.json();
    const session = (await app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).json();
    assert.equal(session.user.email, 'admin@example.org');
    assert.equal(session.csrfToken, csrfToken);

    const situation = {
      slug: 'csrf-check',
      name: 'CSRF check',
      startsOn: '2024-01-01',
      visibility: 'public',
    };
    const noToken = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: { cookie },
      payload: situation,
    });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.json().detail, /x-csrf-token/i);
    const badToken = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: { cookie, 'x-csrf-token': 'nope' },
      payload: situation,
    });
    assert.equal(badToken.statusCode, 403);
    const crossOrigin = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: { cookie, 'x-csrf-token': csrfToken, origin: 'https://evil.example', host: 'localhost' },
      payload: situation,
    });
    assert.equal(crossOrigin.statusCode, 403);
    assert.equal((await getDb().query("SELECT 1 FROM situations WHERE slug = 'csrf-check'")).length, 0);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: situation,
    });
    assert.equal(ok.statusCode, 201, ok.body);

    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(logout.statusCode, 204);
    assert.equal((await app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).json().user, null);
  });

  it('changes a password and ends the other sessions', async () => {
    await createUser(getDb(), { email: 'doc@example.org', password: TEST_PASSWORD, role: 'documenter' });
    const login = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'doc@example.org', password: TEST_PASSWORD },
      });
    const first = await login();
    const second = await login();
    const headers = { cookie: cookieOf(second), 'x-csrf-token': second.json().csrfToken };
    const wrongCurrent = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers,
      payload: { currentPassword: 'not it at all', newPassword: 'a much better passphrase' },
    });
    assert.equal(wrongCurrent.statusCode, 400);
    assert.equal(wrongCurrent.json().errors[0].field, 'currentPassword');
    const tooShort = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'short' },
    });
    assert.equal(tooShort.statusCode, 400);
    assert.equal(tooShort.json().errors[0].field, 'newPassword');
    const changed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'a much better passphrase' },
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal(
      (await app.inject({ url: '/api/v1/auth/session', headers: { cookie: cookieOf(first) } })).json().user,
      null,
    );
    assert.equal(
      (await app.inject({ url: '/api/v1/auth/session', headers: { cookie: cookieOf(second) } })).json().user
        .email,
      'doc@example.org',
    );
    assert.equal((await login()).statusCode, 401, 'old password no longer works');
  });

  it('accepts API tokens until they are revoked', async () => {
    const { token, prefix } = await createApiToken(getDb(), 'admin@example.org', 'ci');
    const [stored] = await getDb().query<{ token_hash: string }>(
      'SELECT token_hash FROM api_tokens WHERE token_prefix = $1',
      [prefix],
    );
    assert.notEqual(stored!.token_hash, token, 'only a hash is stored');
    const payload = {
      slug: 'token-check',
      name: 'Token check',
      startsOn: '2024-01-01',
      visibility: 'public',
    };
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/situations',
      headers: bearer(token),
      payload,
    });
    assert.equal(created.statusCode, 201, 'no CSRF token needed with a bearer token');
    assert.equal(await revokeApiToken(getDb(), prefix), 1);
    const after = await app.inject({ url: '/api/v1/situations', headers: bearer(token) });
    assert.equal(after.statusCode, 401);
  });

  it('rate-limits sign-in attempts', async () => {
    let last = 0;
    for (let i = 0; i < 8; i++) {
      last = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'nobody@example.org', password: 'guess number one' },
        })
      ).statusCode;
    }
    assert.equal(last, 429);
  });

  it('never logs client addresses or user agents', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk;
        done();
      },
    });
    const logging = await buildApp({
      db: getDb(),
      cookieSecure: false,
      webDist: null,
      logger: { level: 'info', stream },
    });
    await logging.inject({
      url: '/api/v1/situations',
      remoteAddress: '203.0.113.77',
      headers: { 'user-agent': 'WitnessPhone/1.0', 'x-forwarded-for': '198.51.100.9' },
    });
    await logging.inject({
      url: '/api/v1/nothing-here',
      remoteAddress: '203.0.113.77',
      headers: { 'user-agent': 'WitnessPhone/1.0' },
    });
    await logging.close();
    assert.match(logged, /\/api\/v1\/situations/, 'requests are logged');
    for (const secret of ['203.0.113.77', '198.51.100.9', 'WitnessPhone', 'remoteAddress', 'user-agent']) {
      assert.ok(!logged.includes(secret), `log contains ${secret}`);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.ts';

describe('HTTP application', () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  before(async () => {
    test = await openTestDatabase('pglite');
    app = await buildTestApp(test.db, { rateLimit: 5 });
  });
  after(async () => {
    await app.close();
    await test.drop();
  });

  it('reports health with the database kind and version', async () => {
    const res = await app.inject({ url: '/api/v1/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()).sort(), ['database', 'status', 'version']);
    assert.equal(res.json().database, 'pglite');
  });

  it('publishes an OpenAPI 3 document generated from the validating schemas', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/v1/health',
      '/api/v1/situations',
      '/api/v1/situations/{slug}',
      '/api/v1/situations/{slug}/incidents',
      '/api/v1/incidents/{id}',
      '/api/v1/auth/login',
    ]) {
      assert.ok(doc.paths[path], `documents ${path}`);
    }
    const list = doc.paths['/api/v1/situations/{slug}/incidents'];
    const limit = list.get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.equal(limit.schema.maximum, 500, 'the same limit the route enforces');
    assert.ok(list.post.requestBody.content['application/json'].schema.properties.sources);
    assert.ok(doc.paths['/api/v1/incidents/{id}'].patch);
  });

  it('answers unknown API routes with problem+json 404', async () => {
    const res = await app.inject({ url: '/api/v1/nothing' });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
  });

  it('refuses bodies that are not JSON and oversized bodies', async () => {
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a',
    });
    assert.equal(text.statusCode, 415);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'x'.repeat(2_000_000), password: 'y' }),
    });
    assert.equal(huge.statusCode, 413);
  });

  it('sets security headers', async () => {
    const res = await app.inject({ url: '/api/v1/health' });
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('rate-limits public endpoints with a problem+json 429', async () => {
    let last = await app.inject({ url: '/api/v1/situations' });
    for (let i = 0; i < 6; i++) last = await app.inject({ url: '/api/v1/situations' });
    assert.equal(last.statusCode, 429);
    assert.equal(last.json().status, 429);
  });
});

// The `vigil` command and `vigil serve` as a user runs them: real processes, real databases.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { runVigil, startVigil } from './support/app.ts';
import { createPostgresDatabase, DATABASE_KINDS } from './support/db.ts';
import { copyTemplate } from './support/template.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function incidentCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/situations/${SLUG}`);
  return res.status === 404 ? 0 : (await res.json()).stats.incidents;
}

describe('vigil serve on the embedded database', () => {
  const dataDir = copyTemplate();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loads the scenario on first start, keeps data on restart and never imports twice', async () => {
    const port = await freePort();
    const first = await startVigil({ dataDir, env: { PORT: String(port) } });
    try {
      assert.equal(first.url, `http://127.0.0.1:${port}`, 'PORT and HOST are honoured');
      assert.match(first.output(), /loaded the built-in scenario/);
      assert.equal(await incidentCount(first.url), 67);
      const health = await (await fetch(`${first.url}/api/v1/health`)).json();
      assert.deepEqual(
        { status: health.status, database: health.database },
        { status: 'ok', database: 'pglite' },
      );
      const second = runVigil(['serve'], { env: { VIGIL_DATA_DIR: dataDir, PORT: '0' } });
      const blocked = await second;
      assert.notEqual(blocked.code, 0, 'a second process may not open the same embedded database');
      assert.match(blocked.stderr, /in use by process/);
    } finally {
      await first.stop();
    }
    const restarted = await startVigil({ dataDir });
    try {
      assert.doesNotMatch(restarted.output(), /loaded the built-in scenario/);
      assert.equal(await incidentCount(restarted.url), 67);
    } finally {
      await restarted.stop();
    }
  });

  it('starts empty with VIGIL_NO_DEMO=1, and `vigil demo` loads the scenario on demand', async () => {
    const empty = copyTemplate();
    try {
      const server = await startVigil({ dataDir: empty, demo: false });
      try {
        const list = await (await fetch(`${server.url}/api/v1/situations`)).json();
        assert.deepEqual(list.items, []);
        const session = await (await fetch(`${server.url}/api/v1/auth/session`)).json();
        assert.equal(session.setupNeeded, true, 'the UI can say that no admin exists yet');
      } finally {
        await server.stop();
      }
      const env = { VIGIL_DATA_DIR: empty };
      const loaded = await runVigil(['demo'], { env });
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.match(loaded.stdout, /imported: 67 incidents, 65 supply observations, 36 measures/);
      const again = await runVigil(['demo'], { env });
      assert.equal(again.code, 0);
      assert.match(again.stdout, /already loaded/);
      const replaced = await runVigil(['demo', '--replace'], { env });
      assert.match(replaced.stdout, /replaced: 67 incidents/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

if (DATABASE_KINDS.includes('postgres')) {
  describe('vigil serve on PostgreSQL', () => {
    it('migrates an empty server database and loads the scenario once', async () => {
      const database = await createPostgresDatabase();
      try {
        for (const round of [1, 2]) {
          const server = await startVigil({ env: { DATABASE_URL: database.url } });
          try {
            assert.equal((await (await fetch(`${server.url}/api/v1/health`)).json()).database, 'postgres');
            assert.equal(await incidentCount(server.url), 67);
            if (round === 1) assert.match(server.output(), /loaded the built-in scenario/);
            else assert.doesNotMatch(server.output(), /loaded the built-in scenario/);
          } finally {
            await server.stop();
          }
        }
      } finally {
        await database.drop();
      }
    });
  });
}

describe('vigil command errors', () => {
  it('exits non-zero with one clear line when DATABASE_URL is unreachable', async () => {
    const result = await runVigil(['serve'], {
      env: { DATABASE_URL: 'postgres://root@127.0.0.1:1/nowhere', PORT: '0' },
    });
    assert.notEqual(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^vigil: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere/);
  });

  it('rejects a bad PORT', async () => {
    const result = await runVigil(['serve'], { env: { PORT: 'eighty' } });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /PORT must be an integer/);
  });
});

describe('vigil user and token', () => {
  const dataDir = copyTemplate();
  const env = { VIGIL_DATA_DIR: dataDir, VIGIL_NO_DEMO: '1' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds users from stdin, creates and revokes API tokens', async () => {
    const added = await runVigil(
      ['user', 'add', '--email', 'Lead@Example.org', '--role', 'admin', '--password-stdin'],
      {
        env,
        input: 'a long enough password\n',
      },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added lead@example\.org \(admin\)/);
    const badRole = await runVigil(
      ['user', 'add', '--email', 'x@example.org', '--role', 'king', '--password-stdin'],
      {
        env,
        input: 'a long enough password',
      },
    );
    assert.notEqual(badRole.code, 0);
    assert.match(badRole.stderr, /role/);
    const weak = await runVigil(
      ['user', 'add', '--email', 'x@example.org', '--role', 'viewer', '--password-stdin'],
      {
        env,
        input: 'short',
      },
    );
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /password: must be at least/);
    const duplicate = await runVigil(
      ['user', 'add', '--email', 'lead@example.org', '--role', 'viewer', '--password-stdin'],
      {
        env,
        input: 'a long enough password',
      },
    );
    assert.notEqual(duplicate.code, 0);
    assert.match(duplicate.stderr, /already exists/);

    const created = await runVigil(['token', 'create', '--email', 'lead@example.org', '--name', 'ci'], {
      env,
    });
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^vgl_[A-Za-z0-9_-]{40,}$/);

    const server = await startVigil({ dataDir, demo: false });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${server.url}/api/v1/situations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            slug: 'cli-check',
            name: 'CLI check',
            startsOn: '2024-05-01',
            visibility: 'public',
          }),
        });
      assert.equal((await post({ authorization: `Bearer ${token}` })).status, 201);
      // While the server holds the embedded database, the CLI says so rather than open it a second time.
      const blocked = await runVigil(['token', 'revoke', token.slice(0, 12)], { env });
      assert.notEqual(blocked.code, 0);
      assert.match(blocked.stderr, /in use by process/);
    } finally {
      await server.stop();
    }
    const revoked = await runVigil(['token', 'revoke', token.slice(0, 12)], { env });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked 1 token/);
    const list = await runVigil(['token', 'list', '--email', 'lead@example.org'], { env });
    assert.match(list.stdout, /revoked/);
    const unknown = await runVigil(['token', 'revoke', 'vgl_nothing'], { env });
    assert.notEqual(unknown.code, 0);
  });
});

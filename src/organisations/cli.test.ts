// `vigil org …` and `vigil situation …` as an operator runs them: real processes on a PostgreSQL test database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { createPostgresDatabase, DATABASE_KINDS } from '../../test/support/db.ts';
import { TEST_PASSWORD } from '../../test/support/fixtures.ts';

describe('vigil org and vigil situation', { skip: !DATABASE_KINDS.includes('postgres') }, () => {
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  const vigil = (...args: string[]) => runVigil(args, { env });

  before(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url };
    const added = await runVigil(
      ['user', 'add', '--email', 'ana@example.org', '--role', 'analyst', '--password-stdin'],
      {
        env,
        input: TEST_PASSWORD,
      },
    );
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    await database?.drop();
  });

  it('adds organisations, refusing a bad slug or a repeat with a clear message', async () => {
    const added = await vigil('org', 'add', 'team-a', '--name', 'Team A');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added organisation team-a \(Team A\)/);
    const again = await vigil('org', 'add', 'team-a', '--name', 'Team A');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /vigil: an organisation with slug team-a already exists/);
    const bad = await vigil('org', 'add', 'Team A', '--name', 'x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /slug/);
    assert.equal((await vigil('org', 'add', 'team-b', '--name', 'Team B')).code, 0);
  });

  it('adds and removes members, and shows the history', async () => {
    const added = await vigil('org', 'member', 'add', 'team-a', 'ANA@example.org');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /ana@example\.org \(analyst\) is now a member of team-a/);
    const unknown = await vigil('org', 'member', 'add', 'team-a', 'nobody@example.org');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /email: no user nobody@example\.org/);
    assert.equal((await vigil('org', 'member', 'add', 'team-b', 'ana@example.org')).code, 0);
    const removed = await vigil('org', 'member', 'remove', 'team-b', 'ana@example.org');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await vigil('org', 'member', 'remove', 'team-b', 'ana@example.org')).code, 1);
    const shown = await vigil('org', 'show', 'team-b', '--json');
    const detail = JSON.parse(shown.stdout);
    assert.deepEqual(detail.members, []);
    assert.deepEqual(
      detail.history.map((h: { change: string; by: string }) => [h.change, /^vigil command/.test(h.by)]),
      [
        ['added', true],
        ['removed', true],
      ],
    );
  });

  it('creates a situation in an organisation and moves it out again', async () => {
    const created = await vigil(
      'situation',
      'create',
      'quiet-valley',
      '--name',
      'Quiet valley',
      '--starts-on',
      '2024-03-01',
      '--visibility',
      'private',
      '--organisation',
      'team-a',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created quiet-valley \(private, organisation team-a\)/);
    const unknown = await vigil(
      'situation',
      'create',
      'other',
      '--name',
      'Other',
      '--starts-on',
      '2024-03-01',
      '--visibility',
      'private',
      '--organisation',
      'team-z',
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /organisation: no organisation team-z/);
    const list = await vigil('org', 'list');
    assert.match(list.stdout, /team-a\tTeam A\t1 members\t1 situations/);
    const moved = await vigil('situation', 'update', 'quiet-valley', '--no-organisation');
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /organisation \(installation\)/);
    const back = await vigil('situation', 'update', 'quiet-valley', '--organisation', 'team-b');
    assert.match(back.stdout, /organisation team-b/);
    const situations = await vigil('situation', 'list');
    assert.match(situations.stdout, /quiet-valley\tprivate\tteam-b\tQuiet valley/);
  });
});

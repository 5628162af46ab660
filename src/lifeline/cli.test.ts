// `vigil lifeline …` as an operator runs it: a real process on a PostgreSQL test database.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { createPostgresDatabase, DATABASE_KINDS } from '../../test/support/db.ts';

const SLUG = 'nagorno-karabakh-2022-23';

describe('vigil lifeline', { skip: !DATABASE_KINDS.includes('postgres') }, () => {
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lifeline-cli-'));

  before(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url };
    const demo = await runVigil(['demo'], { env });
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the scenario check with its sources, in text and JSON', async () => {
    const args = ['lifeline', 'report', '--situation', SLUG, '--from', '2022-12-12', '--to', '2023-06-11'];
    const text = await runVigil(args, { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Delivered \(cargo, inbound\): 5,574 t, covering 182 of 182 days/);
    assert.match(
      text.stdout,
      /used sup-031: 5,574 t, 2022-12-12\.\.2023-06-11 — Public Television of Armenia/,
    );
    assert.match(text.stdout, /Needed: 72,800 t \(400 t\/day × 182 days = 72,800 t\)/);
    assert.match(text.stdout, /Coverage: 7\.7%/);
    assert.match(text.stdout, /sup-034 states 117 days; the dated intervals give 88–91/);
    const json = await runVigil([...args, '--json'], { env });
    assert.equal(JSON.parse(json.stdout).coverage.percent, 7.7);
  });

  it('exports CSV, and imports a file whole or refuses it with the line and reason', async () => {
    const exported = await runVigil(['lifeline', 'export', '--situation', SLUG], { env });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout.split('\r\n')[1]!, /^#meta\+id,#date\+start/);
    const header = readFileSync(new URL('./fixtures/observations.csv', import.meta.url), 'utf8');
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      `${header}2023-03-02,lachin-corridor,food,-3,t,icrc,in,high,https://example.org/x\r\n`,
    );
    const refused = await runVigil(['lifeline', 'import', bad, '--situation', SLUG], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /vigil: line 4\.quantity: quantity must not be negative/);
    const good = join(dir, 'good.csv');
    writeFileSync(good, header);
    const imported = await runVigil(['lifeline', 'import', good, '--situation', SLUG], { env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported 1 observation into/);
  });
});

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

  it('records needs, population, disruptions and stocks from a JSON file, whole or not at all', async () => {
    const source = [{ url: 'https://example.org/cli-records' }];
    const records = {
      models: [
        {
          ref: 'cli-fuel',
          commodity: 'fuel',
          model: 'baseline-rate',
          rate: 30,
          selected: true,
          label: 'fuel baseline',
          assumptions: 'pre-crisis fuel imports',
          sources: source,
        },
      ],
      population: [{ ref: 'cli-pop', onDate: '2023-05-01', persons: 110000, sources: source }],
      disruptions: [
        {
          ref: 'cli-net',
          kind: 'internet',
          status: 'cut',
          startsOn: '2023-05-01',
          endsOn: '2023-05-03',
          confidence: 'low',
          sources: source,
        },
      ],
      stocks: [
        {
          ref: 'cli-stock',
          commodity: 'fuel',
          onDate: '2023-05-01',
          quantity: 10,
          unit: 't',
          sources: source,
        },
      ],
    };
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ ...records, disruptions: [{ ...records.disruptions[0], endsOn: '2023-04-01' }] }),
    );
    const refused = await runVigil(['lifeline', 'record', bad, '--situation', SLUG], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /vigil: disruptions\.0\.endsOn: ends \(2023-04-01\) before it starts/);
    const unknownField = join(dir, 'unknown.json');
    writeFileSync(unknownField, JSON.stringify({ stocks: [{ ...records.stocks[0], colour: 'red' }] }));
    assert.equal(
      (await runVigil(['lifeline', 'record', unknownField, '--situation', SLUG], { env })).code,
      1,
    );
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(records));
    const recorded = await runVigil(['lifeline', 'record', good, '--situation', SLUG], { env });
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(
      recorded.stdout,
      /recorded 0 observations, 1 needs models, 1 population figures, 1 disruptions, 1 stocks/,
    );
    const report = await runVigil(
      ['lifeline', 'report', '--situation', SLUG, '--from', '2023-05-01', '--to', '2023-05-31', '--json'],
      { env },
    );
    const m = JSON.parse(report.stdout);
    assert.equal(m.utilities.find((u: { kind: string }) => u.kind === 'internet').daysConfirmed, 3);
  });

  it('derives the lifeline again without re-importing, and says nothing changed the second time', async () => {
    const first = await runVigil(['lifeline', 'derive', '--situation', SLUG], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /already matches its rows; nothing changed/);
    assert.match(first.stdout, /observations: \d+ unchanged/);
    assert.match(first.stdout, /row sup-018 not used/);
  });
});

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { BlobStore } from '../evidence/blobs.ts';
import { sealItem } from '../evidence/items.ts';
import { readScenario, SCENARIOS_DIR, ScenarioFormatError } from './read.ts';
import { BUILT_IN_SCENARIO, importScenario } from './service.ts';

const DIR = join(SCENARIOS_DIR, BUILT_IN_SCENARIO);

describe('the built-in scenario files', () => {
  const scenario = readScenario(DIR);

  it('holds every sourced row: 67 incidents, 65 supply observations, 47 measures', () => {
    assert.equal(scenario.slug, 'nagorno-karabakh-2022-23');
    assert.equal(scenario.situation.name, 'Nagorno-Karabakh blockade 2022–23');
    assert.equal(scenario.incidents.length, 67);
    assert.equal(scenario.supplies.length, 65);
    assert.equal(scenario.measures.length, 47);
    assert.equal(scenario.situation.startsOn, '2022-12-12');
    assert.equal(scenario.situation.endsOn, '2023-09-30');
    assert.ok(scenario.situation.contextFrom! < '2022-12-12', 'earlier events are context');
  });

  it('gives every record at least one http(s) source', () => {
    const all = [...scenario.incidents.map((i) => i.input), ...scenario.supplies, ...scenario.measures];
    for (const record of all) {
      assert.ok(record.sources.length > 0);
      for (const s of record.sources) assert.match(s.url, /^https?:\/\/\S+$/);
    }
    assert.ok(scenario.situation.population?.sources?.length, 'the population figure has a source');
  });

  it('places incidents only from the source or the sourced gazetteer, never by guess', () => {
    const withPoint = scenario.incidents.filter((i) => i.input.point);
    assert.ok(withPoint.length > 20);
    for (const { input } of withPoint) {
      assert.ok(input.pointSource === 'source' || input.pointSource === 'gazetteer');
      assert.ok(input.pointNote, 'says where the point comes from');
      if (input.pointSource === 'gazetteer')
        assert.match(input.pointNote!, /https?:\/\//, 'gazetteer note cites a source');
    }
    const region = scenario.incidents.filter(
      (i) => i.input.placeName === 'Nagorno-Karabakh' && !i.input.point,
    );
    assert.ok(region.length > 0, 'a region is not a point');
  });

  it('keeps the key dates of the case', () => {
    const byStart = (date: string) => scenario.incidents.filter((i) => i.input.start === date);
    assert.ok(
      byStart('2022-12-12').some((i) => i.input.category === 'blockade'),
      'blockade begins 12 Dec 2022',
    );
    assert.ok(byStart('2023-09-19').length > 0, 'offensive of 19 Sep 2023');
    assert.ok(
      scenario.incidents.some((i) => i.input.start.startsWith('2020-11')),
      'the 2020 ceasefire as context',
    );
    assert.ok(
      scenario.incidents.some((i) => i.input.category === 'legal'),
      'court cases as context',
    );
  });

  it('keeps figures exactly as the source gives them, with their range', () => {
    const goods = scenario.supplies.find((s) => s.valueText === '380-400');
    assert.ok(goods);
    assert.equal(goods.valueLow, 380);
    assert.equal(goods.valueHigh, 400);
  });

  it('ships a schematic road and the places it passes', () => {
    const road = scenario.layers.find((l) => l.kind === 'route');
    assert.ok(road?.schematic);
    assert.ok(road.sources.length > 0);
  });
});

describe('a malformed scenario file', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const corrupt = (file: string, edit: (text: string) => string) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-scenario-'));
    dirs.push(dir);
    cpSync(DIR, dir, { recursive: true });
    writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
    return dir;
  };

  it('names the file, line and reason', () => {
    const dir = corrupt('incidents.csv', (text) =>
      text.replace(/\nnk-003,\d{4}-\d{2}-\d{2}/, '\nnk-003,2020-13-45'),
    );
    assert.throws(
      () => readScenario(dir),
      (error: unknown) =>
        error instanceof ScenarioFormatError &&
        error.file === 'incidents.csv' &&
        error.line === 4 &&
        /start/.test(error.reason),
    );
    const noSource = corrupt('supplies.csv', (text) => text.replace(/https:\/\//, 'ftp://'));
    assert.throws(() => readScenario(noSource), /supplies\.csv:2: .*sources/);
    const badJson = corrupt('situation.json', (text) => text.replace('"startsOn"', '"startsOnn"'));
    assert.throws(() => readScenario(badJson), /situation\.json: .*startsOn/);
  });

  describeEachDatabase('import', (getDb) => {
    it('imports nothing at all when one row is bad', async () => {
      let line = 0;
      const dir = corrupt('measures.csv', (text) => {
        line = text.split('\n').findIndex((l) => l.includes(',2016-06,')) + 1;
        return text.replace(',2016-06,', ',2016-13,');
      });
      await assert.rejects(
        importScenario(getDb(), BUILT_IN_SCENARIO, { dir }),
        new RegExp(`measures\\.csv:${line}: date`),
      );
      for (const table of [
        'situations',
        'incidents',
        'supply_observations',
        'measures',
        'measure_status_changes',
        'hosted_events',
        'boycott_calls',
        'scenario_imports',
      ]) {
        const [row] = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        assert.equal(row!.n, 0, `${table} is empty`);
      }
    });

    it('imports once, refuses to import twice, and replaces on request', async () => {
      const first = await importScenario(getDb(), BUILT_IN_SCENARIO);
      assert.equal(first.status, 'imported');
      assert.deepEqual(first.counts, {
        incidents: 67,
        supplies: 65,
        measures: 36,
        events: 6,
        boycottCalls: 5,
        layers: first.counts.layers,
      });
      const second = await importScenario(getDb(), BUILT_IN_SCENARIO);
      assert.equal(second.status, 'already-loaded');
      const [count] = await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
      assert.equal(count!.n, 67);
      const third = await importScenario(getDb(), BUILT_IN_SCENARIO, { replace: true });
      assert.equal(third.status, 'replaced');
      const [again] = await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
      assert.equal(again!.n, 67);
      const [revisions] = await getDb().query<{ n: number; label: string }>(
        'SELECT count(*)::int AS n, min(changed_by_label) AS label FROM incident_revisions',
      );
      assert.equal(revisions!.n, 67);
      assert.equal(revisions!.label, 'scenario import');
    });

    it('serves supplies and measures as loaded, original wording kept', async () => {
      const app = await buildTestApp(getDb());
      const supplies = (await app.inject({ url: `/api/v1/situations/${BUILT_IN_SCENARIO}/supplies` })).json()
        .items;
      assert.equal(supplies.length, 65);
      assert.ok(supplies.some((s: { valueText: string }) => s.valueText === '380-400'));
      const measures = (await app.inject({ url: `/api/v1/situations/${BUILT_IN_SCENARIO}/measures` })).json()
        .items;
      // measures.csv's 47 rows: 36 measures, 6 hosted events and 5 boycott calls (the events registry).
      assert.equal(measures.length, 36);
      assert.ok(
        measures.every((m: { status: string; statusText: string }) => m.status && m.statusText),
        'vocabulary status and original wording',
      );
      const calls = (
        await app.inject({ url: `/api/v1/situations/${BUILT_IN_SCENARIO}/boycott-calls` })
      ).json().items;
      assert.equal(calls.length, 5);
      assert.ok(
        calls.some((c: { date: string | null }) => c.date === '2016-06'),
        'month precision kept',
      );
      const events = (await app.inject({ url: `/api/v1/situations/${BUILT_IN_SCENARIO}/events` })).json()
        .items;
      assert.equal(events.length, 6);
      await app.close();
    });
  });
});

describeEachDatabase('replacing the scenario', (getDb) => {
  it('refuses when the scenario holds sealed evidence, and leaves everything as it was', async () => {
    await importScenario(getDb(), BUILT_IN_SCENARIO);
    const [situation] = await getDb().query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [
      BUILT_IN_SCENARIO,
    ]);
    const blobDir = mkdtempSync(join(tmpdir(), 'vigil-blobs-'));
    try {
      const vault = { db: getDb(), blobs: new BlobStore(blobDir), maxUploadBytes: 1_000_000 };
      await sealItem(
        vault,
        { userId: null, label: 'test' },
        {
          situationId: situation!.id,
          stream: Readable.from([Buffer.from('a witness statement')]),
          claimedName: 'statement.txt',
          claimedMime: 'text/plain',
          origin: 'upload',
        },
      );
      await assert.rejects(
        importScenario(getDb(), BUILT_IN_SCENARIO, { replace: true }),
        /holds 1 sealed evidence item; replacing the scenario would delete them/,
      );
      const [items] = await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM evidence_items');
      assert.equal(items!.n, 1);
      const [incidents] = await getDb().query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
      assert.equal(incidents!.n, 67);
    } finally {
      rmSync(blobDir, { recursive: true, force: true });
    }
  });
});

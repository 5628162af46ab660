// Loads a shipped scenario into the database in one transaction: all of it or nothing.
import { join } from 'node:path';
import type { Database } from '../db/types.ts';
import { insertIncident } from '../evidence/incidents.ts';
import { ConflictError } from '../lib/errors.ts';
import { insertSupplyObservation } from '../lifeline/service.ts';
import { insertMeasure } from '../response/service.ts';
import { deleteSituation, findSituation, insertSituation, replaceLayers } from '../situations/service.ts';
import { readScenario, SCENARIOS_DIR } from './read.ts';

export const BUILT_IN_SCENARIO = 'nagorno-karabakh-2022-23';
const IMPORT_AUTHOR = { userId: null, label: 'scenario import' } as const;

export interface ImportResult {
  slug: string;
  status: 'imported' | 'replaced' | 'already-loaded';
  counts: { incidents: number; supplies: number; measures: number; layers: number };
}

export interface ImportOptions {
  /** Delete the scenario's situation (and everything recorded in it) and load it again. */
  replace?: boolean;
  dir?: string;
  onProgress?: (message: string) => void;
}

export async function importScenario(
  db: Database,
  slug: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const scenario = readScenario(options.dir ?? join(SCENARIOS_DIR, slug));
  const counts = {
    incidents: scenario.incidents.length,
    supplies: scenario.supplies.length,
    measures: scenario.measures.length,
    layers: scenario.layers.length,
  };
  const progress = options.onProgress ?? (() => {});
  return db.transaction(async (tx) => {
    const [previous] = await tx.query<{ content_hash: string }>(
      'SELECT content_hash FROM scenario_imports WHERE slug = $1 FOR UPDATE',
      [scenario.slug],
    );
    if (previous && !options.replace) return { slug: scenario.slug, status: 'already-loaded', counts };
    const existing = await findSituation(tx, scenario.slug);
    if (existing && !previous) {
      throw new ConflictError(
        `a situation with slug ${scenario.slug} exists but was not loaded from the scenario; it is left untouched`,
      );
    }
    if (existing) {
      progress(`removing the previously loaded ${scenario.slug}`);
      await deleteSituation(tx, scenario.slug);
    }
    progress(`loading situation ${scenario.slug}`);
    const situation = await insertSituation(tx, scenario.situation);
    await replaceLayers(tx, situation.id, scenario.layers);
    progress(`loading ${counts.incidents} incidents`);
    for (const incident of scenario.incidents) {
      await insertIncident(tx, situation.id, incident.input, IMPORT_AUTHOR, incident.ref);
    }
    progress(`loading ${counts.supplies} supply observations and ${counts.measures} measures`);
    for (const supply of scenario.supplies) await insertSupplyObservation(tx, situation.id, supply);
    for (const measure of scenario.measures) await insertMeasure(tx, situation.id, measure);
    await tx.query(
      `INSERT INTO scenario_imports (slug, content_hash, counts) VALUES ($1, $2, $3)
       ON CONFLICT (slug) DO UPDATE SET content_hash = EXCLUDED.content_hash, counts = EXCLUDED.counts, imported_at = now()`,
      [scenario.slug, scenario.contentHash, JSON.stringify(counts)],
    );
    return { slug: scenario.slug, status: previous ? 'replaced' : 'imported', counts };
  });
}

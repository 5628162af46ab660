// Loads a shipped scenario into the database in one transaction: all of it or nothing.
import { join } from 'node:path';
import type { Database } from '../db/types.ts';
import { insertIncident } from '../evidence/incidents.ts';
import { countSituationItems } from '../evidence/items.ts';
import { ConflictError } from '../lib/errors.ts';
import { deriveScenarioLifeline } from '../lifeline/derive.ts';
import { insertSupplyObservation } from '../lifeline/service.ts';
import { importScenarioResponse, splitMeasureRows } from '../response/service.ts';
import { deleteSituation, findSituation, insertSituation, replaceLayers } from '../situations/service.ts';
import { readScenario, SCENARIOS_DIR } from './read.ts';

export const BUILT_IN_SCENARIO = 'nagorno-karabakh-2022-23';
const IMPORT_AUTHOR = { userId: null, label: 'scenario import' } as const;

export interface ImportResult {
  slug: string;
  status: 'imported' | 'replaced' | 'already-loaded';
  counts: {
    incidents: number;
    supplies: number;
    measures: number;
    events: number;
    boycottCalls: number;
    layers: number;
  };
}

export interface ImportOptions {
  /**
   * Delete the scenario's situation (and everything recorded in it) and load it again, keeping its
   * organisation and visibility.
   */
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
  // measures.csv holds measures and, by kind, the events registry's hosted events and boycott calls.
  const split = splitMeasureRows(scenario.measures);
  const counts = {
    incidents: scenario.incidents.length,
    supplies: scenario.supplies.length,
    measures: split.measures.length,
    events: split.events.length,
    boycottCalls: split.boycottCalls.length,
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
      const items = await countSituationItems(tx, existing.id);
      if (items > 0) {
        throw new ConflictError(
          `${scenario.slug} holds ${items} sealed evidence item${items === 1 ? '' : 's'}; replacing the scenario would delete them, so it is left as it is`,
        );
      }
      progress(`removing the previously loaded ${scenario.slug}`);
      await deleteSituation(tx, scenario.slug);
    }
    progress(`loading situation ${scenario.slug}`);
    // Who may see and change the situation is the installation's decision, not the scenario's content: a
    // replaced scenario stays in its organisation with its visibility (a private one never turns public).
    const situation = await insertSituation(
      tx,
      existing
        ? {
            ...scenario.situation,
            organisation: existing.organisation,
            visibility: existing.visibility === 'private' ? 'private' : 'public',
          }
        : scenario.situation,
    );
    await replaceLayers(tx, situation.id, scenario.layers);
    progress(`loading ${counts.incidents} incidents`);
    const incidentIds = new Map<string, string>();
    for (const incident of scenario.incidents) {
      incidentIds.set(
        incident.ref,
        await insertIncident(tx, situation.id, incident.input, IMPORT_AUTHOR, incident.ref),
      );
    }
    progress(
      `loading ${counts.supplies} supply observations, ${counts.measures} measures, ${counts.events} events and ${counts.boycottCalls} boycott calls`,
    );
    for (const supply of scenario.supplies) await insertSupplyObservation(tx, situation.id, supply);
    await importScenarioResponse(
      tx,
      situation.id,
      scenario.measures,
      scenario.incidents.map((i) => ({ id: incidentIds.get(i.ref)!, sources: i.input.sources })),
    );
    progress('deriving the lifeline (flows, needs, disruptions) from the supply and incident rows');
    await deriveScenarioLifeline(tx, situation.id, scenario.slug, incidentIds);
    await tx.query(
      `INSERT INTO scenario_imports (slug, content_hash, counts) VALUES ($1, $2, $3)
       ON CONFLICT (slug) DO UPDATE SET content_hash = EXCLUDED.content_hash, counts = EXCLUDED.counts, imported_at = now()`,
      [scenario.slug, scenario.contentHash, JSON.stringify(counts)],
    );
    return { slug: scenario.slug, status: previous ? 'replaced' : 'imported', counts };
  });
}

// Derives the lifeline records of the built-in scenario from its stored rows (supply figures and
// incidents), one rule per row. Every figure is read from the row it cites, never typed in here: a rule
// only says what the row means (its period, commodity, carrier, direction) and notes any ambiguity.
// A rule whose row is missing or no longer says what the rule expects is skipped and reported.
import type { Actor } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { listIncidents } from '../evidence/incidents.ts';
import type { Incident } from '../evidence/schema.ts';
import { ConflictError } from '../lib/errors.ts';
import { getSituation } from '../situations/service.ts';
import {
  addDays,
  type Disruption,
  type NeedsModel,
  type PopulationPoint,
  type Source,
  type Stock,
} from './metrics.ts';
import { listSupplyObservations, type NewObservation, type SupplyObservation } from './service.ts';
import { applyPlan, type PlanApplied } from './sync.ts';

export const NK_SCENARIO = 'nagorno-karabakh-2022-23';

/** Reads the situation's records, including drafts, for the derivation (never writes through it). */
const DERIVATION_READER: Actor = {
  kind: 'user',
  user: { id: '00000000-0000-0000-0000-000000000000', email: 'lifeline derivation', role: 'viewer' },
  via: 'token',
  organisations: 'all', // the system reads every organisation's situations (docs/organisations.md)
};

class Rows {
  readonly skipped: { ref: string; reason: string }[] = [];
  constructor(
    readonly supplies: Map<string, SupplyObservation>,
    readonly incidents: Map<string, Incident>,
  ) {}

  /** A supply row with the expected metric and unit and a single numeric value, or null (reported). */
  supply(ref: string, metric: string, unit: string, single = true): SupplyObservation | null {
    const row = this.supplies.get(ref);
    const problem = !row
      ? 'row not found'
      : row.metric !== metric
        ? `metric is ${row.metric}, expected ${metric}`
        : row.unit !== unit
          ? `unit is ${row.unit}, expected ${unit}`
          : row.valueLow === null
            ? 'no numeric value'
            : single && row.valueLow !== row.valueHigh
              ? 'a range where one figure was expected'
              : null;
    if (problem) {
      this.skipped.push({ ref, reason: `rule not applied: ${problem}` });
      return null;
    }
    return row!;
  }

  incident(ref: string, category: string): Incident | null {
    const row = this.incidents.get(ref);
    if (!row || row.category !== category) {
      this.skipped.push({
        ref,
        reason: `rule not applied: ${row ? `category is ${row.category}` : 'row not found'}`,
      });
      return null;
    }
    return row;
  }

  /** A number the row's description states, found by a pattern; null (reported) when the text changed. */
  stated(row: SupplyObservation, pattern: RegExp, what: string): number | null {
    const match = pattern.exec(row.description);
    if (!match?.[1]) {
      this.skipped.push({ ref: row.externalRef ?? '', reason: `${what} not found in the description` });
      return null;
    }
    return Number(match[1].replaceAll(',', ''));
  }
}

const src = (s: { url: string; outlet: string | null }[]): Source[] =>
  s.map((x) => ({ url: x.url, outlet: x.outlet }));

function flow(
  row: SupplyObservation,
  fields: Partial<NewObservation> &
    Pick<NewObservation, 'periodStart' | 'periodEnd' | 'commodity' | 'direction' | 'unit' | 'note'>,
): NewObservation {
  const quantity = row.valueLow!;
  return {
    ref: row.externalRef,
    derivedFrom: [row.externalRef!],
    route: 'lachin-corridor',
    quantity,
    quantityGiven: quantity,
    unitGiven: row.unit,
    conversion: null,
    qualifier: row.qualifier,
    carriers: [],
    outcome: 'delivered',
    confidence: 'medium',
    statedExpected: null,
    reportedOn: row.observedOn.length === 10 ? row.observedOn : null,
    sources: src(row.sources),
    ...fields,
  };
}

/** What the rows give: the records to store, and the rows not turned into records. */
export interface DerivationPlan {
  observations: NewObservation[];
  needs: Omit<NeedsModel, 'id'>[];
  population: (PopulationPoint & { ref: string })[];
  disruptions: Omit<Disruption, 'id'>[];
  stocks: Stock[];
  skipped: { ref: string; reason: string }[];
}

/** Whether lifeline records are derived for this situation (only the built-in scenario has rules). */
export const hasDerivationRules = (slug: string): boolean => slug === NK_SCENARIO;

/**
 * Reads the rows and says which lifeline records they give, without writing anything; null for a situation
 * without derivation rules.
 */
export async function planScenarioLifeline(
  tx: Queryable,
  situationId: string,
  slug: string,
  /** The scenario's incident refs (nk-001 …) and the ids they were stored under. */
  incidentIds: Map<string, string>,
): Promise<DerivationPlan | null> {
  const plan: DerivationPlan = {
    observations: [],
    needs: [],
    population: [],
    disruptions: [],
    stocks: [],
    skipped: [],
  };
  if (!hasDerivationRules(slug)) return null;
  const supplies = new Map(
    (await listSupplyObservations(tx, situationId)).map((s) => [s.externalRef ?? s.id, s]),
  );
  const incidents = new Map<string, Incident>();
  const { items } = await listIncidents(tx, DERIVATION_READER, slug, { limit: 500 });
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const [ref, id] of incidentIds) {
    const incident = byId.get(id);
    if (incident) incidents.set(ref, incident);
  }
  const rows = new Rows(supplies, incidents);

  const blockade = rows.incident('nk-009', 'blockade');
  if (!blockade) return { ...plan, skipped: rows.skipped };
  const start = blockade.start; // 2022-12-12
  const dayN = (n: number) => addDays(start, n - 1); // day 1 of the blockade is its first day
  const observations: NewObservation[] = [];
  const icrcRu = ['icrc', 'russian-peacekeepers'];

  // Cargo brought in, as reported for periods counted from the start of the blockade.
  const s007 = rows.supply('sup-007', 'icrc_aid_delivered_first_24_days', 'tonnes');
  if (s007)
    observations.push(
      flow(s007, {
        periodStart: start,
        periodEnd: dayN(24),
        commodity: 'cargo',
        unit: 't',
        direction: 'in',
        carriers: ['icrc'],
        note: `Humanitarian aid brought in by the ICRC in the first 24 days of the blockade (day 1 = ${start}, nk-009), as stated by the Armenian ombudswoman on day 24.`,
      }),
    );
  for (const [ref, metric, days] of [
    ['sup-028', 'goods_imported_150_days', 150],
    ['sup-031', 'goods_imported_182_days', 182],
  ] as const) {
    const row = rows.supply(ref, metric, 'tonnes');
    if (!row) continue;
    const expected = rows.stated(row, /against ([\d,]+) t expected/, 'the expected tonnage');
    observations.push(
      flow(row, {
        periodStart: start,
        periodEnd: dayN(days),
        commodity: 'cargo',
        unit: 't',
        direction: 'in',
        carriers: icrcRu,
        statedExpected: expected,
        note: `Artsakh Human Rights Defender, ${days}-day report: cargo brought in by the ICRC and Russian peacekeepers together (the source does not split them). The period is ${days} days counted from ${start} (nk-009); the report is dated ${row.observedOn}.${ref === 'sup-028' ? ' The source writes "~4,623 t".' : ''}`,
      }),
    );
  }
  const s052 = rows.supply('sup-052', 'ru_peacekeeper_cargo_delivered', 'tonnes');
  if (s052)
    observations.push(
      flow(s052, {
        periodStart: s052.observedOn,
        periodEnd: s052.observedOn,
        commodity: 'cargo',
        unit: 't',
        direction: 'in',
        route: null,
        carriers: ['russian-peacekeepers'],
        note: 'Russian MoD: food rations and hygiene kits delivered to Stepanakert after the offensive; the route is not stated.',
      }),
    );

  // Cargo that was stopped: the Armenian convoy of July 2023, with its two tonnages side by side.
  const s043 = rows.supply('sup-043', 'armenian_aid_convoy', 'tonnes');
  const nk039 = rows.incident('nk-039', 'humanitarian');
  if (s043) {
    observations.push(
      flow(s043, {
        periodStart: s043.observedOn,
        periodEnd: s043.observedOn,
        commodity: 'cargo',
        unit: 't',
        direction: 'in',
        outcome: 'blocked',
        carriers: ['armenian-government'],
        note: 'Armenian government convoy of 19 trucks, not allowed to pass at Kornidzor. The source writes "~400 t"; Hetq gives 361 t (see sup-043-hetq).',
      }),
    );
    const hetq = rows.stated(s043, /hetq gives (\d+) t/i, 'the Hetq tonnage');
    const hetqSource = nk039?.sources.find((s) => s.url.includes('hetq.am'));
    if (hetq !== null && hetqSource)
      observations.push({
        ...flow(s043, {
          periodStart: s043.observedOn,
          periodEnd: s043.observedOn,
          commodity: 'cargo',
          unit: 't',
          direction: 'in',
          outcome: 'blocked',
          carriers: ['armenian-government'],
          note: 'The same convoy as sup-043, with the tonnage Hetq gives (the figure is quoted in sup-043 and nk-039).',
        }),
        ref: 'sup-043-hetq',
        derivedFrom: ['sup-043', 'nk-039'],
        quantity: hetq,
        quantityGiven: hetq,
        sources: [{ url: hetqSource.url, outlet: hetqSource.outlet }],
      });
  }
  const s044 = rows.supply('sup-044', 'armenian_aid_convoy_trucks', 'trucks');
  if (s044)
    observations.push(
      flow(s044, {
        periodStart: s044.observedOn,
        periodEnd: s044.observedOn,
        commodity: 'vehicles',
        unit: 'vehicles',
        direction: 'in',
        outcome: 'blocked',
        carriers: ['armenian-government'],
        note: 'Trucks of the Armenian government convoy stopped at the corridor entrance (nk-039).',
      }),
    );
  const s046 = rows.supply('sup-046', 'azerbaijani_flour_offer', 'tonnes');
  if (s046)
    observations.push(
      flow(s046, {
        periodStart: s046.observedOn,
        periodEnd: s046.observedOn,
        commodity: 'food',
        unit: 't',
        direction: 'in',
        outcome: 'blocked',
        route: 'aghdam-road',
        carriers: ['azerbaijan-red-crescent'],
        note: 'Flour sent by way of Aghdam; the Karabakh authorities rejected it (nk-047).',
      }),
    );
  const s047 = rows.supply('sup-047', 'aid_trucks_waiting', 'trucks');
  if (s047)
    observations.push(
      flow(s047, {
        periodStart: s047.observedOn,
        periodEnd: s047.observedOn,
        commodity: 'vehicles',
        unit: 'vehicles',
        direction: 'in',
        outcome: 'blocked',
        confidence: 'medium',
        note: 'Trucks waiting near the corridor (22, joined by 10 French trucks), refused passage; their carriers are not all named.',
      }),
    );

  // Vehicles and people crossing in both directions.
  for (const [ref, metric, unit, days, commodity, carriers, note] of [
    [
      'sup-008',
      'vehicles_first_27_days',
      'vehicles',
      27,
      'vehicles',
      [],
      'Azerbaijani media as cited by news.am: vehicles that passed in the first 27 days (330 Russian peacekeeper, 31 ICRC, 3 of residents). Day 27 counted from 12 Dec is 7 Jan; the row dates it ~8 Jan. The source does not say whether one direction or both is counted; it is recorded under both directions.',
    ],
    [
      'sup-027',
      'vehicles_150_days_icrc_ru',
      'entries+departures',
      150,
      'vehicles',
      icrcRu,
      'Artsakh HRD: entries and departures of ICRC and Russian peacekeeper vehicles in 150 days (against ~138,000 expected).',
    ],
    [
      'sup-032',
      'vehicles_182_days_icrc_ru',
      'entries+departures',
      182,
      'vehicles',
      icrcRu,
      'Artsakh HRD: entries and departures of ICRC and Russian peacekeeper vehicles in 182 days.',
    ],
    [
      'sup-033',
      'people_movement_182_days',
      'entries+departures',
      182,
      'people',
      [],
      'Artsakh HRD: entries and departures of people in 182 days.',
    ],
  ] as const) {
    const row = rows.supply(ref, metric, unit);
    if (!row) continue;
    const expected = /against/.test(row.description)
      ? rows.stated(row, /against ~?([\d,]+)/, 'the expected count')
      : null;
    observations.push(
      flow(row, {
        periodStart: start,
        periodEnd: dayN(days),
        commodity,
        unit: commodity === 'people' ? 'persons' : 'vehicles',
        direction: 'both',
        carriers: [...carriers],
        confidence: ref === 'sup-008' ? 'low' : 'medium',
        statedExpected: expected,
        note,
      }),
    );
  }
  const s021 = rows.supply('sup-021', 'vehicles_claimed_by_azerbaijan', 'vehicles');
  if (s021)
    observations.push(
      flow(s021, {
        periodStart: start,
        periodEnd: s021.observedOn,
        commodity: 'vehicles',
        unit: 'vehicles',
        direction: 'both',
        confidence: 'low',
        reportedOn: null,
        note: 'Claim by the President of Azerbaijan (vehicles that passed since 12 Dec, peacekeeper and ICRC trucks included). The end date is the day of the Munich meeting; the exact day of the remark is uncertain.',
      }),
    );

  // Medical evacuations (people out), cumulative ICRC counts: nested totals, never added.
  const s018 = rows.supplies.get('sup-018');
  const evacStart = s018 && /since 19 Dec 2022/.test(s018.description) ? '2022-12-19' : null;
  for (const [ref, metric] of [
    ['sup-040', 'icrc_medical_evacuations_cumulative'],
    ['sup-045', 'icrc_patients_transported_cumulative'],
    ['sup-050', 'icrc_medical_evacuations_cumulative'],
  ] as const) {
    const row = rows.supply(ref, metric, 'persons');
    if (!row || !evacStart) continue;
    observations.push({
      ...flow(row, {
        periodStart: evacStart,
        periodEnd: row.observedOn,
        commodity: 'people',
        unit: 'persons',
        direction: 'out',
        carriers: ['icrc'],
        note: `ICRC cumulative count of people evacuated for medical care "since December"; the start is the 19 Dec 2022 of the ICRC communique in sup-018.`,
      }),
      derivedFrom: [ref, 'sup-018'],
    });
  }
  rows.skipped.push({
    ref: 'sup-018',
    reason:
      'counts evacuations (18), not persons; the 60 patients are text only. Used for the start date of the cumulative evacuation counts.',
  });

  // The exodus: arrivals in Armenia counted from the first arrivals (nk-059), cumulative and nested.
  const firstArrivals = rows.incident('nk-059', 'displacement');
  if (firstArrivals) {
    for (const [ref, metric] of [
      ['sup-053', 'displaced_arrived_armenia'],
      ['sup-054', 'displaced_crossed_single_day'],
      ['sup-055', 'displaced_arrived_armenia'],
      ['sup-057', 'displaced_arrived_armenia'],
      ['sup-058', 'displaced_arrived_armenia'],
      ['sup-059', 'displaced_arrived_armenia'],
      ['sup-060', 'displaced_arrived_armenia'],
      ['sup-061', 'displaced_arrived_armenia'],
      ['sup-064', 'displaced_arrived_armenia'],
    ] as const) {
      const row = rows.supply(ref, metric, 'persons');
      if (!row) continue;
      const single = metric === 'displaced_crossed_single_day';
      observations.push({
        ...flow(row, {
          periodStart: single ? row.observedOn : firstArrivals.start,
          periodEnd: row.observedOn,
          commodity: 'people',
          unit: 'persons',
          direction: 'out',
          note: single
            ? 'People who crossed on this day alone.'
            : `Cumulative arrivals in Armenia since the first arrivals on ${firstArrivals.start} (nk-059). ${row.description}`,
        }),
        derivedFrom: single ? [ref] : [ref, 'nk-059'],
      });
    }
    rows.skipped.push({
      ref: 'sup-056',
      reason: 'a count at 10:00 on 28 Sep, superseded the same day by sup-057 (22:00); kept in supplies only',
    });
    rows.skipped.push({
      ref: 'sup-065',
      reason: 'UNHCR total for "late Sep 2023" without a period that can be dated; kept in supplies only',
    });
  }
  plan.observations = observations;

  // Needs: the pre-blockade import rate as the baseline, with the other reported rate as an alternative.
  const s024 = rows.supply('sup-024', 'goods_imported_pre_blockade', 'tonnes/day');
  const s002 = rows.supply('sup-002', 'goods_from_armenia_pre_blockade', 'tonnes/day', false);
  const needs: Omit<NeedsModel, 'id'>[] = [];
  if (s024)
    needs.push({
      ref: 'sup-024',
      commodity: 'cargo',
      model: 'baseline-rate',
      rate: s024.valueLow!,
      rateHigh: null,
      unit: 't/day',
      validFrom: null,
      validTo: null,
      selected: true,
      label: `Pre-blockade imports: ${s024.valueText} t of goods a day (Artsakh Human Rights Defender)`,
      assumptions:
        "The average daily import before the blockade stands in for what the population needs. It is a baseline, not a need measured on the ground, and an Artsakh figure: no neutral UN or ICRC baseline was found (scenario README). It is the rate the Human Rights Defender's own 182-day report uses (sup-031: 72,800 t expected).",
      derivedFrom: ['sup-024'],
      sources: src(s024.sources),
    });
  if (s002)
    needs.push({
      ref: 'sup-002',
      commodity: 'cargo',
      model: 'baseline-rate',
      rate: s002.valueLow!,
      rateHigh: s002.valueHigh,
      unit: 't/day',
      validFrom: null,
      validTo: null,
      selected: false,
      label: `November 2022: ${s002.valueText} t of goods a day from Armenia (Artsakh data via news.am)`,
      assumptions:
        'An alternative baseline, a range for one month. Not used by default because the 182-day report compares deliveries with 400 t a day.',
      derivedFrom: ['sup-002'],
      sources: src(s002.sources),
    });
  plan.needs = needs;

  // Population over time.
  const population: (PopulationPoint & { ref: string })[] = [];
  const s001 = rows.supply('sup-001', 'population_census_2015', 'persons');
  if (s001)
    population.push({
      ref: 'sup-001',
      onDate: `${s001.observedOn.slice(0, 4)}-01-01`,
      persons: s001.valueLow!,
      personsHigh: null,
      qualifier: null,
      note: 'Artsakh census of 2015; the date stands for the census year.',
      derivedFrom: ['sup-001'],
      sources: src(s001.sources),
    });
  const s012 = rows.supply('sup-012', 'population_affected', 'persons');
  if (s012)
    population.push({
      ref: 'sup-012',
      onDate: s012.observedOn,
      persons: s012.valueLow!,
      personsHigh: null,
      qualifier: s012.qualifier,
      note: 'ACAPS: people affected by the blockade. ACAPS writes "over 120,000"; the dataset gives the value without a qualifier.',
      derivedFrom: ['sup-012'],
      sources: src(s012.sources),
    });
  const s062 = rows.supply('sup-062', 'armenians_remaining_in_karabakh', 'persons', false);
  if (s062)
    population.push({
      ref: 'sup-062',
      onDate: s062.observedOn,
      persons: s062.valueLow!,
      personsHigh: s062.valueHigh,
      qualifier: null,
      note: 'UN mission: Armenians still in the region after the exodus, as estimated by community representatives (a range).',
      derivedFrom: ['sup-062'],
      sources: src(s062.sources),
    });
  plan.population = population;

  // Disruptions: utilities and the corridor, from timeline rows and the stated totals.
  const disruptions: Omit<Disruption, 'id'>[] = [];
  const base = (i: Incident, ref: string) => ({
    ref,
    route: null,
    basis: 'interval' as const,
    startsOn: i.start,
    endsOn: i.end,
    endsOnAlternative: null,
    confirmedUntil: null,
    statedDays: null,
    confidence: i.confidence as Disruption['confidence'],
    derivedFrom: [ref],
    sources: src(i.sources),
  });
  const nk010 = rows.incident('nk-010', 'infrastructure');
  if (nk010)
    disruptions.push({
      ...base(nk010, 'nk-010'),
      kind: 'gas',
      status: 'cut',
      endsOnAlternative: /19 Dec/.test(nk010.description) ? '2022-12-19' : null,
      note: 'Gas restored on 16 Dec according to the first source; another outlet puts the restoration on 19 Dec (kept as the alternative end).',
    });
  const nk019 = rows.incident('nk-019', 'infrastructure');
  if (nk019)
    disruptions.push({
      ...base(nk019, 'nk-019'),
      kind: 'gas',
      status: 'partial',
      note: 'Cut for roughly six hours on 17 Jan and once more on 18 Jan (Artsakh authorities, Artsakhgaz).',
    });
  const nk024 = rows.incident('nk-024', 'infrastructure');
  const nk037 = rows.incident('nk-037', 'humanitarian');
  if (nk024)
    disruptions.push({
      ...base(nk024, 'nk-024'),
      kind: 'gas',
      status: 'cut',
      confirmedUntil: nk037 && /last been opened/.test(nk037.description) ? nk037.start : null,
      derivedFrom: nk037 ? ['nk-024', 'nk-037'] : ['nk-024'],
      sources: src([...nk024.sources, ...(nk037?.sources ?? [])]),
      note: 'Began around 22 March and was continuing in May (nk-024); no end is reported. nk-037 (25 Jul) says the pipeline had last been opened, for a few hours, on 8 July: the cut is confirmed to that date, with that brief opening.',
    });
  const nk015 = rows.incident('nk-015', 'infrastructure');
  const s035 = rows.supply('sup-035', 'electricity_cut_days', 'days');
  if (nk015)
    disruptions.push({
      ...base(nk015, 'nk-015'),
      kind: 'electricity',
      status: 'cut',
      confirmedUntil: s035 ? dayN(182) : null,
      derivedFrom: s035 ? ['nk-015', 'sup-035'] : ['nk-015'],
      sources: src([...nk015.sources, ...(s035?.sources ?? [])]),
      note: 'The only 110 kV line from Armenia was damaged on 9 Jan and not repaired; no end is reported. sup-035 confirms no electricity from Armenia up to day 182 of the blockade.',
    });
  const nk017 = rows.incident('nk-017', 'infrastructure');
  if (nk017)
    disruptions.push({
      ...base(nk017, 'nk-017'),
      kind: 'internet',
      status: 'cut',
      note: 'Fibre cable damaged; restored on 13 Jan.',
    });
  const nk045 = rows.incident('nk-045', 'infrastructure');
  if (nk045)
    disruptions.push({
      ...base(nk045, 'nk-045'),
      kind: 'internet',
      status: 'cut',
      note: 'Fibre cable severed near the checkpoint; the source gives no restoration date, so only the first day is confirmed.',
    });
  for (const [ref, metric, kind] of [
    ['sup-034', 'gas_interruption_days', 'gas'],
    ['sup-035', 'electricity_cut_days', 'electricity'],
  ] as const) {
    const row = rows.supply(ref, metric, 'days');
    if (!row) continue;
    disruptions.push({
      ref,
      kind,
      status: 'cut',
      route: null,
      basis: 'stated-total',
      startsOn: start,
      endsOn: dayN(182),
      endsOnAlternative: null,
      confirmedUntil: null,
      statedDays: row.valueLow!,
      confidence: 'medium',
      note: `${row.description} The period is the 182 days of the report, from ${start} (nk-009).`,
      derivedFrom: [ref],
      sources: src(row.sources),
    });
  }
  const nk008 = rows.incident('nk-008', 'blockade');
  if (nk008)
    disruptions.push({
      ...base(nk008, 'nk-008'),
      kind: 'corridor',
      status: 'closed',
      route: 'lachin-corridor',
      endsOn: nk008.end ?? nk008.start,
      note: 'Closed briefly; traffic resumed after peacekeepers negotiated. The source gives no hours; counted as one day.',
    });
  const nk032 = rows.incident('nk-032', 'blockade');
  const nk054 = rows.incident('nk-054', 'humanitarian');
  const s027 = rows.supplies.get('sup-027');
  if (nk032)
    disruptions.push({
      ...base(blockade, 'nk-009'),
      kind: 'corridor',
      status: 'humanitarian-only',
      route: 'lachin-corridor',
      endsOn: addDays(nk032.start, -1),
      derivedFrom: ['nk-009', 'sup-027', 'nk-032'],
      sources: src([...blockade.sources, ...(s027?.sources ?? [])]),
      note: 'From the start of the blockade only ICRC and Russian peacekeeper vehicles passed (sup-027), until all humanitarian transport halted (nk-032). From 23 April Azerbaijan ran a checkpoint at the Hakari bridge (nk-026); the Artsakh HRD reported no ICRC cargo transport after that day (sup-022), while peacekeeper trucks still ran (nk-028).',
    });
  if (nk032 && nk054)
    disruptions.push({
      ...base(nk032, 'nk-032'),
      kind: 'corridor',
      status: 'closed',
      route: 'lachin-corridor',
      endsOn: addDays(nk054.start, -1),
      derivedFrom: ['nk-032', 'nk-054'],
      sources: src([...nk032.sources, ...nk054.sources]),
      note: 'No relief supplies from this date (nk-032) until ICRC trucks entered by the Lachin road on 18 Sep (nk-054). Conflicting: OCHA says ICRC food deliveries stopped on 14 June and medical items last entered on 7 July (sup-039). During the closure 41 people travelled out with peacekeepers on 21 Aug (nk-046), and a Russian Red Cross truck came by the Aghdam road on 12 Sep (nk-053).',
    });
  if (nk054)
    disruptions.push({
      ...base(nk054, 'nk-054'),
      kind: 'corridor',
      status: 'humanitarian-only',
      route: 'lachin-corridor',
      endsOn: blockade.end,
      derivedFrom: ['nk-054', 'nk-009'],
      sources: src([...nk054.sources, ...blockade.sources]),
      note: 'ICRC trucks entered by the Lachin and Aghdam roads from 18 Sep; the end is the end of the blockade given in nk-009. From 24 Sep the road carried the exodus out (nk-059).',
    });
  plan.disruptions = disruptions;

  // Stocks: reported, but without a consumption rate in the same unit.
  const stocks: Stock[] = [];
  const s006 = rows.supply('sup-006', 'gasoline_stock_remaining', 'percent');
  if (s006)
    stocks.push({
      ref: 'sup-006',
      commodity: 'fuel',
      onDate: s006.observedOn,
      quantity: s006.valueLow!,
      unit: 'percent of the gasoline stock',
      consumptionPerDay: null,
      unusableBelow: null,
      note: s006.description,
      derivedFrom: ['sup-006'],
      sources: src(s006.sources),
    });
  const s023 = rows.supply('sup-023', 'sarsang_reservoir_volume', 'm3');
  if (s023) {
    const dead = rows.stated(s023, /dead volume of ~(\d+) million m3/, 'the dead volume');
    stocks.push({
      ref: 'sup-023',
      commodity: 'water (Sarsang reservoir)',
      onDate: s023.observedOn,
      quantity: s023.valueLow!,
      unit: 'm3',
      consumptionPerDay: null,
      unusableBelow: dead === null ? null : dead * 1_000_000,
      note: `${s023.description} The drawdown is reported as a fall of the water level in metres (sup-029), not in m3 per day.`,
      derivedFrom: ['sup-023'],
      sources: src(s023.sources),
    });
  }
  plan.stocks = stocks;
  return { ...plan, skipped: rows.skipped };
}

/** Keeps a needs model selected by hand selected: a derived model then comes in as an alternative. */
async function respectHandSelection(tx: Queryable, situationId: string, plan: DerivationPlan) {
  const hand = await tx.query<{ commodity: string; label: string; external_ref: string | null }>(
    `SELECT commodity, label, external_ref FROM lifeline_needs
     WHERE situation_id = $1 AND selected AND cardinality(derived_from) = 0`,
    [situationId],
  );
  const kept: { ref: string; reason: string }[] = [];
  for (const m of plan.needs) {
    const chosen = hand.find((h) => h.commodity === m.commodity);
    if (!m.selected || !chosen) continue;
    m.selected = false;
    kept.push({
      ref: chosen.external_ref ?? chosen.label,
      reason: `selected by hand for ${m.commodity}; the derived ${m.ref ?? m.label} stays an alternative`,
    });
  }
  return kept;
}

/** Derives and stores the scenario's lifeline records (the scenario import, in its transaction). */
export async function deriveScenarioLifeline(
  tx: Queryable,
  situationId: string,
  slug: string,
  incidentIds: Map<string, string>,
): Promise<(PlanApplied & { skipped: DerivationPlan['skipped'] }) | null> {
  const plan = await planScenarioLifeline(tx, situationId, slug, incidentIds);
  if (!plan) return null;
  const kept = await respectHandSelection(tx, situationId, plan);
  const applied = await applyPlan(tx, situationId, plan);
  return { ...applied, kept: [...kept, ...applied.kept], skipped: plan.skipped };
}

/**
 * `vigil lifeline derive` and `POST …/lifeline/derive`: derives the records again from the rows stored now
 * (e.g. after a supply row was corrected) without re-importing, and changes only what differs. Running it
 * twice changes nothing the second time.
 */
export async function rederiveLifeline(db: Database, actor: Actor, slug: string) {
  const situation = await getSituation(db, actor, slug, 'lifeline.write');
  if (!hasDerivationRules(situation.slug))
    throw new ConflictError(
      `${situation.slug} has no derivation rules: only the built-in scenario's lifeline is derived from its rows`,
    );
  return db.transaction(async (tx) => {
    // The scenario import keeps each incident's scenario ref (nk-009 …) in incidents.external_ref; no
    // function of the evidence module reads it back, so it is read here, and nothing else of the table.
    const refs = await tx.query<{ external_ref: string; id: string }>(
      'SELECT external_ref, id FROM incidents WHERE situation_id = $1 AND external_ref IS NOT NULL',
      [situation.id],
    );
    const result = await deriveScenarioLifeline(
      tx,
      situation.id,
      situation.slug,
      new Map(refs.map((r) => [r.external_ref, r.id])),
    );
    return { situationSlug: situation.slug, ...result! };
  });
}

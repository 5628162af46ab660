// A synthetic country-year panel with the shape of real atrocity-forecasting panels (for tests and the
// benchmark; it is not data about any real country): about 9,500 country-years (158 units, 1960–2024,
// some entering late as new states), 40 predictors (binary, counts, logs, proportions, a few pure noise),
// `NA` where values are missing (at random, before a series starts, for units that never report, and
// more often in unstable years), and a rare outcome: onset of a new episode of mass killing in the next
// two years (under 1% of rows), clustered in fragile units, in some regions and decades (the 1990s).
// The onset hazard depends on a latent fragility and instability that the predictors measure with noise,
// with thresholds and an interaction (so trees have something to find), and never on the predictors
// of later years.
import type { Panel } from './panel.ts';
import { createRng } from './rng.ts';

export interface SyntheticOptions {
  units: number;
  from: number;
  to: number;
  seed: number;
  /** Target yearly onset rate (per country-year). */
  onsetRate: number;
  horizon: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  units: 158,
  from: 1960,
  to: 2024,
  seed: 42,
  onsetRate: 0.006,
  horizon: 2,
};

type Kind = 'binary' | 'count' | 'log' | 'proportion' | 'noise';

/** Names and kinds of the 40 predictors, in column order. */
export const SYNTHETIC_PREDICTORS: readonly [string, Kind][] = [
  ['civil_war', 'binary'],
  ['mk_ongoing', 'binary'],
  ['coup_attempt', 'binary'],
  ['regime_autocracy', 'binary'],
  ['regime_anocracy', 'binary'],
  ['elite_ethnic_exclusion', 'binary'],
  ['election_year', 'binary'],
  ['interstate_war', 'binary'],
  ['post_cold_war', 'binary'],
  ['political_killings', 'binary'],
  ['coups_5y', 'count'],
  ['protest_events', 'count'],
  ['excluded_groups', 'count'],
  ['neighbours_at_war', 'count'],
  ['years_independent', 'count'],
  ['purges', 'count'],
  ['rebel_groups', 'count'],
  ['leader_years_in_office', 'count'],
  ['log_population', 'log'],
  ['log_gdp_pc', 'log'],
  ['log_infant_mortality', 'log'],
  ['log_trade_share', 'log'],
  ['log_battle_deaths', 'log'],
  ['log_military_spending', 'log'],
  ['log_refugees_out', 'log'],
  ['log_area', 'log'],
  ['log_oil_rents', 'log'],
  ['gdp_growth', 'log'],
  ['excluded_population_share', 'proportion'],
  ['freedom_of_movement', 'proportion'],
  ['civil_liberties', 'proportion'],
  ['judicial_independence', 'proportion'],
  ['urban_share', 'proportion'],
  ['youth_bulge', 'proportion'],
  ['ethnic_fractionalisation', 'proportion'],
  ['state_capacity', 'proportion'],
  ['noise_binary', 'noise'],
  ['noise_count', 'noise'],
  ['noise_log', 'noise'],
  ['noise_share', 'noise'],
];

interface UnitState {
  name: string;
  region: number;
  entry: number;
  fragility: number;
  exclusion: boolean;
  fractionalisation: number;
  area: number;
  oil: number;
  reportsMilitary: boolean;
  reportsOil: boolean;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

export function generatePanel(options: Partial<SyntheticOptions> = {}): Panel {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const rng = createRng(o.seed);
  const years = o.to - o.from + 1;
  const regionEffect = Array.from({ length: 6 }, () => rng.normal() * 0.5);
  // Era effects: the global hazard rises in the 1970s and strongly in the 1990s, falls after 2000.
  const era = (t: number): number =>
    t >= 1990 && t < 2000 ? 0.9 : t >= 1970 && t < 1980 ? 0.4 : t >= 2010 ? 0.2 : 0;
  const units: UnitState[] = [];
  for (let u = 0; u < o.units; u++) {
    const late = rng.next() < 0.28;
    const entry = late
      ? o.from +
        Math.min(years - 10, Math.floor(rng.next() < 0.5 ? 1 + rng.next() * 15 : 30 + rng.next() * 5))
      : o.from;
    units.push({
      name: `U${String(u + 1).padStart(3, '0')}`,
      region: rng.int(6),
      entry,
      fragility: rng.normal(),
      exclusion: rng.next() < 0.25,
      fractionalisation: clamp01(0.15 + 0.6 * rng.next()),
      area: 10 + 2 * rng.normal(),
      oil: rng.next() < 0.3 ? 1 + 2 * rng.next() : 0,
      reportsMilitary: rng.next() > 0.1,
      reportsOil: rng.next() > 0.12,
    });
  }
  // Pass 1: latent paths. Pass 2 picks the hazard intercept that gives the target onset rate.
  interface Row {
    unit: number;
    time: number;
    instability: number;
    civilWar: boolean;
    coup: boolean;
    autocracy: boolean;
    anocracy: boolean;
    gdp: number;
    hazardZ: number;
  }
  const rows: Row[] = [];
  for (let u = 0; u < units.length; u++) {
    const unit = units[u] as UnitState;
    let s = rng.normal() * 0.7;
    let gdp = 7.2 + 0.9 * rng.normal() - 0.3 * unit.fragility;
    let war = false;
    for (let t = unit.entry; t <= o.to; t++) {
      s = 0.85 * s + 0.5 * rng.normal() + (t >= 1990 && t < 1996 ? 0.15 : 0);
      gdp += 0.02 + 0.03 * rng.normal() - 0.02 * Math.max(0, s);
      war = war ? rng.next() < 0.85 : rng.next() < logistic(-4 + 1.2 * s + 0.6 * unit.fragility);
      const coup = rng.next() < logistic(-3.5 + 0.8 * s + 0.5 * unit.fragility);
      const regime = rng.next();
      const autocracy = regime < logistic(-0.5 + 0.8 * unit.fragility - (t > 1990 ? 0.8 : 0));
      const anocracy = !autocracy && regime < logistic(0.2 + 0.3 * unit.fragility);
      const hazardZ =
        0.9 * unit.fragility +
        0.8 * s +
        (war ? 1.0 : 0) +
        (unit.exclusion ? 0.6 : 0) +
        (war && unit.exclusion ? 1.0 : 0) +
        (anocracy ? 0.5 : 0) +
        (gdp < 6.8 ? 0.7 : 0) +
        (coup ? 0.6 : 0) +
        (regionEffect[unit.region] as number) +
        era(t);
      rows.push({ unit: u, time: t, instability: s, civilWar: war, coup, autocracy, anocracy, gdp, hazardZ });
    }
  }
  let lo = -15;
  let hi = 0;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    let mean = 0;
    for (const r of rows) mean += logistic(mid + r.hazardZ);
    mean /= rows.length;
    if (mean > o.onsetRate) hi = mid;
    else lo = mid;
  }
  const intercept = (lo + hi) / 2;
  // Pass 3: onsets (none while an episode is ongoing), then the predictors and the outcome.
  const n = rows.length;
  const onsetNext = new Uint8Array(n); // onset in year t + 1, caused by the state in year t
  const ongoing = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as Row;
    const prev = i > 0 && (rows[i - 1] as Row).unit === r.unit ? i - 1 : -1;
    // An episode started by last year's onset draw runs for a geometric number of years.
    if (prev >= 0 && onsetNext[prev]) ongoing[i] = 1;
    else if (prev >= 0 && ongoing[prev]) ongoing[i] = rng.next() < 0.75 ? 1 : 0;
    if (!ongoing[i] && rng.next() < logistic(intercept + r.hazardZ)) onsetNext[i] = 1;
  }
  const p = SYNTHETIC_PREDICTORS.length;
  const x = Array.from({ length: p }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const times = new Int32Array(n);
  const unitsOut: string[] = new Array(n);
  const lines = new Int32Array(n);
  const poisson = (lambda: number): number => {
    const L = Math.exp(-Math.min(lambda, 30));
    let k = 0;
    let q = 1;
    do {
      k++;
      q *= rng.next();
    } while (q > L);
    return k - 1;
  };
  let coups5 = 0;
  let leaderYears = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as Row;
    const unit = units[r.unit] as UnitState;
    const first = i === 0 || (rows[i - 1] as Row).unit !== r.unit;
    if (first) {
      coups5 = 0;
      leaderYears = rng.int(10);
    }
    coups5 = Math.max(0, coups5 * 0.8 + (r.coup ? 1 : 0));
    leaderYears = r.coup && rng.next() < 0.4 ? 0 : leaderYears + 1;
    const s = r.instability;
    const noisy = (v: number, sd: number): number => v + sd * rng.normal();
    const values: number[] = [
      r.civilWar ? 1 : 0,
      ongoing[i] ? 1 : 0,
      r.coup ? 1 : 0,
      r.autocracy ? 1 : 0,
      r.anocracy ? 1 : 0,
      unit.exclusion ? 1 : 0,
      rng.next() < 0.22 ? 1 : 0,
      rng.next() < 0.02 + 0.02 * Math.max(0, s) ? 1 : 0,
      r.time >= 1991 ? 1 : 0,
      rng.next() < logistic(-2 + 1.1 * s + 0.5 * unit.fragility) ? 1 : 0,
      Math.round(coups5),
      poisson(Math.exp(1 + 0.5 * s)),
      unit.exclusion ? 1 + poisson(1) : poisson(0.2),
      poisson(0.5 + 0.4 * Math.max(0, s)),
      r.time - unit.entry,
      poisson(Math.exp(-1.5 + 0.7 * s)),
      r.civilWar ? 1 + poisson(1.5) : poisson(0.1),
      leaderYears,
      noisy(15.5 + 0.01 * (r.time - 1960), 1.4),
      noisy(r.gdp, 0.15),
      noisy(4.2 - 0.5 * (r.gdp - 7.2) - 0.015 * (r.time - 1960), 0.2),
      noisy(4 - 0.1 * unit.fragility, 0.3),
      r.civilWar ? noisy(7 + 0.5 * s, 1.2) : Math.max(0, noisy(0.3, 0.8)),
      noisy(19 + 0.5 * s, 1),
      Math.max(0, noisy(6 + 1.5 * s + 1.5 * unit.fragility, 2)),
      unit.area + 0.01 * rng.normal(),
      unit.oil > 0 ? noisy(unit.oil, 0.3) : 0,
      noisy(0.03 - 0.02 * Math.max(0, s), 0.04),
      clamp01(unit.exclusion ? noisy(0.25, 0.1) : Math.abs(noisy(0, 0.03))),
      clamp01(noisy(0.7 - 0.12 * s - 0.1 * unit.fragility, 0.1)),
      clamp01(noisy(0.55 - 0.1 * s - 0.12 * unit.fragility - (r.autocracy ? 0.2 : 0), 0.1)),
      clamp01(noisy(0.5 - 0.1 * unit.fragility - (r.autocracy ? 0.15 : 0), 0.12)),
      clamp01(noisy(0.3 + 0.005 * (r.time - 1960) + 0.05 * (r.gdp - 7.2), 0.05)),
      clamp01(noisy(0.3 + 0.03 * unit.fragility, 0.03)),
      clamp01(noisy(unit.fractionalisation, 0.01)),
      clamp01(noisy(0.5 - 0.15 * unit.fragility - 0.05 * s, 0.1)),
      rng.next() < 0.3 ? 1 : 0,
      poisson(2),
      noisy(3, 1),
      rng.next(),
    ];
    for (let j = 0; j < p; j++) {
      const [name, kind] = SYNTHETIC_PREDICTORS[j] as [string, Kind];
      let v = values[j] as number;
      if (kind === 'proportion' || kind === 'log' || name === 'noise_log') v = Number(v.toFixed(4));
      // Missingness: structural (series that start late, units that never report), at random, and
      // more often in unstable years for income and spending figures.
      let pMiss = kind === 'binary' && j < 2 ? 0 : 0.015;
      if (name === 'civil_liberties' && r.time < 1972) pMiss = 1;
      if (name === 'judicial_independence' && r.time < 1975) pMiss = 1;
      if (name === 'log_refugees_out' && r.time < 1965) pMiss = 1;
      if (name === 'log_military_spending' && !unit.reportsMilitary) pMiss = 1;
      if (name === 'log_oil_rents' && !unit.reportsOil) pMiss = 1;
      if (name === 'log_gdp_pc' || name === 'gdp_growth' || name === 'log_military_spending')
        pMiss = Math.max(pMiss, logistic(-4 + 1.2 * s));
      (x[j] as Float64Array)[i] = rng.next() < pMiss ? Number.NaN : v;
    }
    times[i] = r.time;
    unitsOut[i] = unit.name;
    lines[i] = i + 2;
    // Outcome: a new onset in t + 1 .. t + horizon; unknown (NA) where that reaches past the panel.
    let hit = 0;
    let known = true;
    for (let k = 0; k < o.horizon; k++) {
      const j = i + k;
      if (r.time + k + 1 > o.to) known = false;
      else if (j < n && (rows[j] as Row).unit === r.unit && onsetNext[j]) hit = 1;
    }
    y[i] = hit ? 1 : known ? 0 : Number.NaN;
  }
  return {
    unitColumn: 'country',
    timeColumn: 'year',
    outcomeColumn: 'mk_onset_2y',
    predictors: SYNTHETIC_PREDICTORS.map(([name]) => name),
    units: unitsOut,
    times,
    y,
    x,
    lines,
  };
}

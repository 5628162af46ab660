-- Lifeline monitor: what crossed a route (observations, daily or over a period), what the population
-- needs (population series and needs models), disruptions (utilities, corridor status) and stocks.
-- The foundation's supply_observations table stays as the raw, as-written figures; every record here
-- that was derived from a raw row names it in derived_from (e.g. {sup-031} or {nk-015,sup-035}).

CREATE TABLE lifeline_observations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  derived_from text[] NOT NULL DEFAULT '{}',
  -- Inclusive period; a daily observation has period_start = period_end.
  period_start date NOT NULL,
  period_end date NOT NULL,
  route text,
  commodity text NOT NULL
    CHECK (commodity IN ('food', 'fuel', 'medicine', 'goods', 'cargo', 'people', 'vehicles')),
  -- Normalised quantity and unit (mass in t, volume in l), and the figure as given with its conversion.
  quantity double precision NOT NULL CHECK (quantity >= 0),
  unit text NOT NULL CHECK (unit IN ('t', 'l', 'persons', 'vehicles')),
  quantity_given double precision NOT NULL,
  unit_given text NOT NULL,
  conversion text,
  qualifier text CHECK (qualifier IN ('more than', 'over', 'about', 'at most')),
  carriers text[] NOT NULL DEFAULT '{}',
  direction text NOT NULL CHECK (direction IN ('in', 'out', 'both')),
  outcome text NOT NULL DEFAULT 'delivered' CHECK (outcome IN ('delivered', 'blocked')),
  confidence text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
  -- What the source itself says was expected over the same period (e.g. 72,800 t), if it says so.
  stated_expected double precision CHECK (stated_expected >= 0),
  reported_on date,
  note text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  -- True when another observation of the same scope overlaps this one's period (kept up to date on
  -- every write): such rows are reconciled one by one, the others are summed directly in SQL.
  overlapping boolean NOT NULL DEFAULT false,
  simple boolean GENERATED ALWAYS AS (
    period_start = period_end AND route IS NOT NULL AND cardinality(carriers) > 0 AND NOT overlapping
  ) STORED,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end >= period_start),
  UNIQUE (situation_id, external_ref)
);
CREATE INDEX lifeline_observations_simple_idx ON lifeline_observations
  (situation_id, unit, direction, outcome, period_start) INCLUDE (quantity, commodity) WHERE simple;
CREATE INDEX lifeline_observations_other_idx ON lifeline_observations (situation_id, period_start)
  WHERE NOT simple;
CREATE INDEX lifeline_observations_range_idx ON lifeline_observations
  USING gist (daterange(period_start, period_end, '[]'));

CREATE TABLE lifeline_needs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  commodity text NOT NULL CHECK (commodity IN ('food', 'fuel', 'medicine', 'goods', 'cargo')),
  -- 'baseline-rate': t per day (e.g. the pre-crisis import rate); 'per-person': kg per person per day.
  model text NOT NULL CHECK (model IN ('baseline-rate', 'per-person')),
  rate double precision NOT NULL CHECK (rate > 0),
  rate_high double precision CHECK (rate_high >= rate),
  unit text NOT NULL CHECK (unit IN ('t/day', 'kg/person/day')),
  valid_from date,
  valid_to date,
  selected boolean NOT NULL DEFAULT false,
  label text NOT NULL,
  assumptions text NOT NULL,
  derived_from text[] NOT NULL DEFAULT '{}',
  sources jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((model = 'baseline-rate') = (unit = 't/day')),
  UNIQUE (situation_id, external_ref)
);
CREATE UNIQUE INDEX lifeline_needs_selected_idx ON lifeline_needs (situation_id, commodity) WHERE selected;

CREATE TABLE lifeline_population (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  on_date date NOT NULL,
  on_precision text NOT NULL DEFAULT 'day' CHECK (on_precision IN ('day', 'month', 'year')),
  persons integer NOT NULL CHECK (persons >= 0),
  persons_high integer CHECK (persons_high >= persons),
  qualifier text,
  note text NOT NULL DEFAULT '',
  derived_from text[] NOT NULL DEFAULT '{}',
  sources jsonb NOT NULL,
  UNIQUE (situation_id, external_ref)
);

CREATE TABLE lifeline_disruptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  kind text NOT NULL CHECK (kind IN ('gas', 'electricity', 'internet', 'corridor')),
  status text NOT NULL CHECK (status IN ('cut', 'partial', 'open', 'restricted', 'closed', 'humanitarian-only')),
  route text,
  -- 'interval': dated by the source; 'stated-total': the source states a number of days within a period
  -- without dating them (e.g. gas interrupted for 117 days in total).
  basis text NOT NULL CHECK (basis IN ('interval', 'stated-total')),
  starts_on date NOT NULL,
  -- NULL: the source gives no end. confirmed_until: the last day a source confirms the state.
  ends_on date,
  ends_on_alternative date,
  confirmed_until date,
  stated_days integer CHECK (stated_days >= 0),
  confidence text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
  note text NOT NULL DEFAULT '',
  derived_from text[] NOT NULL DEFAULT '{}',
  sources jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on IS NULL OR ends_on >= starts_on),
  CHECK ((basis = 'stated-total') = (stated_days IS NOT NULL)),
  UNIQUE (situation_id, external_ref)
);
CREATE INDEX lifeline_disruptions_situation_idx ON lifeline_disruptions (situation_id, starts_on);

CREATE TABLE lifeline_stocks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  commodity text NOT NULL,
  on_date date NOT NULL,
  quantity double precision NOT NULL CHECK (quantity >= 0),
  unit text NOT NULL,
  -- Consumption per day in the same unit, and a level below which the stock is unusable, if reported.
  consumption_per_day double precision CHECK (consumption_per_day > 0),
  unusable_below double precision CHECK (unusable_below >= 0),
  note text NOT NULL DEFAULT '',
  derived_from text[] NOT NULL DEFAULT '{}',
  sources jsonb NOT NULL,
  UNIQUE (situation_id, external_ref)
);

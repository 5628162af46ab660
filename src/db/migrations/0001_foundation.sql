-- Foundation: users and access, situations, incidents with revisions, and the first simple tables
-- of the lifeline (supply observations) and response (measures) modules.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'documenter', 'analyst', 'organiser', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Only SHA-256 hashes of session and API tokens are stored: a copy of the database grants no access.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  token_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE situations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  area jsonb,
  population integer CHECK (population >= 0),
  population_note text,
  population_sources jsonb NOT NULL DEFAULT '[]',
  starts_on date NOT NULL,
  ends_on date,
  context_from date,
  visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

-- Map overlays a situation ships (its places, a schematic route), each with its sources.
CREATE TABLE situation_layers (
  id text NOT NULL,
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('places', 'route', 'area')),
  schematic boolean NOT NULL DEFAULT false,
  note text,
  sources jsonb NOT NULL DEFAULT '[]',
  geojson jsonb NOT NULL,
  PRIMARY KEY (situation_id, id)
);

CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  -- Stable key from an import (e.g. the scenario's row reference), so a re-import never duplicates.
  external_ref text,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  category text NOT NULL,
  -- A month-precision date is stored as the month's first day with precision 'month'.
  start_date date NOT NULL,
  start_precision text NOT NULL CHECK (start_precision IN ('day', 'month')),
  end_date date,
  end_precision text CHECK (end_precision IN ('day', 'month')),
  place_name text,
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  point_source text CHECK (point_source IN ('source', 'gazetteer', 'manual')),
  point_note text,
  confidence text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
  status text NOT NULL CHECK (status IN ('draft', 'published')),
  sources jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || description || ' ' || coalesce(place_name, '') || ' ' || category)
  ) STORED,
  CHECK ((lat IS NULL) = (lon IS NULL)),
  CHECK ((end_date IS NULL) = (end_precision IS NULL)),
  CHECK (end_date IS NULL OR end_date >= start_date),
  UNIQUE (situation_id, external_ref)
);
CREATE INDEX incidents_situation_start_idx ON incidents (situation_id, start_date, id);
CREATE INDEX incidents_search_idx ON incidents USING gin (search);

-- Every change of an incident, kept for good: who, when, and each field's value before and after.
CREATE TABLE incident_revisions (
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  revision integer NOT NULL,
  changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  changed_by_label text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changes jsonb NOT NULL,
  PRIMARY KEY (incident_id, revision)
);

CREATE TABLE supply_observations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  observed_on date NOT NULL,
  observed_precision text NOT NULL CHECK (observed_precision IN ('day', 'month', 'year')),
  metric text NOT NULL,
  -- The figure exactly as the source gives it (e.g. '380-400'), and its numeric range when it has one.
  value_text text NOT NULL,
  value_low double precision,
  value_high double precision,
  unit text NOT NULL,
  qualifier text,
  description text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (situation_id, external_ref)
);

CREATE TABLE measures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  kind text NOT NULL,
  actor text NOT NULL,
  target text NOT NULL,
  title text NOT NULL,
  -- The status in the source's own words; the response module maps it to its vocabulary later.
  status_text text NOT NULL,
  measure_date date,
  measure_precision text CHECK (measure_precision IN ('day', 'month', 'year')),
  description text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (situation_id, external_ref)
);

-- One row per scenario loaded into this database, so a restart never imports it twice.
CREATE TABLE scenario_imports (
  slug text PRIMARY KEY,
  content_hash text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  counts jsonb NOT NULL
);

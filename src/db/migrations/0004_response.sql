-- Response I: the measures tracker (a status vocabulary with dated history, links to incidents), the
-- events registry (events hosted by the target state, boycott calls, responses), sanctions lists with
-- their versions, persons of interest and their screenings. See docs/response.md.

-- The foundation's `kind` and `status_text` keep the source's own words; `category` and `status` are
-- the documented vocabulary they map to.
ALTER TABLE measures
  ADD COLUMN category text NOT NULL DEFAULT 'other' CHECK (category IN ('sanction', 'aid_restriction',
    'aid_flow', 'boycott', 'legal_proceeding', 'resolution_or_bill', 'diplomatic_statement',
    'humanitarian_access_demand', 'hearing_or_meeting', 'other')),
  ADD COLUMN status text NOT NULL DEFAULT 'pending' CHECK (status IN ('proposed', 'introduced',
    'passed_one_chamber', 'adopted', 'issued', 'rejected', 'lapsed', 'in_force', 'lifted', 'pending', 'held')),
  ADD COLUMN status_date date,
  ADD COLUMN status_precision text CHECK (status_precision IN ('day', 'month', 'year')),
  ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX measures_situation_idx ON measures (situation_id, measure_date);

-- Every status a measure has had, in order: the first row is its status when recorded.
CREATE TABLE measure_status_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  measure_id uuid NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'introduced', 'passed_one_chamber', 'adopted', 'issued',
    'rejected', 'lapsed', 'in_force', 'lifted', 'pending', 'held')),
  -- The wording of the source for this step, when there is one.
  status_text text,
  changed_on date,
  changed_precision text CHECK (changed_precision IN ('day', 'month', 'year')),
  note text,
  sources jsonb NOT NULL DEFAULT '[]',
  recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  recorded_by_label text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((changed_on IS NULL) = (changed_precision IS NULL)),
  UNIQUE (measure_id, seq)
);

CREATE TABLE measure_incidents (
  measure_id uuid NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  basis text NOT NULL DEFAULT '',
  PRIMARY KEY (measure_id, incident_id)
);

-- International events hosted by the target state (concerts, sports, conferences…).
CREATE TABLE hosted_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  external_ref text,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sport', 'concert', 'contest', 'conference', 'exhibition', 'other')),
  host text NOT NULL,
  starts_on date,
  starts_precision text CHECK (starts_precision IN ('day', 'month', 'year')),
  ends_on date,
  ends_precision text CHECK (ends_precision IN ('day', 'month', 'year')),
  -- The dates as the source words them (e.g. 'held 22, 24 and 26 May 2012').
  dates_text text NOT NULL DEFAULT '',
  venue text,
  organisers jsonb NOT NULL DEFAULT '[]',
  sponsors jsonb NOT NULL DEFAULT '[]',
  participants jsonb NOT NULL DEFAULT '[]',
  description text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((starts_on IS NULL) = (starts_precision IS NULL)),
  CHECK ((ends_on IS NULL) = (ends_precision IS NULL)),
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
  UNIQUE (situation_id, external_ref)
);

-- Calls to boycott (an event, an organiser, the host), linked to an event when one is recorded.
CREATE TABLE boycott_calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  event_id uuid REFERENCES hosted_events (id) ON DELETE SET NULL,
  -- Why the call is linked to the event (e.g. how the import linked it).
  link_basis text,
  external_ref text,
  caller text NOT NULL,
  addressee text NOT NULL,
  title text NOT NULL,
  -- The form of the call as the source words it (statement, petition launched, letter, protest…).
  form_text text NOT NULL,
  called_on date,
  called_precision text CHECK (called_precision IN ('day', 'month', 'year')),
  description text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((called_on IS NULL) = (called_precision IS NULL)),
  UNIQUE (situation_id, external_ref)
);

-- Who withdrew, who stayed, who was barred: the responses around an event.
CREATE TABLE boycott_responses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES hosted_events (id) ON DELETE CASCADE,
  call_id uuid REFERENCES boycott_calls (id) ON DELETE SET NULL,
  responder text NOT NULL,
  response text NOT NULL CHECK (response IN ('withdrew', 'stayed', 'downgraded', 'barred', 'spoke_out', 'other')),
  responded_on date,
  responded_precision text CHECK (responded_precision IN ('day', 'month', 'year')),
  description text NOT NULL DEFAULT '',
  sources jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((responded_on IS NULL) = (responded_precision IS NULL))
);

-- One row per loaded list file set. Only the newest list per source is active; older ones stay so that
-- earlier screenings still name the version they used.
CREATE TABLE sanctions_lists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source text NOT NULL CHECK (source IN ('ofac-sdn', 'un-consolidated')),
  -- The list's own version (the UN file's generation date), or null when the files carry none.
  published_at timestamptz,
  sha256 text NOT NULL,
  files jsonb NOT NULL,
  entry_count integer NOT NULL,
  name_count integer NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  loaded_from text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX sanctions_lists_active_idx ON sanctions_lists (source) WHERE active;

CREATE TABLE sanctions_entries (
  list_id uuid NOT NULL REFERENCES sanctions_lists (id) ON DELETE CASCADE,
  entry_id text NOT NULL,
  entry_type text NOT NULL CHECK (entry_type IN ('individual', 'entity', 'vessel', 'aircraft')),
  name text NOT NULL,
  -- [{ name, kind }]: aliases (OFAC aka/fka/nka, UN alias quality good/low), original-script names.
  aliases jsonb NOT NULL DEFAULT '[]',
  programs jsonb NOT NULL DEFAULT '[]',
  -- Remarks, dates of birth, nationalities, addresses: shown with a match, never used to score it.
  details jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (list_id, entry_id)
);

-- Persons and entities of interest in a situation (e.g. officials responsible for a blockade).
CREATE TABLE persons_of_interest (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('individual', 'entity')),
  name text NOT NULL,
  aliases jsonb NOT NULL DEFAULT '[]',
  role text NOT NULL,
  role_since date,
  role_until date,
  nationality text,
  birth_date text,
  notes text NOT NULL DEFAULT '',
  sources jsonb NOT NULL DEFAULT '[]',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_of_interest_situation_idx ON persons_of_interest (situation_id, name);

-- Evidence for a person's responsibility: incidents of the same situation, with what they show.
CREATE TABLE person_incidents (
  person_id uuid NOT NULL REFERENCES persons_of_interest (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  note text NOT NULL DEFAULT '',
  PRIMARY KEY (person_id, incident_id)
);

-- Each screening of a person, with the list versions it ran against and what it found.
CREATE TABLE person_screenings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES persons_of_interest (id) ON DELETE CASCADE,
  screened_at timestamptz NOT NULL DEFAULT now(),
  screened_by_label text NOT NULL,
  threshold double precision NOT NULL,
  lists jsonb NOT NULL,
  matches jsonb NOT NULL
);
CREATE INDEX person_screenings_person_idx ON person_screenings (person_id, screened_at);

-- Structured risk assessment (issue 8, parts 1-3): dated assessments against the UN Framework of
-- Analysis for Atrocity Crimes, observations of the ten stages of genocide, and suggestions from other
-- modules that an analyst accepts or rejects. Indicator and stage ids refer to the catalogue in code
-- (src/risk/framework/catalogue.ts); links to incidents and evidence items are checked on write.

CREATE TABLE risk_assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  framework text NOT NULL DEFAULT 'un-foa-2014',
  assessed_on date NOT NULL,
  title text NOT NULL DEFAULT '',
  summary text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_assessments_situation_idx ON risk_assessments (situation_id, assessed_on, created_at);

-- One row per indicator marked; an indicator without a row is 'unknown'.
CREATE TABLE risk_assessment_marks (
  assessment_id uuid NOT NULL REFERENCES risk_assessments (id) ON DELETE CASCADE,
  indicator text NOT NULL CHECK (indicator ~ '^[0-9]{1,2}\.[0-9]{1,2}$'),
  status text NOT NULL CHECK (status IN ('absent', 'present', 'strongly-present', 'unknown')),
  note text NOT NULL DEFAULT '',
  incident_ids uuid[] NOT NULL DEFAULT '{}',
  item_ids uuid[] NOT NULL DEFAULT '{}',
  updated_by_label text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (assessment_id, indicator)
);

CREATE TABLE genocide_stage_observations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  stage text NOT NULL CHECK (stage IN ('classification', 'symbolization', 'discrimination', 'dehumanization',
    'organization', 'polarization', 'preparation', 'persecution', 'extermination', 'denial')),
  observed_on date NOT NULL,
  ends_on date,
  note text NOT NULL,
  incident_ids uuid[] NOT NULL DEFAULT '{}',
  item_ids uuid[] NOT NULL DEFAULT '{}',
  suggestion_id uuid,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on IS NULL OR ends_on >= observed_on)
);
CREATE INDEX genocide_stage_observations_situation_idx ON genocide_stage_observations (situation_id, observed_on);

-- What another module's records suggest. Never applied without an analyst's decision, which is kept.
CREATE TABLE risk_suggestions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  target_kind text NOT NULL CHECK (target_kind IN ('indicator', 'stage')),
  target text NOT NULL,
  origin text NOT NULL,
  -- Stable key of the record that produced it, so refreshing never suggests the same thing twice.
  origin_key text NOT NULL,
  reason text NOT NULL,
  starts_on date,
  ends_on date,
  evidence jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_by_label text,
  decided_at timestamptz,
  decision_note text,
  applied_to_assessment uuid REFERENCES risk_assessments (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (situation_id, origin_key),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX risk_suggestions_situation_idx ON risk_suggestions (situation_id, status, created_at);

-- Response II: the officials directory (US Congress and executive from the bundled CC0 snapshot, any
-- other country from CSV), committees and memberships, campaigns with their asks and targets, each
-- official's recorded position on an ask, petitions with email double opt-in, supporters, and the
-- campaign mail outbox. See docs/officials.md and docs/campaigns.md.

-- A directory source (`us-congress`, `us-executive`, `csv:XX`) and the snapshot last loaded from it.
CREATE TABLE official_sources (
  source text PRIMARY KEY,
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  loaded_from text NOT NULL,
  official_count integer NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE officials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source text NOT NULL,
  -- The source's own id: bioguide for the US, the CSV's `id` column otherwise.
  external_id text NOT NULL,
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  name text NOT NULL,
  given_name text,
  family_name text,
  sort_name text NOT NULL,
  -- senate, house, executive, or the CSV's own body (parliament, government…), lower case.
  chamber text NOT NULL,
  title text NOT NULL,
  -- US state or territory (two letters), or the CSV's region; district: the House district (0 = at large).
  state text,
  district integer,
  party text,
  email text,
  phone text,
  contact_form text,
  url text,
  offices jsonb NOT NULL DEFAULT '[]',
  terms jsonb NOT NULL DEFAULT '[]',
  ids jsonb NOT NULL DEFAULT '{}',
  social jsonb NOT NULL DEFAULT '{}',
  -- false once a re-load no longer lists them; kept (never deleted) so recorded positions survive.
  in_office boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, external_id)
);
CREATE INDEX officials_search_idx ON officials (in_office, sort_name, id);
CREATE INDEX officials_place_idx ON officials (country, state, district);

CREATE TABLE committees (
  -- SSFR, HSFA…; a subcommittee's code is its parent's followed by its own number (SSFR09).
  code text PRIMARY KEY,
  parent_code text,
  source text NOT NULL,
  chamber text NOT NULL,
  name text NOT NULL,
  url text,
  phone text,
  address text
);

CREATE TABLE committee_memberships (
  committee_code text NOT NULL REFERENCES committees (code) ON DELETE CASCADE,
  official_id uuid NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  rank integer,
  title text,
  side text,
  PRIMARY KEY (committee_code, official_id)
);
CREATE INDEX committee_memberships_official_idx ON committee_memberships (official_id);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text NOT NULL,
  ask text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'closed')),
  -- [{ "committee": "SSFR" } | { "chamber": "senate" } | { "state": "CA" } | { "delegation": true }]
  target_rules jsonb NOT NULL DEFAULT '[]',
  letter_subject text NOT NULL DEFAULT '',
  letter_template text NOT NULL DEFAULT '',
  -- { "default": "…", "supports": "…", "opposes": "…", "undecided": "…", "committee": "…" }
  call_scripts jsonb NOT NULL DEFAULT '{}',
  petition_text text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Targets chosen by hand, in addition to those the rules select.
CREATE TABLE campaign_targets (
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  official_id uuid NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  PRIMARY KEY (campaign_id, official_id)
);

-- Every position recorded for an official on a campaign's ask; the newest is the current one.
CREATE TABLE official_positions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  official_id uuid NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  position text NOT NULL CHECK (position IN ('supports', 'opposes', 'undecided', 'unknown')),
  stated_on date,
  note text,
  source_url text,
  source_text text,
  recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  recorded_by_label text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CHECK (source_url IS NOT NULL OR source_text IS NOT NULL)
);
CREATE INDEX official_positions_idx ON official_positions (official_id, campaign_id, recorded_at);

-- Outcomes of supporters' calls, reported by the caller: no personal data, only what happened.
CREATE TABLE campaign_calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  official_id uuid NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  outcome text NOT NULL CHECK (outcome IN ('reached', 'voicemail', 'busy', 'no_answer')),
  -- What the office said the official's position is (a supporter's report, not a recorded position).
  stated_position text CHECK (stated_position IN ('supports', 'opposes', 'undecided', 'unknown')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaign_calls_idx ON campaign_calls (campaign_id, official_id);

-- Supporters: only what an action needs. Erased on request (their signatures and queued mail with them).
CREATE TABLE supporters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  given_name text,
  family_name text,
  region text,
  postal_code text,
  country text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE petition_signatures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  supporter_id uuid NOT NULL REFERENCES supporters (id) ON DELETE CASCADE,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz,
  UNIQUE (campaign_id, supporter_id)
);
CREATE INDEX petition_signatures_confirmed_idx ON petition_signatures (campaign_id) WHERE confirmed_at IS NOT NULL;

-- Campaign mail waiting to be sent (docs/campaigns.md, "Email"). A row is claimed, sent and marked
-- sent; message_id is the Message-ID header, so a retry after a crash is recognisable downstream.
CREATE TABLE campaign_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id text NOT NULL UNIQUE,
  kind text NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  supporter_id uuid REFERENCES supporters (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  sent_at timestamptz,
  last_error text
);
CREATE INDEX campaign_outbox_pending_idx ON campaign_outbox (next_attempt_at) WHERE sent_at IS NULL;

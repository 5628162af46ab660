-- Coordination in the product (issue 5, part 7): posts imported into a situation, analysis runs as
-- background jobs with progress, and their results (communities, narratives) that analysts browse, label
-- and link to incidents and evidence. See docs/coordination.md.
-- Alerts (rule "new coordination community above a size") and risk (the "denial" stage suggestion from a
-- narrative an analyst labels as denial or downplaying) read coordination_communities and
-- coordination_narratives by the columns below; keep them.

CREATE TABLE coordination_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  file_name text NOT NULL,
  format text NOT NULL,
  posts_read integer NOT NULL DEFAULT 0,
  posts_stored integer NOT NULL DEFAULT 0,
  malformed integer NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coordination_posts (
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  -- The post id as the platform gives it; unique per situation and platform, so re-imports never double a post.
  platform text NOT NULL,
  post_id text NOT NULL,
  import_id uuid REFERENCES coordination_imports (id) ON DELETE SET NULL,
  author text NOT NULL,
  author_name text,
  created_at timestamptz NOT NULL,
  text text NOT NULL DEFAULT '',
  urls text[] NOT NULL DEFAULT '{}',
  hashtags text[] NOT NULL DEFAULT '{}',
  repost_of text,
  reply_to text,
  lang text,
  author_created_at timestamptz,
  followers integer,
  PRIMARY KEY (situation_id, platform, post_id)
);
CREATE INDEX coordination_posts_author_idx ON coordination_posts (situation_id, author, created_at);

CREATE TABLE coordination_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  -- The analysis options (window, thresholds, behaviours) exactly as run.
  options jsonb NOT NULL DEFAULT '{}',
  -- Progress while running: { phase, done, total }.
  progress jsonb NOT NULL DEFAULT '{}',
  posts integer,
  accounts integer,
  flagged_accounts integer,
  error text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- A worker that dies mid-run leaves its lease to expire; another worker takes the run up again.
  lease_until timestamptz
);
CREATE INDEX coordination_runs_situation_idx ON coordination_runs (situation_id, created_at DESC);

CREATE TABLE coordination_communities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES coordination_runs (id) ON DELETE CASCADE,
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  -- The community's number within its run (as in communities.json).
  number integer NOT NULL,
  label text NOT NULL,
  size integer NOT NULL,
  flagged_accounts integer NOT NULL,
  behaviours text[] NOT NULL DEFAULT '{}',
  -- The full summary as the engine gives it (accounts, top texts, links, hashtags, activity).
  summary jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz,
  last_seen timestamptz,
  -- When the run that found it finished: "detected on" for alert rules.
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, number)
);
CREATE INDEX coordination_communities_situation_idx ON coordination_communities (situation_id, created_at);

CREATE TABLE coordination_narratives (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES coordination_runs (id) ON DELETE CASCADE,
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  community_id uuid REFERENCES coordination_communities (id) ON DELETE SET NULL,
  number integer NOT NULL,
  label text NOT NULL,
  post_count integer NOT NULL,
  account_count integer NOT NULL,
  summary jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz,
  last_seen timestamptz,
  -- An analyst's reading of what the narrative does; 'denial' and 'downplaying' feed the risk module's
  -- suggestion of the "denial" stage (never set automatically).
  stance text NOT NULL DEFAULT 'unassessed'
    CHECK (stance IN ('unassessed', 'denial', 'downplaying', 'other')),
  stance_note text,
  stance_set_by uuid REFERENCES users (id) ON DELETE SET NULL,
  stance_set_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, number)
);
CREATE INDEX coordination_narratives_situation_idx ON coordination_narratives (situation_id, stance);

-- Links from a community or narrative to the incidents and evidence items it concerns.
CREATE TABLE coordination_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  community_id uuid REFERENCES coordination_communities (id) ON DELETE CASCADE,
  narrative_id uuid REFERENCES coordination_narratives (id) ON DELETE CASCADE,
  incident_id uuid REFERENCES incidents (id) ON DELETE CASCADE,
  item_id uuid REFERENCES evidence_items (id) ON DELETE CASCADE,
  note text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((community_id IS NULL) <> (narrative_id IS NULL)),
  CHECK ((incident_id IS NULL) <> (item_id IS NULL))
);

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
  -- Records that are valid but not posts (Telegram service messages).
  skipped integer NOT NULL DEFAULT 0,
  -- The first malformed records: [{ line, reason }].
  malformed_samples jsonb NOT NULL DEFAULT '[]',
  -- Runs analyse only the posts of finished imports; a failed import's posts are removed again.
  status text NOT NULL DEFAULT 'importing' CHECK (status IN ('importing', 'done', 'failed')),
  -- Progress while importing: { phase, done, total }; phase 'read' counts bytes of the file parsed (posts_read
  -- counts the posts so far), 'store' counts posts written of posts_read.
  progress jsonb NOT NULL DEFAULT '{}',
  error text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX coordination_imports_situation_idx ON coordination_imports (situation_id, created_at DESC);

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
-- Runs stream a situation's posts in this order (keyset pages).
CREATE INDEX coordination_posts_time_idx ON coordination_posts (situation_id, created_at, platform, post_id);
CREATE INDEX coordination_posts_import_idx ON coordination_posts (import_id);

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
  lease_until timestamptz,
  -- Which worker holds the lease (only it may write the results), and how often the run was started.
  lease_owner text,
  attempts integer NOT NULL DEFAULT 0,
  communities integer,
  narratives integer,
  -- The engine's counters (candidate pairs, significant pairs, seconds per phase, malformed records).
  stats jsonb
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
  -- The incident's or item's title when the link was made (shown in lists without reading the item again).
  target_title text NOT NULL DEFAULT '',
  note text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((community_id IS NULL) <> (narrative_id IS NULL)),
  CHECK ((incident_id IS NULL) <> (item_id IS NULL))
);

-- The files of a finished run (accounts.csv, edges.csv, communities.json, narratives.json, graph.gexf,
-- graph.graphml, summary.md), exactly as `vigil analyze coordination` writes them.
CREATE TABLE coordination_run_files (
  run_id uuid NOT NULL REFERENCES coordination_runs (id) ON DELETE CASCADE,
  name text NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (run_id, name)
);

-- The nodes and edges of a run's graph (accounts with at least one significant edge), for the explorer
-- and the drill-down into the posts behind an edge.
CREATE TABLE coordination_accounts (
  run_id uuid NOT NULL REFERENCES coordination_runs (id) ON DELETE CASCADE,
  author text NOT NULL,
  author_name text,
  community integer,
  score double precision NOT NULL,
  flagged boolean NOT NULL,
  posts integer NOT NULL,
  partners integer NOT NULL,
  reasons text NOT NULL,
  PRIMARY KEY (run_id, author)
);

CREATE TABLE coordination_edges (
  run_id uuid NOT NULL REFERENCES coordination_runs (id) ON DELETE CASCADE,
  source text NOT NULL,
  target text NOT NULL,
  community integer,
  score double precision NOT NULL,
  observed integer NOT NULL,
  expected double precision NOT NULL,
  behaviours text[] NOT NULL DEFAULT '{}',
  -- Observed and expected co-actions per behaviour.
  by_behaviour jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, source, target)
);
CREATE INDEX coordination_links_community_idx ON coordination_links (community_id);
CREATE INDEX coordination_links_narrative_idx ON coordination_links (narrative_id);

-- The statistical risk model in the product (issue 8, parts 4 and 6): panels uploaded by analysts, and model
-- runs (a backtest and/or a forecast) that run as background jobs. A run's state and progress are kept here,
-- so a page reload, or another server process, shows where it is; its results stay with it.

-- A country-year panel CSV exactly as uploaded (checked as it streamed in: UTF-8, well-formed CSV, a header
-- with unique names, the same number of fields on every row). Kept whole: a run can always be redone.
CREATE TABLE risk_model_panels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  file_name text NOT NULL,
  bytes integer NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  columns text[] NOT NULL,
  row_count integer NOT NULL CHECK (row_count > 0),
  content text NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_model_panels_created_idx ON risk_model_panels (created_at DESC);

CREATE TABLE risk_model_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  panel_id uuid NOT NULL REFERENCES risk_model_panels (id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  -- The options exactly as asked (columns, horizon, years, models, folds, seed…).
  options jsonb NOT NULL,
  -- While it runs: { phase, done, total, message }.
  progress jsonb NOT NULL DEFAULT '{}',
  -- Why it failed, and the option or column at fault when there is one; a failed run keeps no result.
  error text,
  error_field text,
  -- Metrics (as `vigil risk backtest` prints them), ROC points, recall at k, the forecast ranking.
  result jsonb,
  -- The backtest's forecasts.csv and the forecast's ranking with every contribution, as downloaded.
  forecasts_csv text,
  ranking_csv text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- A process that dies mid-run stops renewing its lease; the run is then reported as interrupted.
  lease_until timestamptz,
  CHECK ((status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)),
  CHECK (status <> 'succeeded' OR result IS NOT NULL)
);
CREATE INDEX risk_model_runs_created_idx ON risk_model_runs (created_at DESC);
CREATE INDEX risk_model_runs_status_idx ON risk_model_runs (status, created_at);

-- Evidence intake: URL captures (a job per capture, its sealed parts linked together), public reports
-- from witnesses with their moderation, and the text extracted from sealed items for search.

-- Items may now also come from a public report.
ALTER TABLE evidence_items DROP CONSTRAINT evidence_items_origin_check;
ALTER TABLE evidence_items ADD CONSTRAINT evidence_items_origin_check
  CHECK (origin IN ('upload', 'import', 'capture', 'report'));

-- A URL capture, which runs as a job: its progress while it runs, then what was fetched and the items
-- it sealed. A failed capture stores no item.
CREATE TABLE evidence_captures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE RESTRICT,
  url text NOT NULL,
  incident_id uuid REFERENCES incidents (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage text NOT NULL DEFAULT 'queued',
  error text,
  final_url text,
  http_status integer,
  fetched_at timestamptz,
  -- Whether headless chromium rendered the page (null until known) and, when not, why.
  rendered boolean,
  render_note text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX evidence_captures_situation_idx ON evidence_captures (situation_id, created_at, id);

-- The sealed parts of one capture: the capture record (URL, fetch time, headers), the raw response,
-- the screenshot and the PDF.
CREATE TABLE evidence_capture_items (
  capture_id uuid NOT NULL REFERENCES evidence_captures (id) ON DELETE RESTRICT,
  item_id uuid NOT NULL REFERENCES evidence_items (id) ON DELETE RESTRICT,
  part text NOT NULL CHECK (part IN ('record', 'response', 'screenshot', 'pdf')),
  PRIMARY KEY (capture_id, part)
);
CREATE INDEX evidence_capture_items_item_idx ON evidence_capture_items (item_id);

-- Text extracted from a sealed item (HTML without its tags, the text of a rendered page), for search.
-- The text is derived from the sealed bytes and restricted like them.
CREATE TABLE evidence_texts (
  item_id uuid PRIMARY KEY REFERENCES evidence_items (id) ON DELETE RESTRICT,
  method text NOT NULL,
  body text NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED
);
CREATE INDEX evidence_texts_search_idx ON evidence_texts USING gin (search);
CREATE INDEX evidence_items_title_search_idx ON evidence_items USING gin (to_tsvector('english', title));
CREATE INDEX evidence_notes_search_idx ON evidence_notes USING gin (to_tsvector('english', note));

-- A report from the public. No IP address, user agent or account is stored. The point is stored only
-- as coarse as the witness chose (a finer point is never kept).
CREATE TABLE public_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE RESTRICT,
  what text NOT NULL,
  when_date date,
  when_precision text CHECK (when_precision IN ('day', 'month', 'year')),
  when_text text,
  place_name text,
  location_precision text NOT NULL CHECK (location_precision IN ('exact', 'approximate', 'town', 'region', 'none')),
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  -- The sealed copy of the statement itself (what, when, where as stored).
  statement_item_id uuid REFERENCES evidence_items (id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'merged', 'linked', 'rejected')),
  incident_id uuid REFERENCES incidents (id) ON DELETE SET NULL,
  reason text,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_by_label text,
  decided_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', what || ' ' || coalesce(place_name, '') || ' ' || coalesce(when_text, ''))
  ) STORED,
  CHECK ((lat IS NULL) = (lon IS NULL)),
  CHECK ((when_date IS NULL) = (when_precision IS NULL))
);
CREATE INDEX public_reports_queue_idx ON public_reports (situation_id, status, received_at, id);
CREATE INDEX public_reports_search_idx ON public_reports USING gin (search);

-- The files sent with a report, sealed as evidence items.
CREATE TABLE public_report_items (
  report_id uuid NOT NULL REFERENCES public_reports (id) ON DELETE RESTRICT,
  item_id uuid NOT NULL REFERENCES evidence_items (id) ON DELETE RESTRICT,
  position integer NOT NULL,
  PRIMARY KEY (report_id, item_id)
);
CREATE INDEX public_report_items_item_idx ON public_report_items (item_id);

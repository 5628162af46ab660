-- Evidence vault, continued: URL captures become a persistent queue (a worker leases a job; a job left
-- running by a process that died is taken up again when its lease runs out, resuming from the parts it
-- already sealed), the reason an item has no publishable copy, retired signing keys, and exports that
-- record an integrity failure instead of ending silently.

ALTER TABLE evidence_captures
  ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ADD COLUMN max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  -- While a worker holds the job: until when, and which worker (host:pid). Renewed as the job progresses.
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN leased_by text,
  -- What was fetched (URL, status, headers, redirects, times, address), kept when the raw response is
  -- sealed, so a retry renders and records the same response instead of fetching the page again.
  ADD COLUMN fetch_facts jsonb,
  -- How the page was rendered (browser, subresources), kept when the PDF is sealed.
  ADD COLUMN render_facts jsonb;
CREATE INDEX evidence_captures_queue_idx ON evidence_captures (status, lease_until, created_at);

-- Why an item has no publishable copy (unknown format, a file that could not be decoded…): such an item
-- is shown to no one without sealed access, and this says why.
ALTER TABLE evidence_items ADD COLUMN publishable_note text;

-- A key replaced by `vigil keys rotate` stays here (and in VIGIL_KEY_DIR/retired) to check what it signed.
ALTER TABLE signing_keys ADD COLUMN retired_at timestamptz;

-- How an export ended: complete, or stopped because a blob no longer matched its seal or was missing.
ALTER TABLE evidence_exports
  ADD COLUMN status text NOT NULL DEFAULT 'complete' CHECK (status IN ('streaming', 'complete', 'integrity-failure')),
  ADD COLUMN failures jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN finished_at timestamptz;

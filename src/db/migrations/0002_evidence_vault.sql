-- Evidence vault: sealed originals, their publishable copies, links to incidents, verification notes,
-- the custody log (one hash chain per installation) with signed checkpoints, and export bundles.
-- The bytes live in a content-addressed blob store on disk (VIGIL_BLOB_DIR); rows hold their SHA-256.

-- A sealed original. Never updated except for its phase and title; never deleted.
CREATE TABLE evidence_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE RESTRICT,
  title text NOT NULL,
  -- Sealing: computed from the bytes as they streamed in, before anything else read them.
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  mime text NOT NULL,
  -- What the sender said the file was; type_mismatch when the bytes say otherwise.
  claimed_name text,
  claimed_mime text,
  type_mismatch boolean NOT NULL DEFAULT false,
  origin text NOT NULL CHECK (origin IN ('upload', 'import', 'capture')),
  source_url text,
  -- Restricted: EXIF/XMP/GPS as read from the original, and the capture time the device recorded
  -- (its local time as written, with its offset when the file states one).
  metadata jsonb NOT NULL DEFAULT '{}',
  captured_at text,
  -- 64-bit difference hash (16 hex digits) of images, for near-duplicate suggestions.
  phash text,
  -- Berkeley Protocol phase.
  phase text NOT NULL DEFAULT 'preservation' CHECK (phase IN ('inquiry', 'preliminary-assessment',
    'collection', 'preservation', 'verification', 'investigative-analysis')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (situation_id, sha256)
);
CREATE INDEX evidence_items_situation_idx ON evidence_items (situation_id, created_at, id);
CREATE INDEX evidence_items_sha256_idx ON evidence_items (sha256);

-- The copy any public page, feed or export shows: location and device metadata removed.
CREATE TABLE evidence_publishable (
  item_id uuid PRIMARY KEY REFERENCES evidence_items (id) ON DELETE RESTRICT,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  mime text NOT NULL,
  method text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evidence_item_incidents (
  item_id uuid NOT NULL REFERENCES evidence_items (id) ON DELETE RESTRICT,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  linked_by_label text NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, incident_id)
);
CREATE INDEX evidence_item_incidents_incident_idx ON evidence_item_incidents (incident_id);

-- Verification notes are records of their own, never edits of the item.
CREATE TABLE evidence_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES evidence_items (id) ON DELETE RESTRICT,
  method text NOT NULL CHECK (method IN ('geolocation', 'chronolocation', 'source-check', 'metadata-check',
    'reverse-image-search', 'witness-corroboration', 'technical-analysis', 'other')),
  conclusion text NOT NULL CHECK (conclusion IN ('confirms', 'supports', 'inconclusive', 'contradicts')),
  note text NOT NULL,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  author_label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_notes_item_idx ON evidence_notes (item_id, created_at);

-- The custody log: one chain per installation. hash = SHA-256 over prev_hash and the entry's content
-- (see src/evidence/custody.ts). No foreign keys: nothing may change a row after it is written.
CREATE TABLE custody_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_label text NOT NULL,
  action text NOT NULL,
  item_id uuid,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX custody_log_item_idx ON custody_log (item_id, id);

-- Public keys that signed checkpoints or bundles (the private keys stay in VIGIL_KEY_DIR).
CREATE TABLE signing_keys (
  id text PRIMARY KEY,
  public_key_pem text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A signed statement "the chain's head was entry head_id with hash head_hash at this time".
CREATE TABLE custody_checkpoints (
  id bigserial PRIMARY KEY,
  head_id bigint NOT NULL,
  head_hash text NOT NULL,
  at timestamptz NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL
);

CREATE TABLE evidence_exports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE RESTRICT,
  item_ids jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_by_label text NOT NULL,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

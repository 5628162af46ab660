-- Response measures linked to the evidence items they rest on (as they are to incidents).
CREATE TABLE measure_items (
  measure_id uuid NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
  item_id uuid NOT NULL REFERENCES evidence_items (id) ON DELETE RESTRICT,
  basis text NOT NULL DEFAULT '',
  PRIMARY KEY (measure_id, item_id)
);
CREATE INDEX measure_items_item_idx ON measure_items (item_id);

-- An analyst's stance on a narrative carries over to the same narrative in a newer run of the same
-- situation, so that re-running the analysis on more posts does not lose the analysts' work. The column
-- names the assessment it came from (the first narrative an analyst labelled), and is cleared when an
-- analyst sets the stance of the newer narrative themselves.
ALTER TABLE coordination_narratives
  ADD COLUMN stance_carried_from uuid REFERENCES coordination_narratives (id) ON DELETE SET NULL;

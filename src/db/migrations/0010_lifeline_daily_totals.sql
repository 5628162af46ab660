-- Lifeline: per-day totals of the "simple" observations (one day, one route, named carriers, overlapping
-- nothing), the figures that metrics and the chart sum directly. Summing them from the observations on each
-- request costs one row per route and day (730,000 rows for two years of 1,000 routes); this table holds one
-- row per day and commodity instead.
--
-- It is kept by statement-level triggers on lifeline_observations, so every write path (the JSON and CSV
-- API, the CLI, the scenario derivation, a re-import, a cascade from a deleted situation, plain SQL) keeps it
-- exact without the code having to remember. Quantities are summed as numeric (each double converted
-- to numeric the same way every time), so adding and removing a figure are exact inverses and the table
-- always equals a recomputation from the observations (src/lifeline/records.test.ts proves it).

CREATE TABLE lifeline_daily_totals (
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  unit text NOT NULL,
  direction text NOT NULL,
  outcome text NOT NULL,
  day date NOT NULL,
  commodity text NOT NULL,
  quantity numeric NOT NULL,
  figures integer NOT NULL CHECK (figures > 0),
  PRIMARY KEY (situation_id, unit, direction, outcome, day, commodity)
);

CREATE FUNCTION lifeline_daily_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lifeline_daily_totals AS t (situation_id, unit, direction, outcome, day, commodity, quantity, figures)
  SELECT situation_id, unit, direction, outcome, period_start, commodity, sum(quantity::numeric), count(*)
  FROM added_rows WHERE simple
  GROUP BY situation_id, unit, direction, outcome, period_start, commodity
  ON CONFLICT (situation_id, unit, direction, outcome, day, commodity)
  DO UPDATE SET quantity = t.quantity + EXCLUDED.quantity, figures = t.figures + EXCLUDED.figures;
  RETURN NULL;
END $$;

CREATE FUNCTION lifeline_daily_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A day whose last figure goes is deleted first (the CHECK refuses a row with no figures).
  DELETE FROM lifeline_daily_totals t USING (
      SELECT situation_id, unit, direction, outcome, period_start, commodity, count(*) AS n
      FROM removed_rows WHERE simple
      GROUP BY situation_id, unit, direction, outcome, period_start, commodity
    ) r
  WHERE t.situation_id = r.situation_id AND t.unit = r.unit AND t.direction = r.direction
    AND t.outcome = r.outcome AND t.day = r.period_start AND t.commodity = r.commodity AND t.figures = r.n;
  UPDATE lifeline_daily_totals t SET quantity = t.quantity - r.q, figures = t.figures - r.n
  FROM (
      SELECT situation_id, unit, direction, outcome, period_start, commodity, sum(quantity::numeric) AS q,
        count(*) AS n
      FROM removed_rows WHERE simple
      GROUP BY situation_id, unit, direction, outcome, period_start, commodity
    ) r
  WHERE t.situation_id = r.situation_id AND t.unit = r.unit AND t.direction = r.direction
    AND t.outcome = r.outcome AND t.day = r.period_start AND t.commodity = r.commodity;
  RETURN NULL;
END $$;

CREATE TRIGGER lifeline_daily_totals_insert AFTER INSERT ON lifeline_observations
  REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION lifeline_daily_totals_add();
CREATE TRIGGER lifeline_daily_totals_delete AFTER DELETE ON lifeline_observations
  REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT EXECUTE FUNCTION lifeline_daily_totals_remove();
-- An update removes what the rows were, then adds what they are (a row may become or stop being simple):
-- two triggers, which PostgreSQL fires in the order of their names.
CREATE TRIGGER lifeline_daily_totals_update_1_remove AFTER UPDATE ON lifeline_observations
  REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT EXECUTE FUNCTION lifeline_daily_totals_remove();
CREATE TRIGGER lifeline_daily_totals_update_2_add AFTER UPDATE ON lifeline_observations
  REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION lifeline_daily_totals_add();

INSERT INTO lifeline_daily_totals (situation_id, unit, direction, outcome, day, commodity, quantity, figures)
SELECT situation_id, unit, direction, outcome, period_start, commodity, sum(quantity::numeric), count(*)
FROM lifeline_observations WHERE simple
GROUP BY situation_id, unit, direction, outcome, period_start, commodity;

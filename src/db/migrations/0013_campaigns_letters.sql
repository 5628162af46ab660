-- Campaign letters and the "did they reply?" question (docs/campaigns.md, "Letters"): what a supporter
-- sent to which official by which route, and the answers to the question asked two weeks later. The
-- letter's text is kept only while an e-mail letter waits for its sender to confirm their address; once
-- queued it lives in the outbox (erased with the supporter). Outbox messages may carry a Reply-To and a
-- sender name ("Sam Example via Vigil campaign…"), for letters sent on a supporter's behalf.

ALTER TABLE campaign_outbox ADD COLUMN reply_to text;
ALTER TABLE campaign_outbox ADD COLUMN from_name text;

CREATE TABLE campaign_letters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  official_id uuid NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
  -- Null when the supporter gave no address (contact form or post, no follow-up) or was erased.
  supporter_id uuid REFERENCES supporters (id) ON DELETE SET NULL,
  route text NOT NULL CHECK (route IN ('email', 'contact_form', 'postal')),
  -- The letter was the template unchanged (fewer than 5 % of the words differ) and how much differs.
  unchanged boolean NOT NULL,
  changed_share numeric NOT NULL,
  -- Only while an e-mail letter waits for confirmation; cleared when it is queued.
  pending_subject text,
  pending_body text,
  pending_sender_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The supporter confirmed their address (e-mail letters are queued to the official then).
  confirmed_at timestamptz,
  -- When the "did they reply?" question is due (two weeks after the letter went out).
  reply_question_due timestamptz
);
CREATE INDEX campaign_letters_campaign_idx ON campaign_letters (campaign_id, created_at);
CREATE INDEX campaign_letters_supporter_idx ON campaign_letters (supporter_id);

-- Every answer to "did they reply?"; the newest answer of a letter counts.
CREATE TABLE campaign_letter_replies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  letter_id uuid NOT NULL REFERENCES campaign_letters (id) ON DELETE CASCADE,
  replied boolean NOT NULL,
  -- What the reply said of the official's position, as the supporter read it (not a recorded position).
  stated_position text CHECK (stated_position IN ('supports', 'opposes', 'undecided', 'unknown')),
  answered_at timestamptz NOT NULL
);
CREATE INDEX campaign_letter_replies_letter_idx ON campaign_letter_replies (letter_id, answered_at);

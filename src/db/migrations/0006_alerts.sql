-- Alerts (issue 9): rules as data per situation, alerts with a lifecycle (one per rule and episode),
-- subscriptions of users to webhooks or e-mail, and the outbox of deliveries. See docs/alerts.md.

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('lifeline.coverage_below', 'lifeline.utility_cut', 'lifeline.full_closure',
    'incidents.spike', 'measure.status_change')),
  -- Validated per kind by src/alerts/schema.ts before it is stored.
  parameters jsonb NOT NULL DEFAULT '{}',
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  enabled boolean NOT NULL DEFAULT true,
  -- Public rules' alerts appear in the situation's Atom feed (when the situation itself is public).
  public boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_situation_idx ON alert_rules (situation_id);

CREATE TABLE alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  -- Stable while the condition holds: the deduplication key (one alert per rule and episode).
  episode_key text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  title text NOT NULL,
  message text NOT NULL,
  value double precision,
  starts_on date NOT NULL,
  fired_on date NOT NULL,
  last_held_on date NOT NULL,
  -- The day the condition stopped holding (null while it holds or for one-off events).
  ended_on date,
  evidence jsonb NOT NULL DEFAULT '[]',
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text,
  resolution text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (rule_id, episode_key)
);
CREATE INDEX alerts_situation_idx ON alerts (situation_id, fired_on DESC);

CREATE TABLE alert_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  situation_id uuid NOT NULL REFERENCES situations (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
  -- A webhook URL or an e-mail address.
  target text NOT NULL,
  -- The HMAC-SHA256 key of a webhook (shown once when created); null for e-mail.
  secret text,
  min_severity text NOT NULL DEFAULT 'warning' CHECK (min_severity IN ('info', 'warning', 'critical')),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((channel = 'webhook') = (secret IS NOT NULL))
);
CREATE INDEX alert_subscriptions_situation_idx ON alert_subscriptions (situation_id);

-- The outbox: one row per message to send. A worker claims due rows, sends, and marks them done; a
-- claim is a lease, so a row claimed by a process that died is sent again (at least once, never lost).
CREATE TABLE alert_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
  alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event text NOT NULL CHECK (event IN ('opened', 'resolved')),
  idempotency_key text NOT NULL UNIQUE,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (status, next_attempt_at);

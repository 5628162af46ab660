-- Alerts, continued (issue 9): rule kinds over coordination communities, risk-factor changes and public
-- reports awaiting moderation; in-app notifications; daily e-mail digests through the outbox. See docs/alerts.md.

ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check CHECK (kind IN ('lifeline.coverage_below',
  'lifeline.utility_cut', 'lifeline.full_closure', 'incidents.spike', 'measure.status_change',
  'coordination.community', 'risk.factor_change', 'reports.pending'));

-- The note given when an alert is acknowledged (a resolution keeps its own, in `resolution`).
ALTER TABLE alerts ADD COLUMN acknowledgement text;

-- In-app subscriptions have no target: their notifications are the subscriber's own.
ALTER TABLE alert_subscriptions DROP CONSTRAINT alert_subscriptions_channel_check;
ALTER TABLE alert_subscriptions ADD CONSTRAINT alert_subscriptions_channel_check
  CHECK (channel IN ('webhook', 'email', 'in_app'));
ALTER TABLE alert_subscriptions ALTER COLUMN target DROP NOT NULL;
ALTER TABLE alert_subscriptions ADD CONSTRAINT alert_subscriptions_target_check
  CHECK ((channel = 'in_app') = (target IS NULL));
-- An e-mail subscriber may take one message a day (the digest) instead of one per alert.
ALTER TABLE alert_subscriptions ADD COLUMN digest boolean NOT NULL DEFAULT false;
ALTER TABLE alert_subscriptions ADD CONSTRAINT alert_subscriptions_digest_check
  CHECK (NOT digest OR channel = 'email');

-- In-app notifications: one per user, alert and event, written in the same transaction as the alert change.
CREATE TABLE alert_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  subscription_id uuid REFERENCES alert_subscriptions (id) ON DELETE SET NULL,
  alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event text NOT NULL CHECK (event IN ('opened', 'resolved')),
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, alert_id, event)
);
CREATE INDEX alert_notifications_user_idx ON alert_notifications (user_id, created_at DESC);
CREATE INDEX alert_notifications_unread_idx ON alert_notifications (user_id) WHERE read_at IS NULL;

-- What a digest subscriber's next digest will carry: one row per alert event, on the (UTC) day it happened.
-- A digest for a day is queued once the day is over (one outbox row per subscription and day: its
-- idempotency key is unique), and the rows it carries point to it.
CREATE TABLE alert_digest_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
  alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event text NOT NULL CHECK (event IN ('opened', 'resolved')),
  day date NOT NULL,
  delivery_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, alert_id, event)
);
CREATE INDEX alert_digest_items_pending_idx ON alert_digest_items (day) WHERE delivery_id IS NULL;

-- A digest is an outbox row of its own: no single alert, event 'digest', the day it covers.
ALTER TABLE alert_deliveries ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_event_check;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_event_check
  CHECK (event IN ('opened', 'resolved', 'digest'));
ALTER TABLE alert_deliveries ADD COLUMN digest_day date;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_digest_check
  CHECK ((event = 'digest') = (digest_day IS NOT NULL AND alert_id IS NULL));
ALTER TABLE alert_digest_items ADD CONSTRAINT alert_digest_items_delivery_fk
  FOREIGN KEY (delivery_id) REFERENCES alert_deliveries (id) ON DELETE SET NULL;

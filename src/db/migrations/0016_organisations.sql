-- Organisations: several documentation teams share one installation without seeing each other's private
-- situations (docs/organisations.md). A situation with an organisation_id belongs to that organisation:
-- its private content (a private situation, draft incidents…) is for the organisation's members whose
-- role allows it, and for installation admins. organisation_id NULL keeps the installation-wide rules.

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organisation_members (
  organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  -- NULL when added from the command line (the operator holds the database; no user row acts).
  added_by uuid REFERENCES users (id) ON DELETE SET NULL,
  PRIMARY KEY (organisation_id, user_id)
);
-- Every request loads the user's memberships.
CREATE INDEX organisation_members_user_idx ON organisation_members (user_id);

-- Who was given or lost access, when and by whom: access to private situations is itself a record.
CREATE TABLE organisation_membership_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  user_email text NOT NULL,
  change text NOT NULL CHECK (change IN ('added', 'removed')),
  actor_label text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_membership_log_org_idx ON organisation_membership_log (organisation_id, at);

-- RESTRICT: deleting an organisation must never turn its private situations into installation-wide ones.
ALTER TABLE situations ADD COLUMN organisation_id uuid REFERENCES organisations (id) ON DELETE RESTRICT;
CREATE INDEX situations_organisation_idx ON situations (organisation_id);

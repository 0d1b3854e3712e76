-- Secrets the environment left unset, generated once and shared by every
-- node of the deployment (a token signed by one node verifies on another).
CREATE TABLE IF NOT EXISTS server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Counters call, recall, mark absent, transfer and finish tickets; every change is an event
-- that counters, lobby displays and kiosks follow live (NOTIFY motcua_events across instances).
ALTER TABLE tickets ADD COLUMN public_id text;
ALTER TABLE tickets ADD COLUMN status text NOT NULL DEFAULT 'waiting';
ALTER TABLE tickets ADD COLUMN last_called_at timestamptz;
ALTER TABLE tickets ADD COLUMN done_at timestamptz;
ALTER TABLE tickets ADD COLUMN recalls bigint NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN transferred_from text;
UPDATE tickets SET public_id = md5(random()::text || id::text || clock_timestamp()::text);
UPDATE tickets SET status = 'called', last_called_at = called_at WHERE called_at IS NOT NULL;
CREATE UNIQUE INDEX tickets_public_id ON tickets (public_id);
CREATE INDEX tickets_by_status ON tickets (office_id, office_day, status);

CREATE TABLE events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    office_id text NOT NULL,
    kind      text NOT NULL,
    data      text NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX events_by_office ON events (office_id, id);

-- Counters call, recall, mark absent, transfer and finish tickets; every change is an event
-- that counters, lobby displays and kiosks follow live.
ALTER TABLE tickets ADD COLUMN public_id TEXT;
-- waiting, called, no-show, done
ALTER TABLE tickets ADD COLUMN status TEXT NOT NULL DEFAULT 'waiting';
-- called_at is the first call (the wait ends there); last_called_at the latest (recalls).
ALTER TABLE tickets ADD COLUMN last_called_at TEXT;
ALTER TABLE tickets ADD COLUMN done_at TEXT;
ALTER TABLE tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN transferred_from TEXT;
UPDATE tickets SET public_id = lower(hex(randomblob(16)));
UPDATE tickets SET status = 'called', last_called_at = called_at WHERE called_at IS NOT NULL;
CREATE UNIQUE INDEX tickets_public_id ON tickets (public_id);
CREATE INDEX tickets_by_status ON tickets (office_id, office_day, status);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    data      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX events_by_office ON events (office_id, id);

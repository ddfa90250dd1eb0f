-- The schema of the first release (one office).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE catalog_versions (
    version    INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);
-- One row per procedure of the current catalog; `changed_in` is the version that last
-- added or changed it, so a delta since V is `changed_in > V`.
CREATE TABLE procedures (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    field      TEXT,
    json       TEXT NOT NULL,
    changed_in INTEGER NOT NULL REFERENCES catalog_versions(version)
);
CREATE TABLE procedures_removed (
    code       TEXT NOT NULL,
    removed_in INTEGER NOT NULL REFERENCES catalog_versions(version),
    PRIMARY KEY (code, removed_in)
);
CREATE TABLE queue_services (
    id               TEXT PRIMARY KEY,
    position         INTEGER NOT NULL,
    name_vi          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    priority_allowed INTEGER NOT NULL,
    daily_cap        INTEGER NOT NULL
);
-- weekday: 1 = Monday … 7 = Sunday; times 'HH:MM' in the office's offset.
CREATE TABLE opening_hours (
    weekday INTEGER NOT NULL,
    opens   TEXT NOT NULL,
    closes  TEXT NOT NULL
);
CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  TEXT NOT NULL UNIQUE,
    service_id  TEXT NOT NULL REFERENCES queue_services(id),
    office_day  TEXT NOT NULL,
    number      TEXT NOT NULL,
    priority    TEXT NOT NULL,
    phone       TEXT,
    issued_at   TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    offline     INTEGER NOT NULL,
    kiosk_id    TEXT NOT NULL,
    called_at   TEXT,
    counter     TEXT,
    -- The first answer, replayed verbatim for a repeated request_id.
    response    TEXT NOT NULL
);
CREATE INDEX tickets_by_day ON tickets (service_id, office_day, called_at);
CREATE TABLE dossiers (
    code           TEXT PRIMARY KEY,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    status         INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    received_at    TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    returned_at    TEXT,
    steps          TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE feedback (
    request_id  TEXT PRIMARY KEY,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  TEXT REFERENCES queue_services(id),
    ticket      TEXT,
    ticket_day  TEXT,
    reason      TEXT,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    response    TEXT NOT NULL
);
-- Ticket numbers repeat every day, so "one rating per ticket" is per office day.
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (ticket, ticket_day) WHERE ticket IS NOT NULL;
CREATE TABLE kiosks (
    kiosk_id        TEXT PRIMARY KEY,
    last_seen       TEXT NOT NULL,
    version         TEXT NOT NULL,
    printer         TEXT NOT NULL,
    catalog_version INTEGER,
    outbox          INTEGER,
    uptime_s        INTEGER
);

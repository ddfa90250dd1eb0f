-- Offices: services, hours, tickets, ratings, kiosks and dossiers belong to one. What a
-- one-office database held becomes office 'main'. Numbers come from a series row per service
-- and office day, so concurrent issuers queue on one row instead of reading every ticket.
CREATE TABLE offices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    address    TEXT,
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO offices (id, name, address, position, created_at)
    VALUES ('main', 'Bộ phận Một cửa', NULL, 0,
            strftime('%Y-%m-%dT%H:%M:%S+07:00', 'now', '+7 hours'));

CREATE TABLE queue_services_v4 (
    office_id        TEXT NOT NULL REFERENCES offices(id),
    id               TEXT NOT NULL,
    position         INTEGER NOT NULL,
    name_vi          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    priority_allowed INTEGER NOT NULL,
    daily_cap        INTEGER NOT NULL,
    PRIMARY KEY (office_id, id)
);
INSERT INTO queue_services_v4
    SELECT 'main', id, position, name_vi, name_en, prefix, priority_allowed, daily_cap
    FROM queue_services;

CREATE TABLE opening_hours_v4 (
    office_id TEXT NOT NULL REFERENCES offices(id),
    weekday   INTEGER NOT NULL,
    opens     TEXT NOT NULL,
    closes    TEXT NOT NULL
);
INSERT INTO opening_hours_v4 SELECT 'main', weekday, opens, closes FROM opening_hours;

CREATE TABLE tickets_v4 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id   TEXT NOT NULL,
    service_id  TEXT NOT NULL,
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
    FOREIGN KEY (office_id, service_id) REFERENCES queue_services_v4 (office_id, id)
);
INSERT INTO tickets_v4 (id, office_id, service_id, office_day, number, priority, phone,
        issued_at, recorded_at, offline, kiosk_id, called_at, counter)
    SELECT id, 'main', service_id, office_day, number, priority, phone, issued_at, recorded_at,
        offline, kiosk_id, called_at, counter FROM tickets;

CREATE TABLE feedback_v4 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id   TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  TEXT,
    ticket      TEXT,
    ticket_day  TEXT,
    reason      TEXT,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL
);
INSERT INTO feedback_v4 (id, office_id, rating, service_id, ticket, ticket_day, reason, at,
        received_at, kiosk_id)
    SELECT id, 'main', rating, service_id, ticket, ticket_day, reason, at, received_at, kiosk_id
    FROM feedback;

DROP TABLE tickets;
DROP TABLE feedback;
DROP TABLE queue_services;
DROP TABLE opening_hours;
ALTER TABLE queue_services_v4 RENAME TO queue_services;
ALTER TABLE opening_hours_v4 RENAME TO opening_hours;
ALTER TABLE tickets_v4 RENAME TO tickets;
ALTER TABLE feedback_v4 RENAME TO feedback;
CREATE UNIQUE INDEX tickets_one_number ON tickets (office_id, service_id, office_day, upper(number));
CREATE INDEX tickets_by_day ON tickets (office_id, service_id, office_day, called_at);
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (office_id, ticket, ticket_day)
    WHERE ticket IS NOT NULL;

CREATE TABLE ticket_series (
    office_id  TEXT NOT NULL,
    service_id TEXT NOT NULL,
    office_day TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (office_id, service_id, office_day)
);

ALTER TABLE kiosks ADD COLUMN office_id TEXT NOT NULL DEFAULT 'main';
ALTER TABLE dossiers ADD COLUMN office_id TEXT NOT NULL DEFAULT 'main';

-- Kiosk, counter and display tokens made through the admin API; only their hash is kept.
CREATE TABLE credentials (
    token_hash TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('kiosk', 'counter', 'display')),
    office_id  TEXT NOT NULL REFERENCES offices(id),
    subject    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (role, office_id, subject)
);

-- Per-office changes to a shared procedure (local fees, shorter times); `patch` NULL: removed.
CREATE TABLE procedure_overrides (
    office_id  TEXT NOT NULL REFERENCES offices(id),
    code       TEXT NOT NULL,
    patch      TEXT,
    changed_in INTEGER NOT NULL,
    PRIMARY KEY (office_id, code)
);

-- Rate limits shared by every server instance: hits per key per minute.
CREATE TABLE rate_windows (
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

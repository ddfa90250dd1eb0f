-- Request ids become per kiosk and remember a fingerprint of the body (tickets and ratings
-- lose their own copies); an offline number is recorded once per service and office day.
CREATE TABLE requests (
    kiosk_id    TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    -- The request without personal data; 'legacy' for rows from before fingerprints.
    fingerprint TEXT NOT NULL,
    -- The first answer, replayed verbatim.
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, request_id)
);
CREATE INDEX requests_by_age ON requests (created_at);
INSERT OR IGNORE INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
    SELECT kiosk_id, request_id, 'legacy', response, recorded_at FROM tickets;
INSERT OR IGNORE INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
    SELECT kiosk_id, request_id, 'legacy', response, received_at FROM feedback;

CREATE TABLE tickets_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
    counter     TEXT
);
INSERT INTO tickets_v2 (id, service_id, office_day, number, priority, phone, issued_at,
        recorded_at, offline, kiosk_id, called_at, counter)
    SELECT id, service_id, office_day, number, priority, phone, issued_at, recorded_at, offline,
        kiosk_id, called_at, counter FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_v2 RENAME TO tickets;
-- Offline numbers recorded twice before this rule keep their row under a marked number.
UPDATE tickets SET number = number || '-' || id
    WHERE id NOT IN (SELECT MIN(id) FROM tickets GROUP BY service_id, office_day, upper(number));
CREATE UNIQUE INDEX tickets_one_number ON tickets (service_id, office_day, upper(number));
CREATE INDEX tickets_by_day ON tickets (service_id, office_day, called_at);

CREATE TABLE feedback_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  TEXT REFERENCES queue_services(id),
    ticket      TEXT,
    ticket_day  TEXT,
    reason      TEXT,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL
);
INSERT INTO feedback_v2 (rating, service_id, ticket, ticket_day, reason, at, received_at, kiosk_id)
    SELECT rating, service_id, ticket, ticket_day, reason, at, received_at, kiosk_id FROM feedback;
DROP TABLE feedback;
ALTER TABLE feedback_v2 RENAME TO feedback;
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (ticket, ticket_day) WHERE ticket IS NOT NULL;

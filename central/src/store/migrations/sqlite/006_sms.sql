-- SMS to citizens: every message is an outbox row written in the transaction of what caused it
-- (a call, a dossier's new status), sent by the sender task; dossier subscriptions hold a phone
-- until the result is handed over or [sms] keep_days pass.
ALTER TABLE tickets ADD COLUMN near_notified INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sms_outbox (
    id              TEXT PRIMARY KEY,
    office_id       TEXT NOT NULL,
    -- One message per cause and recipient (a ticket's call, a dossier's status for a phone).
    dedupe_key      TEXT NOT NULL UNIQUE,
    trigger         TEXT NOT NULL,
    -- The number until the message is settled; the masked form stays for the list.
    phone           TEXT,
    phone_masked    TEXT NOT NULL,
    text            TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    segments        INTEGER NOT NULL,
    -- queued, sending, sent, failed, expired, unconfirmed
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    claimed_at      TEXT,
    last_error      TEXT,
    gateway_id      TEXT,
    delivery        TEXT,
    delivered_at    TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
CREATE INDEX sms_outbox_gateway ON sms_outbox (gateway_id);
CREATE INDEX sms_outbox_by_office ON sms_outbox (office_id, created_at);

CREATE TABLE sms_subscriptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_code TEXT NOT NULL,
    phone        TEXT NOT NULL,
    kiosk_id     TEXT NOT NULL,
    -- The dossier was already late when the citizen subscribed: no late message then.
    late_notified INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (dossier_code, phone)
);

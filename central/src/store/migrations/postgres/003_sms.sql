-- SMS to citizens: every message is an outbox row written in the transaction of what caused it
-- (a call, a dossier's new status), sent by the sender task of any instance; dossier
-- subscriptions hold a phone until the result is handed over or [sms] keep_days pass.
ALTER TABLE tickets ADD COLUMN near_notified boolean NOT NULL DEFAULT false;

CREATE TABLE sms_outbox (
    id              text PRIMARY KEY,
    office_id       text NOT NULL,
    dedupe_key      text NOT NULL UNIQUE,
    trigger         text NOT NULL,
    phone           text,
    phone_masked    text NOT NULL,
    text            text NOT NULL,
    encoding        text NOT NULL,
    segments        bigint NOT NULL,
    status          text NOT NULL,
    attempts        bigint NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    claimed_at      timestamptz,
    last_error      text,
    gateway_id      text,
    delivery        text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
CREATE INDEX sms_outbox_gateway ON sms_outbox (gateway_id);
CREATE INDEX sms_outbox_by_office ON sms_outbox (office_id, created_at);

CREATE TABLE sms_subscriptions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_code  text NOT NULL,
    phone         text NOT NULL,
    kiosk_id      text NOT NULL,
    late_notified boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    UNIQUE (dossier_code, phone)
);

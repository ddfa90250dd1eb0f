-- The whole schema for PostgreSQL, equivalent to SQLite migrations 1 to 4.
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE offices (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    address    text,
    position   bigint NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE catalog_versions (
    version    bigint PRIMARY KEY,
    created_at timestamptz NOT NULL
);
-- One row per procedure of the current catalog; `changed_in` is the version that last added
-- or changed it, so a delta since V is `changed_in > V`.
CREATE TABLE procedures (
    code       text PRIMARY KEY,
    position   bigint NOT NULL,
    field      text,
    json       text NOT NULL,
    changed_in bigint NOT NULL REFERENCES catalog_versions(version)
);
CREATE TABLE procedures_removed (
    code       text NOT NULL,
    removed_in bigint NOT NULL REFERENCES catalog_versions(version),
    PRIMARY KEY (code, removed_in)
);
CREATE TABLE procedure_overrides (
    office_id  text NOT NULL REFERENCES offices(id),
    code       text NOT NULL,
    patch      text,
    changed_in bigint NOT NULL,
    PRIMARY KEY (office_id, code)
);
CREATE TABLE queue_services (
    office_id        text NOT NULL REFERENCES offices(id),
    id               text NOT NULL,
    position         bigint NOT NULL,
    name_vi          text NOT NULL,
    name_en          text NOT NULL,
    prefix           text NOT NULL,
    priority_allowed boolean NOT NULL,
    daily_cap        bigint NOT NULL,
    PRIMARY KEY (office_id, id)
);
-- weekday: 1 = Monday … 7 = Sunday; times 'HH:MM' in the office's offset.
CREATE TABLE opening_hours (
    office_id text NOT NULL REFERENCES offices(id),
    weekday   bigint NOT NULL,
    opens     text NOT NULL,
    closes    text NOT NULL
);
CREATE TABLE ticket_series (
    office_id  text NOT NULL,
    service_id text NOT NULL,
    office_day date NOT NULL,
    last_seq   bigint NOT NULL,
    PRIMARY KEY (office_id, service_id, office_day)
);
CREATE TABLE tickets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    office_id   text NOT NULL,
    service_id  text NOT NULL,
    office_day  date NOT NULL,
    number      text NOT NULL,
    priority    text NOT NULL,
    phone       text,
    issued_at   timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    offline     boolean NOT NULL,
    kiosk_id    text NOT NULL,
    called_at   timestamptz,
    counter     text,
    FOREIGN KEY (office_id, service_id) REFERENCES queue_services (office_id, id)
);
CREATE UNIQUE INDEX tickets_one_number ON tickets (office_id, service_id, office_day, upper(number));
CREATE INDEX tickets_by_day ON tickets (office_id, service_id, office_day, called_at);
CREATE TABLE requests (
    kiosk_id    text NOT NULL,
    request_id  text NOT NULL,
    fingerprint text NOT NULL,
    response    text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (kiosk_id, request_id)
);
CREATE INDEX requests_by_age ON requests (created_at);
CREATE TABLE dossiers (
    code           text PRIMARY KEY,
    procedure_code text NOT NULL,
    procedure_name text NOT NULL,
    applicant_name text NOT NULL,
    status         bigint NOT NULL CHECK (status BETWEEN 1 AND 10),
    received_at    timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    returned_at    timestamptz,
    steps          text NOT NULL,
    updated_at     timestamptz NOT NULL,
    office_id      text NOT NULL DEFAULT 'main'
);
CREATE TABLE feedback (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    office_id   text NOT NULL,
    rating      bigint NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  text,
    ticket      text,
    ticket_day  date,
    reason      text,
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    kiosk_id    text NOT NULL
);
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (office_id, ticket, ticket_day)
    WHERE ticket IS NOT NULL;
CREATE TABLE kiosks (
    kiosk_id        text PRIMARY KEY,
    last_seen       timestamptz NOT NULL,
    version         text NOT NULL,
    printer         text NOT NULL,
    catalog_version bigint,
    outbox          bigint,
    uptime_s        bigint,
    office_id       text NOT NULL DEFAULT 'main'
);
CREATE TABLE credentials (
    token_hash text PRIMARY KEY,
    role       text NOT NULL CHECK (role IN ('kiosk', 'counter', 'display')),
    office_id  text NOT NULL REFERENCES offices(id),
    subject    text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (role, office_id, subject)
);
CREATE TABLE rate_windows (
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- Ferry manager inventory. Portable between SQLite and PostgreSQL: times are epoch
-- milliseconds, structured values are JSON text.

CREATE TABLE hosts (
    name          VARCHAR(128) PRIMARY KEY,
    url           VARCHAR(512) NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    status_since  BIGINT       NOT NULL,
    last_seen     BIGINT,
    maintenance   VARCHAR(16)  NOT NULL,
    facts         TEXT,
    load          TEXT,
    added_at      BIGINT       NOT NULL
);

-- A VM and its lease: exactly one host may run it, at an epoch raised by each handover.
CREATE TABLE vms (
    name          VARCHAR(128) PRIMARY KEY,
    host          VARCHAR(128) NOT NULL,
    epoch         BIGINT       NOT NULL,
    lease_since   BIGINT       NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    vcpus         INTEGER      NOT NULL,
    memory_bytes  BIGINT       NOT NULL,
    anti_affinity TEXT         NOT NULL,
    seen          BIGINT       NOT NULL
);

CREATE TABLE migrations (
    id              VARCHAR(64)  PRIMARY KEY,
    seq             BIGINT       NOT NULL,
    vm              VARCHAR(128) NOT NULL,
    source          VARCHAR(128) NOT NULL,
    destination     VARCHAR(128) NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    reason          TEXT,
    origin          VARCHAR(128) NOT NULL,
    settings        TEXT,
    requested_at    BIGINT       NOT NULL,
    started_at      BIGINT,
    ended_at        BIGINT,
    agent_migration VARCHAR(64),
    record          TEXT
);
CREATE INDEX migrations_status ON migrations (status, seq);

-- One line per VM of a host entering maintenance.
CREATE TABLE evacuations (
    host        VARCHAR(128) NOT NULL,
    vm          VARCHAR(128) NOT NULL,
    destination VARCHAR(128),
    migration   VARCHAR(64),
    status      VARCHAR(16)  NOT NULL,
    reason      TEXT,
    PRIMARY KEY (host, vm)
);

CREATE TABLE events (
    id       VARCHAR(64)  PRIMARY KEY,
    at       BIGINT       NOT NULL,
    kind     VARCHAR(32)  NOT NULL,
    subject  VARCHAR(128) NOT NULL,
    message  TEXT         NOT NULL
);
CREATE INDEX events_at ON events (at);

CREATE TABLE settings (
    name  VARCHAR(64) PRIMARY KEY,
    value TEXT        NOT NULL
);

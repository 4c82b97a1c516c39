-- logmap's history, schema version 1.
--
-- Plain SQL types and statements that PostgreSQL runs too (no WITHOUT ROWID, no SQLite
-- functions in the schema), so a store shared by many hosts can use the same tables. Times are
-- Unix seconds (UTC). Counters are exact: every ingested line adds to them once (see
-- src/store/mod.rs, "Exactly once").

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Host names: from the syslog line, or the machine that ingested.
CREATE TABLE hosts (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- Where each input stands. A file is known by a fingerprint of its first bytes (of the text,
-- inside gzip), so a rotated file is recognised under its new name and compressed; device and
-- inode tell a file truncated in place (copytruncate) from a renamed one. A journal is known by
-- its name (`journal`, or the file) and stands at a cursor.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    host_id         INTEGER NOT NULL REFERENCES hosts (id),
    path            TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- 'file' | 'journal'
    device          INTEGER,
    inode           INTEGER,
    fingerprint     TEXT,                   -- hex SHA-256 of the first fingerprint_len bytes
    fingerprint_len INTEGER,
    format          TEXT,
    gzip            INTEGER NOT NULL DEFAULT 0,
    "offset"        INTEGER NOT NULL DEFAULT 0,  -- bytes of text stored (whole lines)
    line            INTEGER NOT NULL DEFAULT 0,  -- lines stored
    cursor          TEXT,                   -- journal: the __CURSOR of the last entry stored
    state           TEXT,                   -- the parser's state at "offset" (JSON)
    unparsed        INTEGER NOT NULL DEFAULT 0,
    first_ingest    INTEGER,
    last_ingest     INTEGER
);
CREATE INDEX sources_fingerprint ON sources (fingerprint_len, fingerprint);

-- One row per `logmap ingest` run that stored something.
CREATE TABLE ingests (
    id            INTEGER PRIMARY KEY,
    started       INTEGER NOT NULL,
    finished      INTEGER,
    lines         INTEGER NOT NULL DEFAULT 0,
    events        INTEGER NOT NULL DEFAULT 0,
    new_addresses INTEGER NOT NULL DEFAULT 0
);

-- Strings that many rows share: user names, services, methods, paths, user agents, protocols.
CREATE TABLE names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- Per address, kept for ever: counters and where it is. Private addresses are kept apart
-- (private = 1, no counters), as a one-shot run counts them.
CREATE TABLE addresses (
    id                   INTEGER PRIMARY KEY,
    ip                   TEXT NOT NULL UNIQUE,
    private              INTEGER NOT NULL DEFAULT 0,
    first_ingest         INTEGER NOT NULL,
    events               INTEGER NOT NULL DEFAULT 0,
    failures             INTEGER NOT NULL DEFAULT 0,
    successes            INTEGER NOT NULL DEFAULT 0,
    first_seen           INTEGER,
    last_seen            INTEGER,
    k_auth_failure       INTEGER NOT NULL DEFAULT 0,
    k_invalid_user       INTEGER NOT NULL DEFAULT 0,
    k_policy_reject      INTEGER NOT NULL DEFAULT 0,
    k_too_many_failures  INTEGER NOT NULL DEFAULT 0,
    k_auth_success       INTEGER NOT NULL DEFAULT 0,
    k_preauth_disconnect INTEGER NOT NULL DEFAULT 0,
    k_scan               INTEGER NOT NULL DEFAULT 0,
    k_other              INTEGER NOT NULL DEFAULT 0,
    k_request            INTEGER NOT NULL DEFAULT 0,
    k_blocked            INTEGER NOT NULL DEFAULT 0,
    k_allowed            INTEGER NOT NULL DEFAULT 0,
    k_seen               INTEGER NOT NULL DEFAULT 0,
    -- The location, and the geolocation data that gave it (`located_with`).
    country              TEXT,
    country_name         TEXT,
    city                 TEXT,
    region               TEXT,
    lat                  REAL,
    lon                  REAL,
    accuracy             TEXT,
    asn                  INTEGER,
    as_org               TEXT,
    located_with         INTEGER REFERENCES geo_data (id)
);

-- The geolocation data that located addresses (a description with its date).
CREATE TABLE geo_data (
    id          INTEGER PRIMARY KEY,
    description TEXT NOT NULL UNIQUE
);

-- Login attempts per address and user name.
CREATE TABLE users (
    address_id INTEGER NOT NULL REFERENCES addresses (id),
    name_id    INTEGER NOT NULL REFERENCES names (id),
    attempts   INTEGER NOT NULL,
    successes  INTEGER NOT NULL,
    PRIMARY KEY (address_id, name_id)
);

-- Totals per hour: events, failed and successful logins (the timeline); private addresses'
-- apart (private = 1), since views leave them out unless asked.
CREATE TABLE timeline (
    hour      INTEGER NOT NULL,
    private   INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    failures  INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    PRIMARY KEY (hour, private)
);

-- Totals per minute over the last week of the data (the 1 h / 24 h / 7 d windows).
CREATE TABLE minutes (
    minute   INTEGER NOT NULL,
    private  INTEGER NOT NULL,
    events   INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    PRIMARY KEY (minute, private)
);

-- Every event, for a retention period (`ingest --keep-events`); older ones are pruned and
-- their counts stay in the tables above. The events of one batch of one input are one row: a
-- zlib-compressed run of compact records (format in src/store/events.rs) — a few bytes an
-- event, one statement a batch. `kind` in a record is the kind's position in the export's list:
-- 0 auth_failure, 1 invalid_user, 2 policy_reject, 3 too_many_failures, 4 auth_success,
-- 5 preauth_disconnect, 6 scan, 7 other, 8 request, 9 blocked, 10 allowed, 11 seen.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources (id),
    first_line INTEGER NOT NULL,
    last_line  INTEGER NOT NULL,
    min_ts     INTEGER,
    max_ts     INTEGER,
    count      INTEGER NOT NULL,
    data       BLOB NOT NULL
);

-- logmap's history, schema version 2: what a log says beyond its addresses (the aggregator's
-- `LogTotals`, src/aggregate/mod.rs), counted as a one-shot run counts it; private addresses'
-- apart (private = 1), as in `timeline`. Events per kind are the sum of the addresses' k_*
-- columns and are not stored again. A store migrated from version 1 counts these from the
-- batches stored after the migration.

-- Events per destination port and protocol (firewalls, honeypots). `port` is -1 for a protocol
-- without ports (ICMP); `proto_id` names the protocol as the log wrote it ('' when it did not).
CREATE TABLE ports (
    private  INTEGER NOT NULL,
    proto_id INTEGER NOT NULL REFERENCES names (id),
    port     INTEGER NOT NULL,
    events   INTEGER NOT NULL,
    blocked  INTEGER NOT NULL,
    allowed  INTEGER NOT NULL,
    PRIMARY KEY (private, proto_id, port)
);

-- Web requests per status code (0: logged without one).
CREATE TABLE statuses (
    private INTEGER NOT NULL,
    status  INTEGER NOT NULL,
    events  INTEGER NOT NULL,
    PRIMARY KEY (private, status)
);

-- The bounded counters of request paths and user agents (src/aggregate/topk.rs): each string
-- held with its count (an upper bound), how much that may exceed the true count, and its
-- arrival number; per counter, the floor (a string not held occurred at most that often) and
-- the next arrival number. At most twice the counter's capacity of strings per counter.
CREATE TABLE top_strings (
    counter TEXT    NOT NULL,   -- 'path' | 'user_agent'
    private INTEGER NOT NULL,
    name_id INTEGER NOT NULL REFERENCES names (id),
    count   INTEGER NOT NULL,
    error   INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (counter, private, name_id)
);

CREATE TABLE top_floors (
    counter  TEXT    NOT NULL,
    private  INTEGER NOT NULL,
    floor    INTEGER NOT NULL,
    next_seq INTEGER NOT NULL,
    PRIMARY KEY (counter, private)
);

-- Rate limits as a generic cell rate algorithm (GCRA, a token bucket in one number): per bucket, the
-- theoretical arrival time of the next request. A limit of N per window allows a burst of N, then
-- one every window/N, with no window edge: the same requests get the same answers whatever the
-- clock says (fixed windows let twice the limit through across an edge, and made tests that sent
-- a limit's worth of requests depend on the minute they ran in). Shared by every instance.
DROP TABLE rate_limits;
CREATE TABLE rate_buckets (
    bucket  TEXT PRIMARY KEY,
    -- Unix milliseconds: a request is let through while this is at most a window minus one
    -- interval ahead of now.
    tat     BIGINT NOT NULL
);

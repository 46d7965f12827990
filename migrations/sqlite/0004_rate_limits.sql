-- Attempts per bucket in the current fixed window; see migrations/mysql.
CREATE TABLE rate_limits (
    bucket TEXT NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);

-- Attempts per bucket ("login:<account>", "addr:<client address>") in the
-- current fixed window; kept in the database so replicas share them.
CREATE TABLE rate_limits (
    bucket VARCHAR(320) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

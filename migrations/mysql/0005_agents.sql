-- Capture agents, by name, with the SHA-256 of their token (`encap-control agents add`).
CREATE TABLE agents (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NULL,
    UNIQUE KEY agents_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Accounts. name_key (the name case-folded by the service) and email (lower-cased
-- by the service) compare byte for byte, as on SQLite: utf8mb4_unicode_ci would
-- also call "rene" and "René" equal.
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    name_key VARCHAR(256) COLLATE utf8mb4_bin NOT NULL,
    email VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE KEY users_name_key (name_key),
    UNIQUE KEY users_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

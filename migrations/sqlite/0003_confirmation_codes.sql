-- One-time email confirmation codes, by their SHA-256.
CREATE TABLE confirmation_codes (
    code_hash TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX confirmation_codes_user ON confirmation_codes (user_id);

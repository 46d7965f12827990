//! The store's errors, narrowed to what callers act on.

use std::fmt;

/// Which unique field of a new account is already used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Name,
    Email,
    /// Not yet known (resolved inside the store before it returns).
    Unknown,
}

#[derive(Debug)]
pub enum StoreError {
    Taken(Taken),
    /// The database URL cannot be used; the sentence says why.
    Url(String),
    Migrate(sqlx::migrate::MigrateError),
    Db(sqlx::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Taken(Taken::Name) => f.write_str("the name is taken"),
            StoreError::Taken(_) => f.write_str("the email is taken"),
            StoreError::Url(m) => f.write_str(m),
            StoreError::Migrate(e) => write!(f, "applying the migrations failed: {e}"),
            StoreError::Db(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

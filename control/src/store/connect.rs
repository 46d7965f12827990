//! Choosing the backend from the database URL, connecting and migrating.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::MySqlPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::{Pool, Store, StoreError};

/// A database URL whose scheme encap knows: `sqlite:PATH` or `mysql://…`
/// (also `mariadb://…`).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    MySql(String),
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            return Ok(DatabaseUrl::Sqlite(url.to_string()));
        }
        if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            return Ok(DatabaseUrl::MySql(url.to_string()));
        }
        let scheme = url.split_once(':').map_or(url, |(s, _)| s);
        Err(format!(
            "unsupported database URL {:?}: use sqlite:PATH (the default) or \
             mysql://USER:PASSWORD@HOST:PORT/DATABASE",
            if scheme.is_empty() { url } else { scheme }
        ))
    }
}

/// Shown with the password replaced, so the URL can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(url) => f.write_str(url),
            DatabaseUrl::MySql(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `mysql://user:secret@host/db` → `mysql://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

pub(super) async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
    let pool = match url {
        DatabaseUrl::Sqlite(text) => {
            let options = SqliteConnectOptions::from_str(text)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            sqlx::migrate!("../migrations/sqlite")
                .run(&pool)
                .await
                .map_err(StoreError::Migrate)?;
            Pool::Sqlite(pool)
        }
        DatabaseUrl::MySql(text) => {
            let pool = MySqlPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(text)
                .await?;
            sqlx::migrate!("../migrations/mysql")
                .run(&pool)
                .await
                .map_err(StoreError::Migrate)?;
            Pool::MySql(pool)
        }
    };
    Ok(Store { pool })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_or_say_why_not() {
        assert!(matches!(
            "sqlite:/tmp/x.db".parse(),
            Ok(DatabaseUrl::Sqlite(_))
        ));
        assert!(matches!(
            "mysql://u:p@127.0.0.1/encap".parse(),
            Ok(DatabaseUrl::MySql(_))
        ));
        let e = "postgres://u@h/db".parse::<DatabaseUrl>().unwrap_err();
        assert!(
            e.contains("\"postgres\"") && e.contains("sqlite:PATH"),
            "{e}"
        );
        let e = "".parse::<DatabaseUrl>().unwrap_err();
        assert!(e.starts_with("unsupported database URL"), "{e}");
    }

    #[test]
    fn passwords_are_redacted() {
        let url: DatabaseUrl = "mysql://encap:s3cr@t@127.0.0.1:3306/encap".parse().unwrap();
        assert_eq!(url.to_string(), "mysql://encap:***@127.0.0.1:3306/encap");
        assert!(!format!("{url:?}").contains("s3cr"));
    }
}

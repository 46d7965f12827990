//! Fresh databases for tests: an SQLite file in a temporary directory, or a
//! new database on the MariaDB server whose URL is in ENCAP_TEST_MYSQL_URL
//! (`scripts/test.sh` starts one with `scripts/mariadb.sh`).

#![allow(dead_code)]

use std::path::PathBuf;

use encap_control::store::DatabaseUrl;
use sqlx::Connection;

/// A new, empty SQLite database file in a directory unique to this test and
/// process; the directory goes when this is dropped (at the end of the test,
/// pass or fail), so runs leave nothing behind.
pub struct Sqlite {
    dir: PathBuf,
}

impl Sqlite {
    pub fn url(&self) -> DatabaseUrl {
        DatabaseUrl::Sqlite(format!("sqlite:{}", self.dir.join("encap.db").display()))
    }
}

impl Drop for Sqlite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn fresh_sqlite(name: &str) -> Sqlite {
    let dir = std::env::temp_dir().join(format!("encap-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Sqlite { dir }
}

/// A new, empty MariaDB database, or `None` (with a note) when no server is
/// configured. Under CI a missing server is a failure, not a skip.
pub async fn fresh_mysql(name: &str) -> Option<DatabaseUrl> {
    let Ok(base) = std::env::var("ENCAP_TEST_MYSQL_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "ENCAP_TEST_MYSQL_URL is not set: run the tests with scripts/test.sh"
        );
        eprintln!("note: ENCAP_TEST_MYSQL_URL is not set; the MariaDB run of {name} is skipped");
        return None;
    };
    let database = format!("encap_{name}_{}", std::process::id());
    let mut admin = sqlx::MySqlConnection::connect(&base).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    Some(DatabaseUrl::MySql(format!("{server}/{database}")))
}

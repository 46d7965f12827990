//! The account store: users, sessions, confirmation codes and rate-limit
//! buckets, in SQLite (the zero-setup default) or MySQL/MariaDB.
//!
//! Every query is written once with `?` placeholders (both backends' native
//! form) and run on whichever pool the URL chose. Times are Unix seconds in
//! BIGINT columns, which decode alike on both backends.

mod connect;
mod error;

use sqlx::mysql::MySqlPool;
use sqlx::sqlite::SqlitePool;

pub use connect::DatabaseUrl;
pub use error::{StoreError, Taken};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    MySql(MySqlPool),
}

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

/// Runs `$body` with `$pool` bound to this store's pool. The body is written
/// once and type-checked against each backend.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::MySql($pool) => $body,
        }
    };
}

/// An account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub confirmed: bool,
    pub created_at: i64,
    /// May add and revoke agents (`encap-control admins add`).
    pub admin: bool,
}

/// An account and its password hash, for checking a login.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
}

/// A new account, validated and normalised by the caller.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub confirmed: bool,
}

/// A secret's digest and when it stops being accepted.
#[derive(Debug, Clone, Copy)]
pub struct Expiring<'a> {
    pub digest: &'a str,
    pub expires_at: i64,
}

/// The columns of `User`, for `concat!` (queries must be static strings).
macro_rules! user_columns {
    () => {
        "id, name, email, confirmed, created_at, admin"
    };
}

const RATE_HIT_SQLITE: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) \
     ON CONFLICT (bucket) DO UPDATE SET \
     hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END, \
     window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start \
     ELSE rate_limits.window_start END";

// MySQL assigns left to right, so `hits` must be computed before `window_start` changes.
const RATE_HIT_MYSQL: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) \
     ON DUPLICATE KEY UPDATE \
     hits = IF(window_start <= ?, 1, hits + 1), \
     window_start = IF(window_start <= ?, VALUES(window_start), window_start)";

impl Store {
    /// Connects and applies the migrations of `migrations/<backend>/`.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        connect::open(url).await
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::MySql(_) => Backend::MySql,
        }
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }

    /// Creates an account and, if given, its first confirmation code, in one
    /// transaction. A taken name or email is `StoreError::Taken`.
    pub async fn create_user(
        &self,
        new: &NewUser<'_>,
        code: Option<Expiring<'_>>,
        now: i64,
    ) -> Result<User, StoreError> {
        let created = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO users (name, name_key, email, password_hash, confirmed, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(new.name)
            .bind(new.name_key)
            .bind(new.email)
            .bind(new.password_hash)
            .bind(new.confirmed)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if error::is_unique_violation(&e) => Err(StoreError::Taken(Taken::Unknown)),
                Err(e) => Err(e.into()),
                Ok(_) => {
                    let user: User = sqlx::query_as(concat!(
                        "SELECT ",
                        user_columns!(),
                        " FROM users WHERE name_key = ?"
                    ))
                    .bind(new.name_key)
                    .fetch_one(&mut *tx)
                    .await?;
                    if let Some(code) = code {
                        sqlx::query(
                            "INSERT INTO confirmation_codes (code_hash, user_id, created_at, expires_at) \
                             VALUES (?, ?, ?, ?)",
                        )
                        .bind(code.digest)
                        .bind(user.id)
                        .bind(now)
                        .bind(code.expires_at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(user)
                }
            }
        });
        match created {
            Err(StoreError::Taken(Taken::Unknown)) => {
                Err(StoreError::Taken(self.which_taken(new).await?))
            }
            other => other,
        }
    }

    /// After a unique violation: the name is reported first, as the form asks it first.
    async fn which_taken(&self, new: &NewUser<'_>) -> Result<Taken, StoreError> {
        let name_taken = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE name_key = ?")
                .bind(new.name_key)
                .fetch_one(pool)
                .await?
        });
        Ok(if name_taken > 0 {
            Taken::Name
        } else {
            Taken::Email
        })
    }

    /// The account whose case-folded name or lower-cased email is `login`.
    pub async fn credentials(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                user_columns!(),
                ", password_hash FROM users WHERE name_key = ? OR email = ?"
            ))
            .bind(login)
            .bind(login)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn set_password_hash(
        &self,
        user_id: i64,
        phc: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
                .bind(phc)
                .bind(now)
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The unconfirmed account with this (lower-cased) email, if any.
    pub async fn unconfirmed_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE email = ? AND confirmed = FALSE"
            ))
            .bind(email)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Replaces the account's confirmation codes with this one.
    pub async fn replace_code(
        &self,
        user_id: i64,
        code: Expiring<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM confirmation_codes WHERE user_id = ?")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO confirmation_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            )
            .bind(code.digest)
            .bind(user_id)
            .bind(now)
            .bind(code.expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Uses up a confirmation code: confirms its account and deletes the
    /// account's codes. `None` when the code is unknown or expired.
    pub async fn confirm(&self, code_digest: &str, now: i64) -> Result<Option<User>, StoreError> {
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let user_id: Option<i64> = sqlx::query_scalar(
                "SELECT user_id FROM confirmation_codes WHERE code_hash = ? AND expires_at > ?",
            )
            .bind(code_digest)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            match user_id {
                None => None,
                Some(id) => {
                    sqlx::query("UPDATE users SET confirmed = TRUE, updated_at = ? WHERE id = ?")
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM confirmation_codes WHERE user_id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let user: User = sqlx::query_as(concat!(
                        "SELECT ",
                        user_columns!(),
                        " FROM users WHERE id = ?"
                    ))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Some(user)
                }
            }
        }))
    }

    pub async fn create_session(
        &self,
        user_id: i64,
        token: Expiring<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
                .bind(token.digest)
                .bind(user_id)
                .bind(now)
                .bind(token.expires_at)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The account and expiry of an unexpired session.
    pub async fn session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> Result<Option<(User, i64)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            expires_at: i64,
        }
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.name, u.email, u.confirmed, u.created_at, u.admin, s.expires_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ? AND s.expires_at > ?",
            )
            .bind(token_digest)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| (r.user, r.expires_at)))
    }

    /// Revokes a session; false if there was none.
    pub async fn delete_session(&self, token_digest: &str) -> Result<bool, StoreError> {
        let deleted = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                .bind(token_digest)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// Counts one attempt in `bucket`'s window of `window` seconds (a new window
    /// starts when the old one has passed). Returns the attempts in the window,
    /// this one included, and when the window started.
    pub async fn hit(&self, bucket: &str, window: i64, now: i64) -> Result<(i64, i64), StoreError> {
        let expired = now - window;
        let upsert = match self.backend() {
            Backend::Sqlite => RATE_HIT_SQLITE,
            Backend::MySql => RATE_HIT_MYSQL,
        };
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(upsert)
                .bind(bucket)
                .bind(now)
                .bind(expired)
                .bind(expired)
                .execute(&mut *tx)
                .await?;
            let row: (i64, i64) =
                sqlx::query_as("SELECT hits, window_start FROM rate_limits WHERE bucket = ?")
                    .bind(bucket)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        }))
    }

    /// The attempts in `bucket`'s current window and when it started, without counting one.
    pub async fn peek(
        &self,
        bucket: &str,
        window: i64,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row: Option<(i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT hits, window_start FROM rate_limits WHERE bucket = ? AND window_start > ?",
            )
            .bind(bucket)
            .bind(now - window)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.unwrap_or((0, now)))
    }

    pub async fn clear(&self, bucket: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM rate_limits WHERE bucket = ?")
                .bind(bucket)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Deletes expired sessions and codes, and buckets idle for `bucket_age` seconds.
    pub async fn purge(&self, now: i64, bucket_age: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |pool| {
            let mut n = 0;
            for (sql, before) in [
                ("DELETE FROM sessions WHERE expires_at <= ?", now),
                ("DELETE FROM confirmation_codes WHERE expires_at <= ?", now),
                (
                    "DELETE FROM rate_limits WHERE window_start <= ?",
                    now - bucket_age,
                ),
            ] {
                n += sqlx::query(sql)
                    .bind(before)
                    .execute(pool)
                    .await?
                    .rows_affected();
            }
            n
        }))
    }

    /// Makes the account with this name or email (lower-cased) an administrator
    /// or not; the account, or None if there is none.
    pub async fn set_admin(
        &self,
        login_key: &str,
        admin: bool,
    ) -> Result<Option<User>, StoreError> {
        // Read back rather than counting rows: MySQL counts only rows it changed.
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET admin = ? WHERE name_key = ? OR email = ?")
                .bind(admin)
                .bind(login_key)
                .bind(login_key)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(self.credentials(login_key).await?.map(|c| c.user))
    }

    /// Every account, oldest first (for tests and administration).
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users ORDER BY id"
            ))
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many rows a table has (for tests: nothing stored in clear, nothing left over).
    pub async fn count(&self, table: Table) -> Result<i64, StoreError> {
        let sql = table.count_query();
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await?))
    }

    /// Every stored secret digest and password hash, for tests that check that
    /// no secret is stored in clear.
    pub async fn stored_secrets(&self) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT password_hash FROM users UNION ALL SELECT token_hash FROM sessions \
                 UNION ALL SELECT code_hash FROM confirmation_codes",
            )
            .fetch_all(pool)
            .await?
        }))
    }
}

/// A capture agent as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentRecord {
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Adds an agent with its token's digest; a taken name is `Taken::Name`.
    pub async fn add_agent(
        &self,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let inserted = on_pool!(self, |pool| {
            sqlx::query("INSERT INTO agents (name, token_hash, created_at) VALUES (?, ?, ?)")
                .bind(name)
                .bind(token_digest)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        });
        match inserted {
            Err(e) if error::is_unique_violation(&e) => Err(StoreError::Taken(Taken::Name)),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    pub async fn agent(&self, name: &str) -> Result<Option<AgentRecord>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, token_hash, created_at, revoked_at FROM agents WHERE name = ?",
            )
            .bind(name)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Every agent, by name.
    pub async fn agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, token_hash, created_at, revoked_at FROM agents ORDER BY name",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Revokes an agent's token; false if there is no such agent.
    pub async fn revoke_agent(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_pool!(self, |pool| {
            sqlx::query("UPDATE agents SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}

/// The store's tables.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Users,
    Sessions,
    ConfirmationCodes,
    RateLimits,
}

impl Table {
    fn count_query(self) -> &'static str {
        match self {
            Table::Users => "SELECT COUNT(*) FROM users",
            Table::Sessions => "SELECT COUNT(*) FROM sessions",
            Table::ConfirmationCodes => "SELECT COUNT(*) FROM confirmation_codes",
            Table::RateLimits => "SELECT COUNT(*) FROM rate_limits",
        }
    }
}

//! The account rules: what registering, confirming, logging in and out do,
//! independent of gRPC (the service in `api.rs` only converts).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::ServiceError;
use crate::mailer::{Confirmation, Mailer};
use crate::passwords::{Passwords, Verdict};
use crate::secrets;
use crate::store::{Expiring, NewUser, Store, User};
use crate::validate::{self, FieldError};

/// Login attempts allowed before RESOURCE_EXHAUSTED, and their windows.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed logins per account (existing or not) per `account_window` seconds.
    pub account_failures: i64,
    pub account_window: i64,
    /// Unauthenticated calls (register, confirm, resend, login) per client
    /// address per `address_window` seconds.
    pub address_calls: i64,
    pub address_window: i64,
    /// Confirmation mails per email address per `account_window` seconds.
    pub mails_per_address: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            account_failures: 10,
            account_window: 15 * 60,
            address_calls: 60,
            address_window: 60,
            mails_per_address: 5,
        }
    }
}

/// How accounts behave; set once at start.
#[derive(Debug, Clone)]
pub struct Policy {
    /// New accounts are confirmed at once and no mail is sent (demos).
    pub auto_confirm: bool,
    /// Seconds a session token stays valid.
    pub session_ttl: i64,
    /// Seconds a confirmation code stays valid.
    pub code_ttl: i64,
    pub limits: Limits,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            auto_confirm: false,
            session_ttl: 24 * 3600,
            code_ttl: 24 * 3600,
            limits: Limits::default(),
        }
    }
}

/// A logged-in caller, found by the auth layer from its bearer token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub token_digest: String,
    pub expires_at: i64,
}

/// A new session: the token is shown to the caller once.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub expires_at: i64,
    pub user: User,
}

const WRONG_CREDENTIALS: &str = "wrong name, email or password";

#[derive(Debug, Clone)]
pub struct Accounts {
    store: Store,
    passwords: Passwords,
    mailer: Arc<Mailer>,
    policy: Policy,
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Accounts {
    pub fn new(store: Store, passwords: Passwords, mailer: Mailer, policy: Policy) -> Self {
        Accounts {
            store,
            passwords,
            mailer: Arc::new(mailer),
            policy,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn register(
        &self,
        name: &str,
        email: &str,
        password: String,
        client: Option<IpAddr>,
    ) -> Result<User, ServiceError> {
        self.limit_address(client).await?;
        let (name, name_key) = validate::name(name)?;
        let email = validate::email(email)?;
        validate::password(&password)?;
        let password_hash = self.passwords.hash(password).await?;
        let now = now();
        let code = if self.policy.auto_confirm {
            None
        } else {
            Some(secrets::new_code().map_err(ServiceError::Internal)?)
        };
        let new = NewUser {
            name: &name,
            name_key: &name_key,
            email: &email,
            password_hash: &password_hash,
            confirmed: self.policy.auto_confirm,
        };
        let expiring = code.as_ref().map(|c| Expiring {
            digest: &c.digest,
            expires_at: now + self.policy.code_ttl,
        });
        let user = self.store.create_user(&new, expiring, now).await?;
        tracing::info!(user = %user.name, id = user.id, "registered");
        if let Some(code) = code {
            self.mail_code(&user, code.shown);
        }
        Ok(user)
    }

    /// Sends the mail in the background: the call does not wait on a relay,
    /// and a relay that fails is logged (the user can ask for another code).
    fn mail_code(&self, user: &User, code: String) {
        let mailer = Arc::clone(&self.mailer);
        let mail = Confirmation {
            name: user.name.clone(),
            email: user.email.clone(),
            code,
        };
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&mail).await {
                tracing::warn!(user = %mail.name, error = %e, "confirmation mail not delivered");
            }
        });
    }

    pub async fn confirm(&self, code: &str, client: Option<IpAddr>) -> Result<User, ServiceError> {
        self.limit_address(client).await?;
        let Some(code) = secrets::normalize_code(code) else {
            return Err(FieldError {
                field: "code",
                message: format!(
                    "code must be the {} letters and digits from the mail, like 7KQ2-9XMD-4TRA",
                    secrets::CODE_LEN
                ),
            }
            .into());
        };
        match self.store.confirm(&secrets::digest(&code), now()).await? {
            Some(user) => {
                tracing::info!(user = %user.name, "confirmed");
                Ok(user)
            }
            None => Err(ServiceError::NotFound(
                "this code is unknown, already used or expired; ask for a new one \
                 (ResendConfirmation, or `encap resend EMAIL`)"
                    .into(),
            )),
        }
    }

    /// Mails a new code if an unconfirmed account has this email; answers the
    /// same either way.
    pub async fn resend(&self, email: &str, client: Option<IpAddr>) -> Result<(), ServiceError> {
        self.limit_address(client).await?;
        let email = validate::email(email)?;
        let now = now();
        let bucket = format!("mail:{email}");
        let window = self.policy.limits.account_window;
        let (sent, start) = self.store.hit(&bucket, window, now).await?;
        if sent > self.policy.limits.mails_per_address {
            return Err(ServiceError::RateLimited {
                what: "too many confirmation mails asked for this address".into(),
                retry_after_secs: retry_after(start, window, now),
            });
        }
        if let Some(user) = self.store.unconfirmed_by_email(&email).await? {
            let code = secrets::new_code().map_err(ServiceError::Internal)?;
            let expiring = Expiring {
                digest: &code.digest,
                expires_at: now + self.policy.code_ttl,
            };
            self.store.replace_code(user.id, expiring, now).await?;
            self.mail_code(&user, code.shown);
        }
        Ok(())
    }

    pub async fn login(
        &self,
        login: &str,
        password: String,
        client: Option<IpAddr>,
    ) -> Result<LoggedIn, ServiceError> {
        self.limit_address(client).await?;
        let login = login.trim();
        if login.is_empty() {
            return Err(invalid(
                "login",
                "login is empty: give the account's name or email",
            ));
        }
        if login.len() > validate::EMAIL_MAX_BYTES {
            return Err(invalid(
                "login",
                "login is longer than any name or email can be",
            ));
        }
        if password.is_empty() {
            return Err(invalid("password", "password is empty"));
        }
        if password.chars().count() > validate::PASSWORD_MAX_CHARS {
            return Err(invalid(
                "password",
                "password is longer than any password can be",
            ));
        }
        let key = login.to_lowercase();
        let bucket = format!("login:{key}");
        let limits = self.policy.limits;
        let now = now();
        let (failures, start) = self.store.peek(&bucket, limits.account_window, now).await?;
        if failures >= limits.account_failures {
            return Err(ServiceError::RateLimited {
                what: "too many failed logins for this account".into(),
                retry_after_secs: retry_after(start, limits.account_window, now),
            });
        }
        let credentials = self.store.credentials(&key).await?;
        let stored = credentials.as_ref().map(|c| c.password_hash.clone());
        let rehash = match self.passwords.verify(stored, password).await? {
            Verdict::Mismatch => {
                self.store.hit(&bucket, limits.account_window, now).await?;
                return Err(ServiceError::Unauthenticated(WRONG_CREDENTIALS.into()));
            }
            Verdict::Match { rehash } => rehash,
        };
        let Some(user) = credentials.map(|c| c.user) else {
            return Err(ServiceError::Internal(
                "a password matched no account".into(),
            ));
        };
        self.store.clear(&bucket).await?;
        if let Some(phc) = rehash {
            self.store.set_password_hash(user.id, &phc, now).await?;
            tracing::info!(user = %user.name, "password hash upgraded to the current parameters");
        }
        if !user.confirmed {
            return Err(ServiceError::Precondition(
                "confirm your email first: enter the code from the confirmation mail \
                 (`encap confirm CODE`), or ask for a new one"
                    .into(),
            ));
        }
        let token = secrets::new_token().map_err(ServiceError::Internal)?;
        let expires_at = now + self.policy.session_ttl;
        let digest = secrets::digest(&token);
        let expiring = Expiring {
            digest: &digest,
            expires_at,
        };
        self.store.create_session(user.id, expiring, now).await?;
        tracing::info!(user = %user.name, "logged in");
        Ok(LoggedIn {
            token,
            expires_at,
            user,
        })
    }

    pub async fn logout(&self, session: &Session) -> Result<(), ServiceError> {
        self.store.delete_session(&session.token_digest).await?;
        tracing::info!(user = %session.user.name, "logged out");
        Ok(())
    }

    /// The session of an `authorization` metadata value (`Bearer <token>`).
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Session, ServiceError> {
        let Some(value) = authorization else {
            return Err(ServiceError::Unauthenticated(
                "this call needs a login: send `authorization: Bearer <token>` metadata \
                 with the token from Login"
                    .into(),
            ));
        };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ServiceError::Unauthenticated(
                    "the authorization metadata must be `Bearer <token>`".into(),
                )
            })?;
        if !secrets::is_token_shaped(token) {
            return Err(ServiceError::Unauthenticated(
                "the bearer token is not a token from Login (64 hex characters)".into(),
            ));
        }
        let digest = secrets::digest(token);
        match self.store.session(&digest, now()).await? {
            Some((user, expires_at)) => Ok(Session {
                user,
                token_digest: digest,
                expires_at,
            }),
            None => Err(ServiceError::Unauthenticated(
                "the token is expired or was revoked; log in again".into(),
            )),
        }
    }

    async fn limit_address(&self, client: Option<IpAddr>) -> Result<(), ServiceError> {
        let Some(ip) = client else {
            return Ok(());
        };
        let limits = self.policy.limits;
        let now = now();
        let (calls, start) = self
            .store
            .hit(&format!("addr:{ip}"), limits.address_window, now)
            .await?;
        if calls > limits.address_calls {
            return Err(ServiceError::RateLimited {
                what: format!("too many requests from {ip}"),
                retry_after_secs: retry_after(start, limits.address_window, now),
            });
        }
        Ok(())
    }
}

fn invalid(field: &'static str, message: &str) -> ServiceError {
    ServiceError::Invalid(FieldError {
        field,
        message: message.into(),
    })
}

fn retry_after(window_start: i64, window: i64, now: i64) -> u64 {
    u64::try_from(window_start + window - now)
        .unwrap_or(0)
        .max(1)
}

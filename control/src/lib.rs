//! encap-control: the gRPC service users log in to. Accounts (register,
//! confirm, login, logout, who-am-i) against SQLite or MySQL/MariaDB, with
//! argon2id password hashes, hashed session tokens and rate-limited logins.

pub mod accounts;
pub mod agents;
pub mod api;
pub mod auth;
pub mod capture;
pub mod error;
pub mod mailer;
pub mod passwords;
pub mod secrets;
pub mod server;
pub mod store;
pub mod validate;

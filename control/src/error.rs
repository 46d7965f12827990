//! Every error a call can end with, and its one mapping to a gRPC status with
//! a sentence for the person at the terminal.

use std::fmt;

use tonic::{Code, Status};

use crate::store::{StoreError, Taken};
use crate::validate::FieldError;

#[derive(Debug)]
pub enum ServiceError {
    Invalid(FieldError),
    Taken(Taken),
    NotFound(String),
    /// Something other than an account already has this name.
    Exists(String),
    /// Logged in, but the account may not do this.
    Forbidden(String),
    /// The request is fine but the account is not in a state to allow it.
    Precondition(String),
    Unauthenticated(String),
    RateLimited {
        what: String,
        retry_after_secs: u64,
    },
    /// The service's own failure: logged in full, reported briefly.
    Internal(String),
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::Invalid(e) => f.write_str(&e.message),
            ServiceError::Taken(Taken::Name) => {
                f.write_str("name: an account with this name already exists")
            }
            ServiceError::Taken(_) => {
                f.write_str("email: an account with this email already exists")
            }
            ServiceError::NotFound(m)
            | ServiceError::Exists(m)
            | ServiceError::Forbidden(m)
            | ServiceError::Precondition(m)
            | ServiceError::Unauthenticated(m)
            | ServiceError::Internal(m) => f.write_str(m),
            ServiceError::RateLimited {
                what,
                retry_after_secs,
            } => write!(f, "{what}; try again in {retry_after_secs} s"),
        }
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Taken(t) => ServiceError::Taken(t),
            other => ServiceError::Internal(format!("store: {other}")),
        }
    }
}

impl From<crate::passwords::HashError> for ServiceError {
    fn from(e: crate::passwords::HashError) -> Self {
        ServiceError::Internal(e.0)
    }
}

impl From<ServiceError> for Status {
    fn from(e: ServiceError) -> Status {
        let message = e.to_string();
        match e {
            ServiceError::Invalid(_) => Status::invalid_argument(message),
            ServiceError::Taken(_) => Status::already_exists(message),
            ServiceError::NotFound(_) => Status::not_found(message),
            ServiceError::Exists(_) => Status::already_exists(message),
            ServiceError::Forbidden(_) => Status::permission_denied(message),
            ServiceError::Precondition(_) => Status::failed_precondition(message),
            ServiceError::Unauthenticated(_) => Status::unauthenticated(message),
            ServiceError::RateLimited {
                retry_after_secs, ..
            } => {
                let mut status = Status::new(Code::ResourceExhausted, message);
                if let Ok(v) = retry_after_secs.to_string().parse() {
                    status.metadata_mut().insert("retry-after", v);
                }
                status
            }
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Status::internal("the service failed to handle the request; its log says why")
            }
        }
    }
}

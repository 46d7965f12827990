//! Adding and revoking capture agents: one implementation behind both
//! `encap-control agents` on the service's host and `Capture.AddAgent` /
//! `Capture.RevokeAgent` for administrators.

use crate::error::ServiceError;
use crate::secrets;
use crate::store::{Store, StoreError};
use crate::validate;

/// A new agent; its token is shown once (the store keeps its digest).
#[derive(Debug)]
pub struct AddedAgent {
    pub name: String,
    pub token: String,
}

/// Adds an agent named `typed` and makes its token.
pub async fn add(store: &Store, typed: &str, now: i64) -> Result<AddedAgent, ServiceError> {
    let (name, _) = validate::name(typed).map_err(|mut e| {
        e.message = e.message.replacen("name", "agent name", 1);
        e
    })?;
    let token = secrets::new_token().map_err(ServiceError::Internal)?;
    match store.add_agent(&name, &secrets::digest(&token), now).await {
        Ok(()) => Ok(AddedAgent { name, token }),
        Err(StoreError::Taken(_)) => Err(ServiceError::Exists(format!(
            "an agent named {name} already exists (revoked names stay taken)"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Revokes an agent's token: it is refused from its next connection on.
pub async fn revoke(store: &Store, name: &str, now: i64) -> Result<(), ServiceError> {
    if name.is_empty() {
        return Err(ServiceError::Invalid(validate::FieldError {
            field: "name",
            message: "agent name is empty".into(),
        }));
    }
    if store.revoke_agent(name, now).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound(format!(
            "no active agent is named {name} (`encap agents` lists them)"
        )))
    }
}

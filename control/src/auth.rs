//! The one place bearer tokens are checked: a tower layer in front of every
//! service. Calls to `encap.v1` methods that need a login get their `Session`
//! put in the request's extensions, or end here with UNAUTHENTICATED.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tonic::Status;
use tower_layer::Layer;
use tower_service::Service;

use crate::accounts::{Accounts, Session};

/// `encap.v1` methods anyone may call; every other `encap.v1` method needs a
/// login. Health and reflection are outside `encap.v1` and open.
const PUBLIC_METHODS: &[&str] = &[
    "/encap.v1.Accounts/Register",
    "/encap.v1.Accounts/Confirm",
    "/encap.v1.Accounts/ResendConfirmation",
    "/encap.v1.Accounts/Login",
];

fn needs_login(path: &str) -> bool {
    path.starts_with("/encap.v1.") && !PUBLIC_METHODS.contains(&path)
}

/// The caller's session, as the layer found it (for handlers behind it).
pub fn session<T>(request: &tonic::Request<T>) -> Result<&Session, Status> {
    request
        .extensions()
        .get::<Session>()
        .ok_or_else(|| Status::internal("the call reached its handler without a session"))
}

#[derive(Debug, Clone)]
pub struct AuthLayer {
    accounts: Accounts,
}

impl AuthLayer {
    pub fn new(accounts: Accounts) -> Self {
        AuthLayer { accounts }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            accounts: self.accounts.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Auth<S> {
    inner: S,
    accounts: Accounts,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>, Response = Response<tonic::body::Body>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The clone is the one made ready by poll_ready's caller contract.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        if !needs_login(request.uri().path()) {
            return Box::pin(inner.call(request));
        }
        let accounts = self.accounts.clone();
        Box::pin(async move {
            let header = request.headers().get(http::header::AUTHORIZATION);
            let value = match header.map(|v| v.to_str()) {
                Some(Ok(v)) => Some(v.to_owned()),
                Some(Err(_)) => {
                    let status = Status::unauthenticated(
                        "the authorization metadata is not printable ASCII",
                    );
                    return Ok(status.into_http());
                }
                None => None,
            };
            match accounts.authenticate(value.as_deref()).await {
                Ok(session) => {
                    request.extensions_mut().insert(session);
                    inner.call(request).await
                }
                Err(e) => Ok(Status::from(e).into_http()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn which_methods_need_a_login() {
        assert!(!super::needs_login("/encap.v1.Accounts/Login"));
        assert!(!super::needs_login("/grpc.health.v1.Health/Check"));
        assert!(!super::needs_login(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
        ));
        assert!(super::needs_login("/encap.v1.Accounts/WhoAmI"));
        assert!(super::needs_login("/encap.v1.Accounts/Logout"));
        assert!(super::needs_login("/encap.v1.Capture/Watch"));
    }
}

//! The `encap.v1.Accounts` gRPC service: converts messages and hands each
//! call to `Accounts`.

use encap_proto::v1 as pb;
use encap_proto::v1::accounts_server::Accounts as AccountsApi;
use tonic::{Request, Response, Status};

use crate::accounts::Accounts;
use crate::auth;
use crate::store::User;

type Reply<T> = Result<Response<T>, Status>;

#[derive(Debug, Clone)]
pub struct AccountsService {
    accounts: Accounts,
}

impl AccountsService {
    pub fn new(accounts: Accounts) -> Self {
        AccountsService { accounts }
    }
}

pub fn timestamp(unix_seconds: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: unix_seconds,
        nanos: 0,
    }
}

fn user(u: User) -> pb::User {
    let User {
        id: _,
        name,
        email,
        confirmed,
        created_at,
        admin,
    } = u;
    pb::User {
        name,
        email,
        confirmed,
        created_at: Some(timestamp(created_at)),
        admin,
    }
}

#[tonic::async_trait]
impl AccountsApi for AccountsService {
    async fn register(&self, request: Request<pb::RegisterRequest>) -> Reply<pb::RegisterResponse> {
        let client = request.remote_addr().map(|a| a.ip());
        let pb::RegisterRequest {
            name,
            email,
            password,
        } = request.into_inner();
        let created = self
            .accounts
            .register(&name, &email, password, client)
            .await?;
        Ok(Response::new(pb::RegisterResponse {
            user: Some(user(created)),
        }))
    }

    async fn confirm(&self, request: Request<pb::ConfirmRequest>) -> Reply<pb::ConfirmResponse> {
        let client = request.remote_addr().map(|a| a.ip());
        let pb::ConfirmRequest { code } = request.into_inner();
        let confirmed = self.accounts.confirm(&code, client).await?;
        Ok(Response::new(pb::ConfirmResponse {
            user: Some(user(confirmed)),
        }))
    }

    async fn resend_confirmation(
        &self,
        request: Request<pb::ResendConfirmationRequest>,
    ) -> Reply<pb::ResendConfirmationResponse> {
        let client = request.remote_addr().map(|a| a.ip());
        let pb::ResendConfirmationRequest { email } = request.into_inner();
        self.accounts.resend(&email, client).await?;
        Ok(Response::new(pb::ResendConfirmationResponse {}))
    }

    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginResponse> {
        let client = request.remote_addr().map(|a| a.ip());
        let pb::LoginRequest { login, password } = request.into_inner();
        let session = self.accounts.login(&login, password, client).await?;
        Ok(Response::new(pb::LoginResponse {
            token: session.token,
            expires_at: Some(timestamp(session.expires_at)),
            user: Some(user(session.user)),
        }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        let session = auth::session(&request)?;
        self.accounts.logout(session).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn who_am_i(&self, request: Request<pb::WhoAmIRequest>) -> Reply<pb::WhoAmIResponse> {
        let session = auth::session(&request)?.clone();
        Ok(Response::new(pb::WhoAmIResponse {
            user: Some(user(session.user)),
            session_expires_at: Some(timestamp(session.expires_at)),
        }))
    }
}

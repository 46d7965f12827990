//! Every Accounts method and every error path, through the generated client
//! against a real server on loopback (SQLite; the store story covers MariaDB).

mod common;

use std::time::Duration;

use encap_control::accounts::{Limits, Policy};
use encap_control::mailer::{Mailer, Outbox};
use encap_control::passwords::HashCost;
use encap_control::server::{self, Running, Settings};
use encap_control::store::{DatabaseUrl, Table};
use encap_proto::v1 as pb;
use encap_proto::v1::accounts_client::AccountsClient;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};

struct Service {
    running: Running,
    outbox: Outbox,
    client: AccountsClient<Channel>,
    /// The database `start` made, removed with the service.
    _database: Option<common::Sqlite>,
}

fn settings(database: DatabaseUrl, outbox: &Outbox, policy: Policy, cost: HashCost) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ingest_listen: "127.0.0.1:0".parse().unwrap(),
        database,
        tls: None,
        mailer: Mailer::Memory(outbox.clone()),
        policy,
        hash_cost: cost,
        hash_concurrency: 2,
    }
}

async fn start_with(database: DatabaseUrl, policy: Policy, cost: HashCost) -> Service {
    let outbox = Outbox::default();
    let running = server::start(settings(database, &outbox, policy, cost))
        .await
        .unwrap();
    let client = AccountsClient::connect(format!("http://{}", running.addr))
        .await
        .unwrap();
    Service {
        running,
        outbox,
        client,
        _database: None,
    }
}

async fn start(name: &str) -> Service {
    let database = common::fresh_sqlite(name);
    let mut s = start_with(database.url(), Policy::default(), HashCost::default()).await;
    s._database = Some(database);
    s
}

/// A plain connection to the service, for clients other than Accounts.
async fn channel(s: &Service) -> Channel {
    Channel::from_shared(format!("http://{}", s.running.addr))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn register(name: &str, email: &str, password: &str) -> pb::RegisterRequest {
    pb::RegisterRequest {
        name: name.into(),
        email: email.into(),
        password: password.into(),
    }
}

fn confirm_code(code: &str) -> pb::ConfirmRequest {
    pb::ConfirmRequest { code: code.into() }
}

fn resend_to(email: &str) -> pb::ResendConfirmationRequest {
    pb::ResendConfirmationRequest {
        email: email.into(),
    }
}

fn login(login: &str, password: &str) -> pb::LoginRequest {
    pb::LoginRequest {
        login: login.into(),
        password: password.into(),
    }
}

fn with_token<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

#[track_caller]
fn assert_status<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: Code,
    needle: &str,
) -> Status {
    let status = result.expect_err("the call should fail");
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().contains(needle),
        "{:?} lacks {needle:?}",
        status.message()
    );
    status
}

/// Waits for the background mailer to deliver the `n`th mail.
async fn mail(outbox: &Outbox, n: usize) -> encap_control::mailer::Confirmation {
    for _ in 0..200 {
        if let Some(m) = outbox.mails().get(n) {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("mail {n} never came: {:?}", outbox.mails());
}

/// Registers, confirms by the mailed code and logs in; returns the token.
async fn confirmed_session(s: &mut Service, name: &str, email: &str, password: &str) -> String {
    let before = s.outbox.mails().len();
    s.client
        .register(register(name, email, password))
        .await
        .unwrap();
    let code = mail(&s.outbox, before).await.code;
    s.client.confirm(pb::ConfirmRequest { code }).await.unwrap();
    s.client
        .login(login(name, password))
        .await
        .unwrap()
        .into_inner()
        .token
}

#[tokio::test]
async fn register_confirm_login_whoami_logout() {
    let mut s = start("happy").await;
    let created = s
        .client
        .register(register(
            "Alice",
            "Alice@Example.ORG",
            "correct horse battery",
        ))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(
        (created.name.as_str(), created.email.as_str()),
        ("Alice", "alice@example.org")
    );
    assert!(!created.confirmed);

    let sent = mail(&s.outbox, 0).await;
    assert_eq!(
        (sent.name.as_str(), sent.email.as_str()),
        ("Alice", "alice@example.org")
    );
    assert_status(
        s.client
            .login(login("alice", "correct horse battery"))
            .await,
        Code::FailedPrecondition,
        "confirm your email first",
    );
    // Codes are forgiving about case and dashes.
    let typed = sent.code.to_lowercase().replace('-', " ");
    let confirmed = s
        .client
        .confirm(pb::ConfirmRequest { code: typed })
        .await
        .unwrap();
    assert!(confirmed.into_inner().user.unwrap().confirmed);
    assert_status(
        s.client
            .confirm(pb::ConfirmRequest {
                code: sent.code.clone(),
            })
            .await,
        Code::NotFound,
        "already used",
    );

    // Login by name (any case) or by email.
    let by_email = s
        .client
        .login(login("ALICE@example.org", "correct horse battery"))
        .await;
    assert!(by_email.is_ok());
    let reply = s
        .client
        .login(login("aLiCe", "correct horse battery"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.token.len(), 64);
    assert!(reply.token.bytes().all(|b| b.is_ascii_hexdigit()));
    let expires = reply.expires_at.unwrap().seconds;
    let now = encap_control::accounts::now();
    assert!((now + 24 * 3600 - 5..=now + 24 * 3600 + 5).contains(&expires));

    let me = s
        .client
        .who_am_i(with_token(pb::WhoAmIRequest {}, &reply.token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.user.unwrap().name, "Alice");
    assert_eq!(me.session_expires_at.unwrap().seconds, expires);

    s.client
        .logout(with_token(pb::LogoutRequest {}, &reply.token))
        .await
        .unwrap();
    assert_status(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &reply.token))
            .await,
        Code::Unauthenticated,
        "revoked",
    );
    assert_status(
        s.client
            .logout(with_token(pb::LogoutRequest {}, &reply.token))
            .await,
        Code::Unauthenticated,
        "revoked",
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn register_rejects_bad_fields_by_name() {
    let mut s = start("register-errors").await;
    let cases = [
        (
            register("", "a@example.org", "long enough"),
            "name is empty",
        ),
        (
            register("a b", "a@example.org", "long enough"),
            "name contains a space",
        ),
        (
            register(&"n".repeat(65), "a@example.org", "long enough"),
            "name is 65 characters",
        ),
        (
            register("x';--", "a@example.org", "long enough"),
            "name contains '\\''",
        ),
        (register("ok", "", "long enough"), "email is empty"),
        (
            register("ok", "no-at-sign", "long enough"),
            "email has no '@'",
        ),
        (register("ok", "a@b..c", "long enough"), "email's domain"),
        (
            register("ok", "a@example.org", "short"),
            "password is 5 characters long; at least 8",
        ),
        (
            register("ok", "a@example.org", &"p".repeat(1025)),
            "at most 1024",
        ),
    ];
    for (request, needle) in cases {
        assert_status(
            s.client.register(request).await,
            Code::InvalidArgument,
            needle,
        );
    }
    s.client
        .register(register("taken", "taken@example.org", "long enough"))
        .await
        .unwrap();
    assert_status(
        s.client
            .register(register("TAKEN", "other@example.org", "long enough"))
            .await,
        Code::AlreadyExists,
        "name: an account with this name",
    );
    assert_status(
        s.client
            .register(register("other", "Taken@Example.org", "long enough"))
            .await,
        Code::AlreadyExists,
        "email: an account with this email",
    );
    let users = s.running.accounts.store().users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name, "taken");
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn wrong_name_and_wrong_password_look_the_same() {
    let mut s = start("enumeration").await;
    confirmed_session(&mut s, "bob", "bob@example.org", "bob's password").await;
    let wrong_password = assert_status(
        s.client.login(login("bob", "not bob's password")).await,
        Code::Unauthenticated,
        "wrong name, email or password",
    );
    let no_account = assert_status(
        s.client.login(login("nobody", "not bob's password")).await,
        Code::Unauthenticated,
        "wrong name, email or password",
    );
    assert_eq!(wrong_password.message(), no_account.message());
    assert_status(
        s.client.login(login("", "x")).await,
        Code::InvalidArgument,
        "login is empty",
    );
    assert_status(
        s.client.login(login("bob", "")).await,
        Code::InvalidArgument,
        "password is empty",
    );
    assert_status(
        s.client.login(login("bob", &"p".repeat(1025))).await,
        Code::InvalidArgument,
        "password is longer",
    );
    assert_status(
        s.client.login(login(&"l".repeat(300), "x")).await,
        Code::InvalidArgument,
        "login is longer",
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn tokens_are_checked_in_one_place() {
    let mut s = start("tokens").await;
    let token = confirmed_session(&mut s, "carol", "carol@example.org", "carol's password").await;
    assert_status(
        s.client.who_am_i(pb::WhoAmIRequest {}).await,
        Code::Unauthenticated,
        "needs a login",
    );
    assert_status(
        s.client.logout(pb::LogoutRequest {}).await,
        Code::Unauthenticated,
        "needs a login",
    );
    let mut basic = Request::new(pb::WhoAmIRequest {});
    basic
        .metadata_mut()
        .insert("authorization", "Basic Y2Fyb2w6eA==".parse().unwrap());
    assert_status(
        s.client.who_am_i(basic).await,
        Code::Unauthenticated,
        "must be `Bearer <token>`",
    );
    assert_status(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, "' OR 1=1 --"))
            .await,
        Code::Unauthenticated,
        "not a token from Login",
    );
    let unknown = "0".repeat(64);
    assert_status(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &unknown))
            .await,
        Code::Unauthenticated,
        "expired or was revoked",
    );
    let upper = token.to_uppercase();
    assert_status(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &upper))
            .await,
        Code::Unauthenticated,
        "not a token",
    );
    assert!(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &token))
            .await
            .is_ok()
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn expired_tokens_and_codes_are_refused() {
    // Times are whole seconds: a TTL of 2 leaves a token at least one second
    // of life (with 1, one made at x.999 s was already expired at x+1.0).
    let policy = Policy {
        session_ttl: 2,
        code_ttl: 2,
        ..Policy::default()
    };
    let database = common::fresh_sqlite("expiry");
    let mut s = start_with(database.url(), policy, HashCost::default()).await;
    s.client
        .register(register("dave", "dave@example.org", "dave's password"))
        .await
        .unwrap();
    let code = mail(&s.outbox, 0).await.code;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_status(
        s.client.confirm(pb::ConfirmRequest { code }).await,
        Code::NotFound,
        "expired",
    );
    s.client
        .resend_confirmation(resend_to("dave@example.org"))
        .await
        .unwrap();
    let code = mail(&s.outbox, 1).await.code;
    s.client.confirm(pb::ConfirmRequest { code }).await.unwrap();
    let token = s
        .client
        .login(login("dave", "dave's password"))
        .await
        .unwrap()
        .into_inner()
        .token;
    assert!(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &token))
            .await
            .is_ok()
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_status(
        s.client
            .who_am_i(with_token(pb::WhoAmIRequest {}, &token))
            .await,
        Code::Unauthenticated,
        "expired",
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn confirm_and_resend_errors() {
    let mut s = start("confirm").await;
    assert_status(
        s.client.confirm(confirm_code("")).await,
        Code::InvalidArgument,
        "code must be",
    );
    assert_status(
        s.client
            .confirm(confirm_code("'; DROP TABLE users; --"))
            .await,
        Code::InvalidArgument,
        "code must be",
    );
    assert_status(
        s.client.confirm(confirm_code("0000-0000-0000")).await,
        Code::NotFound,
        "unknown",
    );
    // Resending answers the same for unknown, confirmed and unconfirmed addresses.
    s.client
        .resend_confirmation(resend_to("nobody@example.org"))
        .await
        .unwrap();
    assert_status(
        s.client.resend_confirmation(resend_to("nobody")).await,
        Code::InvalidArgument,
        "email has no '@'",
    );
    s.client
        .register(register("erin", "erin@example.org", "erin's password"))
        .await
        .unwrap();
    let first = mail(&s.outbox, 0).await.code;
    s.client
        .resend_confirmation(resend_to("ERIN@example.org"))
        .await
        .unwrap();
    let second = mail(&s.outbox, 1).await.code;
    assert_ne!(first, second);
    assert_status(
        s.client.confirm(pb::ConfirmRequest { code: first }).await,
        Code::NotFound,
        "unknown",
    );
    s.client
        .confirm(pb::ConfirmRequest { code: second })
        .await
        .unwrap();
    s.client
        .resend_confirmation(resend_to("erin@example.org"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(s.outbox.mails().len(), 2, "no code for a confirmed account");
    // Mail bombing one address is limited (5 mails per window).
    for _ in 0..3 {
        s.client
            .resend_confirmation(resend_to("erin@example.org"))
            .await
            .unwrap();
    }
    let limited = assert_status(
        s.client
            .resend_confirmation(resend_to("erin@example.org"))
            .await,
        Code::ResourceExhausted,
        "too many confirmation mails",
    );
    assert!(limited.metadata().get("retry-after").is_some());
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn brute_force_is_rate_limited_per_account_and_per_address() {
    let policy = Policy {
        limits: Limits {
            account_failures: 5,
            address_calls: 40,
            ..Limits::default()
        },
        ..Policy::default()
    };
    let database = common::fresh_sqlite("brute");
    let mut s = start_with(database.url(), policy, HashCost::default()).await;
    confirmed_session(&mut s, "frank", "frank@example.org", "frank's password").await;
    for attempt in 0..5 {
        let r = s
            .client
            .login(login("frank", &format!("guess {attempt}")))
            .await;
        assert_status(r, Code::Unauthenticated, "wrong");
    }
    // Now even the right password waits, and the reply says how long.
    let limited = assert_status(
        s.client.login(login("frank", "frank's password")).await,
        Code::ResourceExhausted,
        "too many failed logins for this account; try again in",
    );
    let retry: u64 = limited
        .metadata()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    // An account that does not exist is limited the same way.
    for _ in 0..5 {
        let r = s.client.login(login("ghost", "guess")).await;
        assert_status(r, Code::Unauthenticated, "wrong");
    }
    assert_status(
        s.client.login(login("ghost", "guess")).await,
        Code::ResourceExhausted,
        "this account",
    );
    // Other accounts from this address still work until the address limit.
    let mut address_limited = false;
    for n in 0..40 {
        match s.client.login(login(&format!("user{n}"), "guess")).await {
            Err(st) if st.code() == Code::ResourceExhausted => {
                assert!(
                    st.message().contains("too many requests from 127.0.0.1"),
                    "{st:?}"
                );
                address_limited = true;
                break;
            }
            other => {
                assert_status(other, Code::Unauthenticated, "wrong");
            }
        }
    }
    assert!(address_limited);
    assert_eq!(
        s.running
            .accounts
            .store()
            .count(Table::Users)
            .await
            .unwrap(),
        1
    );
    s.running.stop().await.unwrap();
}

/// A request with field 1 of the wrong wire type, or not UTF-8.
#[derive(Clone, PartialEq, prost::Message)]
struct Garbage {
    #[prost(bytes = "vec", tag = "1")]
    name: Vec<u8>,
}

#[tokio::test]
async fn malformed_and_oversized_messages_are_refused_and_the_service_goes_on() {
    let mut s = start("malformed").await;
    let channel = channel(&s).await;
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<Garbage, pb::RegisterResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/encap.v1.Accounts/Register");
    let not_utf8 = Garbage {
        name: vec![0xff, 0xfe, b'x'],
    };
    let r = grpc.unary(Request::new(not_utf8), path, codec).await;
    // gRPC's rule for a message that does not parse is INTERNAL.
    assert_status(r, Code::Internal, "UTF-8");

    let huge = "p".repeat(100 * 1024);
    assert_status(
        s.client
            .register(register("big", "big@example.org", &huge))
            .await,
        Code::OutOfRange,
        "too large",
    );
    assert_status(
        s.client.login(login(&huge, "x")).await,
        Code::OutOfRange,
        "too large",
    );
    // Unicode and SQL metacharacters in every field are just characters.
    let name = "Zoë_中文-'x'";
    let name_ok = name.replace('\'', "_");
    let email = "o'brien+\"quote\"@exämple.org";
    let password = "pässwörd' OR '1'='1 🔑";
    let token = confirmed_session(&mut s, &name_ok, email, password).await;
    let me = s
        .client
        .who_am_i(with_token(pb::WhoAmIRequest {}, &token))
        .await
        .unwrap()
        .into_inner();
    let me = me.user.unwrap();
    assert_eq!(
        (me.name.as_str(), me.email.as_str()),
        (name_ok.as_str(), email)
    );
    assert!(s.client.login(login(email, password)).await.is_ok());
    assert_status(
        s.client
            .register(register(name, "z@example.org", password))
            .await,
        Code::InvalidArgument,
        "name contains",
    );
    assert_eq!(
        s.running
            .accounts
            .store()
            .count(Table::Users)
            .await
            .unwrap(),
        1
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn nothing_secret_is_stored_in_clear() {
    let mut s = start("secrets").await;
    let password = "a password nobody else has";
    let token = confirmed_session(&mut s, "gina", "gina@example.org", password).await;
    let code = s.outbox.mails()[0].code.replace('-', "");
    let stored = s.running.accounts.store().stored_secrets().await.unwrap();
    assert!(!stored.is_empty());
    for value in &stored {
        assert!(
            !value.contains(password) && !value.contains(&token) && !value.contains(&code),
            "{value}"
        );
    }
    assert!(
        stored
            .iter()
            .any(|v| v.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")),
        "{stored:?}"
    );
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn old_hash_parameters_are_upgraded_on_the_next_good_login() {
    let database = common::fresh_sqlite("upgrade");
    let weak = HashCost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    let mut s = start_with(
        database.url(),
        Policy {
            auto_confirm: true,
            ..Policy::default()
        },
        weak,
    )
    .await;
    let created = s
        .client
        .register(register("hank", "hank@example.org", "hank's password"))
        .await
        .unwrap();
    assert!(
        created.into_inner().user.unwrap().confirmed,
        "auto-confirmed"
    );
    assert!(s.outbox.mails().is_empty(), "no mail with --auto-confirm");
    let before = s
        .running
        .accounts
        .store()
        .credentials("hank")
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(
        before.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
        "{before}"
    );
    s.running.stop().await.unwrap();

    let mut s = start_with(database.url(), Policy::default(), HashCost::default()).await;
    assert_status(
        s.client.login(login("hank", "wrong")).await,
        Code::Unauthenticated,
        "wrong",
    );
    let unchanged = s
        .running
        .accounts
        .store()
        .credentials("hank")
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert_eq!(unchanged, before, "a wrong password changes nothing");
    s.client
        .login(login("hank", "hank's password"))
        .await
        .unwrap();
    let after = s
        .running
        .accounts
        .store()
        .credentials("hank")
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(
        after.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{after}"
    );
    s.client
        .login(login("hank", "hank's password"))
        .await
        .unwrap();
    s.running.stop().await.unwrap();
}

#[tokio::test]
async fn health_reports_serving() {
    let s = start("health").await;
    let channel = channel(&s).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    for service in ["", "encap.v1.Accounts"] {
        let reply = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            reply.status(),
            tonic_health::pb::health_check_response::ServingStatus::Serving
        );
    }
    s.running.stop().await.unwrap();
}

/// grpcurl 1.8 speaks reflection v1alpha (scripts/test-control.sh); newer
/// clients speak v1, checked here.
#[tokio::test]
async fn reflection_v1_lists_the_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let s = start("reflection").await;
    let channel = channel(&s).await;
    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let reply = replies.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        panic!("{reply:?}");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "encap.v1.Accounts",
            "encap.v1.Capture",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection"
        ]
    );
    s.running.stop().await.unwrap();
}

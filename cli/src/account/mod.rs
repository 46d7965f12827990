//! `encap register | confirm | resend | login | logout | whoami`: the account
//! commands, talking to encap-control's `encap.v1.Accounts`.

pub(crate) mod connect;
pub mod sessions;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use encap_proto::v1 as pb;
use tonic::{Code, Request, Status};

pub use connect::{DEFAULT_SERVER, normalize_server};
use sessions::Saved;

/// Where the service is and how to trust it.
#[derive(Debug, Clone)]
pub struct Target {
    pub server: String,
    pub ca_cert: Option<PathBuf>,
}

/// How the password is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordFrom {
    /// Asked on the terminal without echo.
    Prompt,
    /// The first line of standard input.
    Stdin,
}

#[derive(Debug, Clone)]
pub enum AccountCommand {
    Register {
        name: String,
        email: String,
        password: PasswordFrom,
    },
    Confirm {
        code: String,
    },
    Resend {
        email: String,
    },
    Login {
        login: String,
        password: PasswordFrom,
    },
    Logout,
    WhoAmI,
}

/// Runs one account command; the error is the sentence to show.
pub fn run(target: &Target, command: AccountCommand) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(run_async(target, command))
}

async fn run_async(target: &Target, command: AccountCommand) -> Result<(), String> {
    let server = normalize_server(&target.server)?;
    let sessions_file = sessions::default_path()?;
    // Read the password before connecting, so a prompt is not cut by a slow network.
    let password = match &command {
        AccountCommand::Register { password, .. } => Some(read_password(*password, true)?),
        AccountCommand::Login { login, password } => {
            Some(read_password_for(*password, login, &server)?)
        }
        _ => None,
    };
    let mut client = connect::accounts(&server, target.ca_cert.as_deref()).await?;
    match command {
        AccountCommand::Register { name, email, .. } => {
            let request = pb::RegisterRequest {
                name,
                email,
                password: password.unwrap_or_default(),
            };
            let user = client
                .register(request)
                .await
                .map_err(explain)?
                .into_inner()
                .user;
            let user = user.ok_or("the service answered without the account")?;
            if user.confirmed {
                println!(
                    "registered {} <{}>; log in with: encap login {}",
                    user.name, user.email, user.name
                );
            } else {
                println!(
                    "registered {} <{}>: a confirmation code is on its way to that address.\n\
                     Then run: encap confirm CODE",
                    user.name, user.email
                );
            }
        }
        AccountCommand::Confirm { code } => {
            let user = client
                .confirm(pb::ConfirmRequest { code })
                .await
                .map_err(explain)?
                .into_inner()
                .user
                .ok_or("the service answered without the account")?;
            println!(
                "confirmed {}; log in with: encap login {}",
                user.name, user.name
            );
        }
        AccountCommand::Resend { email } => {
            client
                .resend_confirmation(pb::ResendConfirmationRequest {
                    email: email.clone(),
                })
                .await
                .map_err(explain)?;
            println!("if an unconfirmed account has {email}, a new code is on its way to it");
        }
        AccountCommand::Login { login, .. } => {
            let reply = client
                .login(pb::LoginRequest {
                    login,
                    password: password.unwrap_or_default(),
                })
                .await
                .map_err(explain)?
                .into_inner();
            let user = reply.user.map(|u| u.name).unwrap_or_default();
            let expires_at = reply.expires_at.map_or(0, |t| t.seconds);
            sessions::save(
                &sessions_file,
                Saved {
                    server: server.clone(),
                    token: reply.token,
                    expires_at,
                    user: user.clone(),
                },
            )?;
            println!("logged in to {server} as {user} until {}", utc(expires_at));
        }
        AccountCommand::Logout => {
            let Some(saved) = sessions::find(&sessions_file, &server)? else {
                return Err(format!("not logged in to {server}"));
            };
            let result = client
                .logout(authorized(pb::LogoutRequest {}, &saved.token)?)
                .await;
            // The local copy goes either way: an expired or revoked token is useless.
            sessions::forget(&sessions_file, &server)?;
            match result {
                Ok(_) => println!("logged out {} from {server}", saved.user),
                Err(s) if s.code() == Code::Unauthenticated => {
                    println!("the session had already ended; forgot it")
                }
                Err(s) => return Err(explain(s)),
            }
        }
        AccountCommand::WhoAmI => {
            let Some(saved) = sessions::find(&sessions_file, &server)? else {
                return Err(format!("not logged in to {server}: run encap login NAME"));
            };
            let reply = client
                .who_am_i(authorized(pb::WhoAmIRequest {}, &saved.token)?)
                .await
                .map_err(explain)?
                .into_inner();
            let user = reply
                .user
                .ok_or("the service answered without the account")?;
            println!(
                "{} <{}>{}{}, registered {}; logged in to {server} until {}",
                user.name,
                user.email,
                if user.confirmed { "" } else { " (unconfirmed)" },
                if user.admin { " (administrator)" } else { "" },
                utc(user.created_at.map_or(0, |t| t.seconds)),
                utc(reply.session_expires_at.map_or(0, |t| t.seconds)),
            );
        }
    }
    Ok(())
}

pub(crate) fn authorized<T>(message: T, token: &str) -> Result<Request<T>, String> {
    let mut request = Request::new(message);
    let value = format!("Bearer {token}")
        .parse()
        .map_err(|_| "the saved token is damaged: run encap login again".to_string())?;
    request.metadata_mut().insert("authorization", value);
    Ok(request)
}

/// The saved token for `server` (normalised), or what to do without one.
pub(crate) fn saved_token(server: &str) -> Result<String, String> {
    match sessions::find(&sessions::default_path()?, server)? {
        Some(saved) => Ok(saved.token),
        None => Err(format!("not logged in to {server}: run encap login NAME")),
    }
}

/// The service's own sentence; for a login that ended, what to do next.
pub(crate) fn explain(status: Status) -> String {
    match status.code() {
        Code::Unauthenticated if status.message().contains("log in again") => {
            format!("{}: run encap login NAME", status.message())
        }
        Code::Unavailable => format!("the service is unavailable: {}", status.message()),
        _ => status.message().to_string(),
    }
}

fn read_password_for(from: PasswordFrom, login: &str, server: &str) -> Result<String, String> {
    match from {
        PasswordFrom::Stdin => read_stdin_line(),
        PasswordFrom::Prompt => prompt(&format!("password for {login} at {server}: ")),
    }
}

fn read_password(from: PasswordFrom, twice: bool) -> Result<String, String> {
    match from {
        PasswordFrom::Stdin => read_stdin_line(),
        PasswordFrom::Prompt => {
            let first = prompt("new password (8 to 1024 characters): ")?;
            if twice && prompt("the same again: ")? != first {
                return Err("the two passwords differ; nothing was registered".into());
            }
            Ok(first)
        }
    }
}

fn prompt(text: &str) -> Result<String, String> {
    if !std::io::stdin().is_terminal() && std::fs::File::open("/dev/tty").is_err() {
        return Err("no terminal to ask the password on: use --password-stdin".into());
    }
    rpassword::prompt_password(text).map_err(|e| format!("cannot read the password: {e}"))
}

fn read_stdin_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_string())
}

/// Unix seconds as "2026-11-21 10:32 UTC".
fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(1_795_257_156), "2026-11-21 10:32 UTC");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}

//! Delivering confirmation codes: to the service log (the default) or by SMTP
//! to a configured relay (`--smtp-url smtp://HOST:PORT`), plain SMTP without
//! authentication, as a local relay takes it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long one conversation with the relay may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
pub enum Mailer {
    /// The code is written to the service log, for a single-user setup.
    Log,
    Smtp {
        relay: String,
        from: String,
    },
    /// Kept in memory, for tests and for programs that embed the service.
    Memory(Outbox),
}

/// The mails a `Mailer::Memory` has sent, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<Confirmation>>>);

impl Outbox {
    pub fn mails(&self) -> Vec<Confirmation> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// A confirmation mail's contents.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub name: String,
    pub email: String,
    pub code: String,
}

impl Mailer {
    /// `smtp://HOST[:PORT]` (port 25 by default).
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let Some(rest) = url.strip_prefix("smtp://") else {
            return Err(format!(
                "unsupported SMTP URL {url:?}: expected smtp://HOST[:PORT]"
            ));
        };
        let host_port = rest.trim_end_matches('/');
        if host_port.is_empty() || host_port.contains(['/', '@', '?']) {
            return Err(format!(
                "SMTP URL {url:?} must be smtp://HOST[:PORT] with nothing else"
            ));
        }
        let relay = if host_port
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            host_port.to_string()
        } else {
            format!("{host_port}:25")
        };
        if !from.contains('@') || from.contains(['<', '>', '\r', '\n']) {
            return Err(format!("--mail-from {from:?} is not an email address"));
        }
        Ok(Mailer::Smtp {
            relay,
            from: from.to_string(),
        })
    }

    pub async fn send(&self, mail: &Confirmation) -> Result<(), String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    name = %mail.name,
                    email = %mail.email,
                    code = %mail.code,
                    "confirmation code (no --smtp-url: written here instead of mailed)"
                );
                Ok(())
            }
            Mailer::Memory(outbox) => {
                if let Ok(mut mails) = outbox.0.lock() {
                    mails.push(mail.clone());
                }
                Ok(())
            }
            Mailer::Smtp { relay, from } => {
                tokio::time::timeout(SMTP_TIMEOUT, deliver(relay, from, mail))
                    .await
                    .map_err(|_| {
                        format!("the SMTP relay {relay} did not finish within {SMTP_TIMEOUT:?}")
                    })?
                    .map_err(|e| format!("SMTP relay {relay}: {e}"))
            }
        }
    }
}

/// One SMTP conversation: EHLO, MAIL, RCPT, DATA, QUIT.
async fn deliver(relay: &str, from: &str, mail: &Confirmation) -> Result<(), String> {
    let stream = TcpStream::connect(relay)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect(&mut read, 220, "greeting").await?;
    write_line(&mut write, "EHLO encap-control").await?;
    let extensions = expect(&mut read, 250, "EHLO").await?;
    // An address outside ASCII needs the relay's SMTPUTF8 (RFC 6531).
    let utf8 = !mail.email.is_ascii() || !mail.name.is_ascii();
    let utf8_param = if !mail.email.is_ascii() {
        if !extensions
            .iter()
            .any(|l| l.eq_ignore_ascii_case("SMTPUTF8"))
        {
            return Err(format!(
                "the relay cannot take the non-ASCII address {:?} (no SMTPUTF8)",
                mail.email
            ));
        }
        " SMTPUTF8"
    } else {
        ""
    };
    write_line(&mut write, &format!("MAIL FROM:<{from}>{utf8_param}")).await?;
    expect(&mut read, 250, "MAIL FROM").await?;
    write_line(&mut write, &format!("RCPT TO:<{}>", mail.email)).await?;
    expect(&mut read, 250, "RCPT TO").await?;
    write_line(&mut write, "DATA").await?;
    expect(&mut read, 354, "DATA").await?;
    let message = compose(from, mail, utf8);
    write
        .write_all(dot_stuff(&message).as_bytes())
        .await
        .map_err(|e| format!("writing the message: {e}"))?;
    write_line(&mut write, ".").await?;
    expect(&mut read, 250, "the message").await?;
    write_line(&mut write, "QUIT").await?;
    // The relay may close before answering QUIT; the mail is already accepted.
    let _ = expect(&mut read, 221, "QUIT").await;
    Ok(())
}

fn compose(from: &str, mail: &Confirmation, utf8: bool) -> String {
    let charset = if utf8 { "utf-8" } else { "us-ascii" };
    format!(
        "From: encap <{from}>\r\n\
         To: <{to}>\r\n\
         Subject: Your encap confirmation code\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset={charset}\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Hello {name},\r\n\
         \r\n\
         your encap confirmation code is:\r\n\
         \r\n\
         \x20   {code}\r\n\
         \r\n\
         Confirm with:  encap confirm {code}\r\n\
         If you did not register, ignore this mail.\r\n",
        to = mail.email,
        name = mail.name,
        code = mail.code,
    )
}

/// Lines starting with '.' get another (RFC 5321 4.5.2); ends with CRLF.
fn dot_stuff(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    for line in message.split("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    // split leaves an empty last piece after the final CRLF.
    out.truncate(out.len() - 2);
    out
}

async fn write_line(w: &mut (impl AsyncWriteExt + Unpin), line: &str) -> Result<(), String> {
    w.write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| format!("writing: {e}"))
}

/// Reads one (possibly multi-line) reply; returns its text lines after the
/// first (the EHLO extensions) if the code is `want`.
async fn expect(
    r: &mut (impl AsyncBufReadExt + Unpin),
    want: u16,
    after: &str,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = r
            .read_line(&mut line)
            .await
            .map_err(|e| format!("reading the reply to {after}: {e}"))?;
        if n == 0 {
            return Err(format!("the relay closed the connection after {after}"));
        }
        let line = line.trim_end();
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        let last = line.as_bytes().get(3) != Some(&b'-');
        if code != Some(want) {
            return Err(format!("the relay answered {after} with {line:?}"));
        }
        lines.push(line.get(4..).unwrap_or("").to_string());
        if last {
            return Ok(lines.split_off(1.min(lines.len())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert!(
            matches!(Mailer::smtp("smtp://127.0.0.1:2525", "a@b"), Ok(Mailer::Smtp { relay, .. }) if relay == "127.0.0.1:2525")
        );
        assert!(
            matches!(Mailer::smtp("smtp://mail.example.org", "a@b"), Ok(Mailer::Smtp { relay, .. }) if relay == "mail.example.org:25")
        );
        assert!(
            Mailer::smtp("smtps://x:465", "a@b")
                .unwrap_err()
                .contains("smtp://HOST")
        );
        assert!(Mailer::smtp("smtp://u:p@x:25", "a@b").is_err());
        assert!(
            Mailer::smtp("smtp://x:25", "nobody")
                .unwrap_err()
                .contains("--mail-from")
        );
    }

    #[test]
    fn dots_at_line_starts_are_doubled() {
        assert_eq!(dot_stuff("a\r\n.b\r\n"), "a\r\n..b\r\n");
        assert_eq!(dot_stuff("."), "..");
    }
}

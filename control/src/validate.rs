//! What a name, an email address and a password must look like; each rule
//! failure names the field and says what is wrong with it.

/// A field that failed validation, and why (a sentence for the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn fail<T>(field: &'static str, message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError {
        field,
        message: message.into(),
    })
}

pub const NAME_MAX_CHARS: usize = 64;
pub const EMAIL_MAX_BYTES: usize = 254;
/// NIST SP 800-63B: at least 8, allow at least 64; any characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// A login name: 1 to 64 letters (any script), digits, '.', '_' or '-'.
/// Returns the name as typed and its case-folded key (what uniqueness uses).
pub fn name(typed: &str) -> Result<(String, String), FieldError> {
    let count = typed.chars().count();
    if count == 0 {
        return fail("name", "name is empty");
    }
    if count > NAME_MAX_CHARS {
        return fail(
            "name",
            format!("name is {count} characters long; at most {NAME_MAX_CHARS} are allowed"),
        );
    }
    if let Some(c) = typed
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return fail(
            "name",
            format!(
                "name contains {}; use letters, digits, '.', '_' or '-'",
                describe(c)
            ),
        );
    }
    Ok((typed.to_string(), typed.to_lowercase()))
}

/// An email address, lower-cased: one '@' with something on each side, at
/// most 254 bytes, no spaces or control characters.
pub fn email(typed: &str) -> Result<String, FieldError> {
    if typed.is_empty() {
        return fail("email", "email is empty");
    }
    if typed.len() > EMAIL_MAX_BYTES {
        return fail(
            "email",
            format!(
                "email is {} bytes long; at most {EMAIL_MAX_BYTES} are allowed",
                typed.len()
            ),
        );
    }
    if let Some(c) = typed
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
    {
        return fail("email", format!("email contains {}", describe(c)));
    }
    let Some((local, domain)) = typed.rsplit_once('@') else {
        return fail("email", "email has no '@' (expected name@example.org)");
    };
    if local.is_empty() || local.contains('@') {
        return fail("email", "email needs exactly one '@' with a name before it");
    }
    if domain.is_empty()
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return fail(
            "email",
            format!("email's domain {domain:?} is not a domain name"),
        );
    }
    Ok(typed.to_lowercase())
}

/// A password: 8 to 1024 characters, any characters at all.
pub fn password(typed: &str) -> Result<(), FieldError> {
    let count = typed.chars().count();
    if count < PASSWORD_MIN_CHARS {
        return fail(
            "password",
            format!(
                "password is {count} characters long; at least {PASSWORD_MIN_CHARS} are needed"
            ),
        );
    }
    if count > PASSWORD_MAX_CHARS {
        return fail(
            "password",
            format!(
                "password is {count} characters long; at most {PASSWORD_MAX_CHARS} are allowed"
            ),
        );
    }
    Ok(())
}

/// A character as a person would want it named in an error.
fn describe(c: char) -> String {
    if c.is_whitespace() {
        "a space".into()
    } else if c.is_control() {
        format!("a control character (U+{:04X})", u32::from(c))
    } else {
        format!("{c:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("Alice").unwrap(), ("Alice".into(), "alice".into()));
        assert_eq!(name("Zoë_ø.中文-1").unwrap().1, "zoë_ø.中文-1");
        assert_eq!(name("").unwrap_err().message, "name is empty");
        assert!(name("a b").unwrap_err().message.contains("a space"));
        assert!(
            name("x'; DROP TABLE users;--")
                .unwrap_err()
                .message
                .contains("'\\''")
        );
        assert!(
            name(&"n".repeat(65))
                .unwrap_err()
                .message
                .contains("65 characters")
        );
        assert!(name(&"é".repeat(64)).is_ok());
        assert!(name("a\u{0}b").unwrap_err().message.contains("U+0000"));
    }

    #[test]
    fn emails() {
        assert_eq!(email("Alice@Example.ORG").unwrap(), "alice@example.org");
        assert_eq!(email("zoë@exämple.org").unwrap(), "zoë@exämple.org");
        assert!(email("alice").unwrap_err().message.contains("no '@'"));
        assert!(email("@example.org").is_err());
        assert!(email("a@").is_err());
        assert!(email("a@b..c").is_err());
        assert!(email("a@@b").is_err());
        assert!(email("a b@c").is_err());
        assert!(email(&format!("{}@example.org", "a".repeat(250))).is_err());
        assert_eq!(email("").unwrap_err().field, "email");
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password("🔑🔑🔑🔑🔑🔑🔑🔑").is_ok());
        assert!(password(&"x".repeat(1024)).is_ok());
        let e = password(&"x".repeat(1025)).unwrap_err();
        assert_eq!(e.field, "password");
        assert!(e.message.contains("at most 1024"), "{}", e.message);
    }
}

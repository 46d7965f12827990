//! Session tokens and confirmation codes: random, shown once, stored only as
//! a SHA-256 digest. Both carry enough entropy that a fast hash is the right one
//! (argon2 is for what people choose).

use sha2::{Digest, Sha256};

/// Crockford's base32: no I, L, O or U, so a code read aloud or off a phone
/// survives being typed.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a confirmation code (5 bits each: 60 bits).
pub const CODE_LEN: usize = 12;

/// Hex characters in a session token (256 bits).
pub const TOKEN_HEX_LEN: usize = 64;

fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| format!("the system random source failed: {e}"))?;
    Ok(bytes)
}

/// A new session token: 32 random bytes as 64 lower-case hex characters.
pub fn new_token() -> Result<String, String> {
    Ok(hex(&random::<32>()?))
}

/// A confirmation code as mailed, and the digest the store keeps of it.
#[derive(Debug, Clone)]
pub struct NewCode {
    /// e.g. `7KQ2-9XMD-4TRA`.
    pub shown: String,
    pub digest: String,
}

/// A new confirmation code.
pub fn new_code() -> Result<NewCode, String> {
    let bytes = random::<CODE_LEN>()?;
    let mut shown = String::with_capacity(CODE_LEN + 2);
    let mut canonical = String::with_capacity(CODE_LEN);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            shown.push('-');
        }
        let c = char::from(CROCKFORD[usize::from(b & 31)]);
        shown.push(c);
        canonical.push(c);
    }
    Ok(NewCode {
        shown,
        digest: digest(&canonical),
    })
}

/// The canonical form of a typed code: upper case, without dashes or spaces,
/// with O read as 0 and I or L as 1. `None` if it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut code = String::with_capacity(CODE_LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && CROCKFORD.contains(&(c as u8)) => c,
            _ => return None,
        };
        code.push(c);
    }
    (code.len() == CODE_LEN).then_some(code)
}

/// Whether `token` looks like one of ours (64 lower-case hex characters).
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == TOKEN_HEX_LEN
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The SHA-256 digest of a token or a normalised code, as stored.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_in_hex() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert!(is_token_shaped(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn codes_survive_retyping() {
        let new = new_code().unwrap();
        let code = new.shown;
        assert_eq!(code.len(), CODE_LEN + 2);
        let canonical = normalize_code(&code).unwrap();
        assert_eq!(digest(&canonical), new.digest);
        assert_eq!(
            normalize_code(&code.to_lowercase().replace('-', " ")),
            Some(canonical)
        );
        assert_eq!(
            normalize_code("o1l2-abcd-efgh").as_deref(),
            Some("0112ABCDEFGH")
        );
        assert_eq!(normalize_code("0112ABCDEFG"), None);
        assert_eq!(normalize_code("0112ABCDEFGU"), None);
        assert_eq!(normalize_code("0112ABCDEFGÄ"), None);
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

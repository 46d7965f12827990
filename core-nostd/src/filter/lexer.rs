//! Display-filter tokens. Literals are lexed loosely as "words" (as Wireshark
//! does) and interpreted later against the field they are compared with, so
//! `10.0.0.0/8`, `ff:ff:ff:ff:ff:ff` and `2001:db8::1` need no special syntax.

/// A token and where it starts (byte offset in the filter text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'f> {
    pub kind: TokenKind<'f>,
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind<'f> {
    /// A field name, protocol name, number, address or bare word.
    Word(&'f str),
    /// A double-quoted string, still escaped (between the quotes).
    Str(&'f str),
    Op(CmpOp),
    And,
    Or,
    Not,
    In,
    Contains,
    Matches,
    BitAnd,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Colon,
    Comma,
    DotDot,
    Minus,
    End,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// An unterminated string or a character no filter uses, at that offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexError {
    UnterminatedString(usize),
    Unexpected(usize, char),
}

/// Characters that may form a word: names, numbers and address literals.
fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'/' | b'-')
}

#[derive(Debug, Clone)]
pub struct Lexer<'f> {
    text: &'f str,
    at: usize,
    /// Inside `[...]`, ':' and '-' separate slice bounds instead of joining words.
    in_brackets: bool,
}

impl<'f> Lexer<'f> {
    pub fn new(text: &'f str) -> Self {
        Lexer {
            text,
            at: 0,
            in_brackets: false,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    pub fn next_token(&mut self) -> Result<Token<'f>, LexError> {
        while self.byte(self.at).is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
        let start = self.at;
        let Some(c) = self.byte(start) else {
            return Ok(Token {
                kind: TokenKind::End,
                at: start,
            });
        };
        let two = (c, self.byte(start + 1).unwrap_or(0));
        let (kind, len) = match two {
            (b'=', b'=') => (TokenKind::Op(CmpOp::Eq), 2),
            (b'!', b'=') => (TokenKind::Op(CmpOp::Ne), 2),
            (b'<', b'=') => (TokenKind::Op(CmpOp::Le), 2),
            (b'>', b'=') => (TokenKind::Op(CmpOp::Ge), 2),
            (b'&', b'&') => (TokenKind::And, 2),
            (b'|', b'|') => (TokenKind::Or, 2),
            (b'.', b'.') => (TokenKind::DotDot, 2),
            (b'=', _) => (TokenKind::Op(CmpOp::Eq), 1),
            (b'<', _) => (TokenKind::Op(CmpOp::Lt), 1),
            (b'>', _) => (TokenKind::Op(CmpOp::Gt), 1),
            (b'!', _) => (TokenKind::Not, 1),
            (b'&', _) => (TokenKind::BitAnd, 1),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'{', _) => (TokenKind::LBrace, 1),
            (b'}', _) => (TokenKind::RBrace, 1),
            (b'[', _) => {
                self.in_brackets = true;
                (TokenKind::LBracket, 1)
            }
            (b']', _) => {
                self.in_brackets = false;
                (TokenKind::RBracket, 1)
            }
            (b',', _) => (TokenKind::Comma, 1),
            (b':', _) if self.in_brackets => (TokenKind::Colon, 1),
            (b'-', _) if self.in_brackets => (TokenKind::Minus, 1),
            (b'"', _) => return self.string(start),
            (c, _) if is_word_char(c) => return Ok(self.word(start)),
            _ => {
                let ch = self.text.get(start..).and_then(|s| s.chars().next());
                return Err(LexError::Unexpected(start, ch.unwrap_or('?')));
            }
        };
        self.at = start + len;
        Ok(Token { kind, at: start })
    }

    fn word(&mut self, start: usize) -> Token<'f> {
        let mut end = start;
        while let Some(b) = self.byte(end) {
            let stop_in_slice = self.in_brackets && matches!(b, b':' | b'-');
            // `..` ends a word (`3..5`); a single dot joins (`ip.src`, `1.2.3.4`).
            let range = b == b'.' && self.byte(end + 1) == Some(b'.');
            if !is_word_char(b) || stop_in_slice || range {
                break;
            }
            end += 1;
        }
        self.at = end;
        let word = self.text.get(start..end).unwrap_or("");
        let kind = match word {
            "and" => TokenKind::And,
            "or" => TokenKind::Or,
            "not" => TokenKind::Not,
            "in" => TokenKind::In,
            "contains" => TokenKind::Contains,
            "matches" => TokenKind::Matches,
            "eq" => TokenKind::Op(CmpOp::Eq),
            "ne" => TokenKind::Op(CmpOp::Ne),
            "lt" => TokenKind::Op(CmpOp::Lt),
            "gt" => TokenKind::Op(CmpOp::Gt),
            "le" => TokenKind::Op(CmpOp::Le),
            "ge" => TokenKind::Op(CmpOp::Ge),
            "bitwise_and" => TokenKind::BitAnd,
            w => TokenKind::Word(w),
        };
        Token { kind, at: start }
    }

    fn string(&mut self, start: usize) -> Result<Token<'f>, LexError> {
        let mut end = start + 1;
        loop {
            match self.byte(end) {
                None => return Err(LexError::UnterminatedString(start)),
                Some(b'\\') => end += 2,
                Some(b'"') => break,
                Some(_) => end += 1,
            }
        }
        self.at = end + 1;
        let inner = self.text.get(start + 1..end).unwrap_or("");
        Ok(Token {
            kind: TokenKind::Str(inner),
            at: start,
        })
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn kinds(s: &str) -> Vec<TokenKind<'_>> {
        let mut l = Lexer::new(s);
        let mut out = Vec::new();
        loop {
            let t = l.next_token().unwrap();
            if t.kind == TokenKind::End {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn test_words_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("ip.addr == 10.0.0.0/8 && !tcp"),
            [
                Word("ip.addr"),
                Op(CmpOp::Eq),
                Word("10.0.0.0/8"),
                And,
                Not,
                Word("tcp")
            ]
        );
        assert_eq!(
            kinds("icmp.type in { 3..5, 11 }"),
            [
                Word("icmp.type"),
                In,
                LBrace,
                Word("3"),
                DotDot,
                Word("5"),
                Comma,
                Word("11"),
                RBrace
            ]
        );
        assert_eq!(
            kinds("ip.src[0:2] == c0:00"),
            [
                Word("ip.src"),
                LBracket,
                Word("0"),
                Colon,
                Word("2"),
                RBracket,
                Op(CmpOp::Eq),
                Word("c0:00")
            ]
        );
        assert_eq!(
            kinds("eth.dst eq ff:ff:ff:ff:ff:ff"),
            [Word("eth.dst"), Op(CmpOp::Eq), Word("ff:ff:ff:ff:ff:ff")]
        );
        assert_eq!(
            kinds(r#"http.host == "a\"b""#),
            [Word("http.host"), Op(CmpOp::Eq), Str(r#"a\"b"#)]
        );
    }

    #[test]
    fn test_errors() {
        assert_eq!(
            Lexer::new("\"abc").next_token(),
            Err(LexError::UnterminatedString(0))
        );
        let mut l = Lexer::new("tcp $");
        l.next_token().unwrap();
        assert_eq!(l.next_token(), Err(LexError::Unexpected(4, '$')));
    }
}

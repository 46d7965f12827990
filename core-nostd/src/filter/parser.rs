//! Recursive descent over Wireshark's display-filter grammar, building a
//! [`Program`](super::Filter) in fixed arrays.

use super::error::{FilterError, FilterErrorKind};
use super::lexer::{Lexer, Token, TokenKind};
use super::literal::{self, Literal, LiteralError};
use super::program::{MAX_DEPTH, MAX_NODES, MAX_SET_ITEMS, Node, SetItem, Slice, Subject, Test};
use super::{Filter, foreign};
use crate::field::{FieldKind, registry};
use crate::proto::Protocol;

/// Writes into a filter its caller owns (a filter is a few KiB: one copy on a
/// board's stack, not one here and one returned).
pub(super) struct Parser<'f, 'p> {
    lexer: Lexer<'f>,
    peeked: Option<Token<'f>>,
    filter: &'p mut Filter,
    depth: usize,
    /// Compile names of protocols encap does not dissect as never matching.
    lenient: bool,
}

type Result<'f, T> = core::result::Result<T, FilterError<'f>>;

impl<'f, 'p> Parser<'f, 'p> {
    pub(super) fn new(text: &'f str, lenient: bool, filter: &'p mut Filter) -> Self {
        Parser {
            lexer: Lexer::new(text),
            peeked: None,
            filter,
            depth: 0,
            lenient,
        }
    }

    fn peek(&mut self) -> Result<'f, Token<'f>> {
        if let Some(t) = self.peeked {
            return Ok(t);
        }
        let t = self.lexer.next_token().map_err(FilterError::from_lex)?;
        self.peeked = Some(t);
        Ok(t)
    }

    fn next(&mut self) -> Result<'f, Token<'f>> {
        let t = self.peek()?;
        self.peeked = None;
        Ok(t)
    }

    fn expect(&mut self, kind: TokenKind<'f>, what: &'static str) -> Result<'f, Token<'f>> {
        let t = self.next()?;
        if t.kind == kind {
            Ok(t)
        } else {
            Err(FilterError::new(t.at, FilterErrorKind::Expected(what)))
        }
    }

    fn push(&mut self, node: Node, at: usize) -> Result<'f, u8> {
        let index = self.filter.len;
        let slot = self
            .filter
            .nodes
            .get_mut(index)
            .ok_or(FilterError::new(at, FilterErrorKind::TooManyTerms))?;
        *slot = node;
        self.filter.len += 1;
        Ok(index as u8)
    }

    /// The whole filter; returns the root node.
    pub(super) fn parse(&mut self) -> Result<'f, u8> {
        let t = self.peek()?;
        if t.kind == TokenKind::End {
            return Err(FilterError::new(t.at, FilterErrorKind::Empty));
        }
        let root = self.or()?;
        let t = self.next()?;
        if t.kind != TokenKind::End {
            return Err(FilterError::new(t.at, FilterErrorKind::Unexpected));
        }
        Ok(root)
    }

    fn or(&mut self) -> Result<'f, u8> {
        let mut left = self.and()?;
        while self.peek()?.kind == TokenKind::Or {
            let t = self.next()?;
            let right = self.and()?;
            left = self.push(Node::Or(left, right), t.at)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<'f, u8> {
        let mut left = self.unary()?;
        while self.peek()?.kind == TokenKind::And {
            let t = self.next()?;
            let right = self.unary()?;
            left = self.push(Node::And(left, right), t.at)?;
        }
        Ok(left)
    }

    fn nested<T>(
        &mut self,
        at: usize,
        f: impl FnOnce(&mut Self) -> Result<'f, T>,
    ) -> Result<'f, T> {
        if self.depth >= MAX_DEPTH {
            return Err(FilterError::new(at, FilterErrorKind::TooDeep));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn unary(&mut self) -> Result<'f, u8> {
        let t = self.peek()?;
        match t.kind {
            TokenKind::Not => {
                self.next()?;
                let inner = self.nested(t.at, Self::unary)?;
                self.push(Node::Not(inner), t.at)
            }
            TokenKind::LParen => {
                self.next()?;
                let inner = self.nested(t.at, Self::or)?;
                self.expect(TokenKind::RParen, "\")\"")?;
                Ok(inner)
            }
            TokenKind::Word(name) => {
                self.next()?;
                self.test(name, t.at)
            }
            TokenKind::End => Err(FilterError::new(t.at, FilterErrorKind::UnexpectedEnd)),
            _ => Err(FilterError::new(t.at, FilterErrorKind::ExpectedTest)),
        }
    }

    /// A field or protocol, an optional slice, and an optional relation.
    fn test(&mut self, name: &'f str, at: usize) -> Result<'f, u8> {
        let subject = match registry::lookup(name) {
            Some(def) => Subject::Field(def),
            None => match Protocol::from_short_name(name) {
                Some(p) => Subject::Protocol(p),
                None if foreign::is_known(name) && self.lenient => {
                    self.skip_relation()?;
                    return self.push(Node::Never, at);
                }
                None if foreign::is_known(name) => {
                    return Err(FilterError::new(at, FilterErrorKind::Unsupported(name)));
                }
                None => return Err(FilterError::new(at, FilterErrorKind::UnknownName(name))),
            },
        };
        let slice = if self.peek()?.kind == TokenKind::LBracket {
            Some(self.slice()?)
        } else {
            None
        };
        let t = self.peek()?;
        let test = match t.kind {
            TokenKind::Op(op) => {
                self.next()?;
                let lit = self.literal(subject, slice.is_some(), name)?;
                Test::Cmp(op, lit)
            }
            TokenKind::In => {
                self.next()?;
                self.set(subject, slice.is_some(), name)?
            }
            TokenKind::Contains => {
                self.next()?;
                let lt = self.next()?;
                let bytes = match lt.kind {
                    TokenKind::Str(s) => literal::unescape(s),
                    TokenKind::Word(w) => {
                        literal::parse_bytes(w).or_else(|_| literal::word_bytes(w))
                    }
                    _ => return Err(FilterError::new(lt.at, FilterErrorKind::ExpectedValue)),
                }
                .map_err(|e| FilterError::literal(lt.at, token_text(&lt), e))?;
                Test::Contains(bytes)
            }
            TokenKind::BitAnd => {
                self.next()?;
                let lt = self.next()?;
                let TokenKind::Word(w) = lt.kind else {
                    return Err(FilterError::new(lt.at, FilterErrorKind::ExpectedValue));
                };
                let mask = literal::parse_uint(w)
                    .or_else(|_| literal::parse_bytes(w).map(|b| be_uint(b.as_slice())))
                    .map_err(|e| FilterError::literal(lt.at, w, e))?;
                if matches!(self.peek()?.kind, TokenKind::Op(_)) {
                    let at = self.peek()?.at;
                    return Err(FilterError::new(
                        at,
                        FilterErrorKind::NotSupported(
                            "comparing the result of \"&\" (use it as a test)",
                        ),
                    ));
                }
                Test::BitAnd(mask)
            }
            TokenKind::Matches => {
                return Err(FilterError::new(
                    t.at,
                    FilterErrorKind::NotSupported("\"matches\" (regular expressions)"),
                ));
            }
            _ => Test::Exists,
        };
        if let (Subject::Field(def), Test::Cmp(..) | Test::In { .. }, None) = (subject, test, slice)
            && def.kind == FieldKind::None
        {
            return Err(FilterError::new(at, FilterErrorKind::NoValue(name)));
        }
        if let (Subject::Protocol(_), Test::Cmp(..) | Test::In { .. } | Test::BitAnd(_), None) =
            (subject, test, slice)
        {
            return Err(FilterError::new(at, FilterErrorKind::NoValue(name)));
        }
        // Without the visitor only the fields with a fast path can be read.
        #[cfg(not(feature = "fields"))]
        if let Subject::Field(def) = subject
            && (slice.is_some() || super::fast::fast_of(def).is_none())
        {
            return Err(FilterError::new(at, FilterErrorKind::NotInThisBuild(name)));
        }
        self.push(
            Node::Test {
                subject,
                slice,
                test,
            },
            at,
        )
    }

    /// In a lenient compile, the relation after an unsupported name is skipped.
    fn skip_relation(&mut self) -> Result<'f, ()> {
        if self.peek()?.kind == TokenKind::LBracket {
            self.slice()?;
        }
        match self.peek()?.kind {
            TokenKind::Op(_) | TokenKind::Contains | TokenKind::BitAnd | TokenKind::Matches => {
                self.next()?;
                self.next()?;
            }
            TokenKind::In => {
                self.next()?;
                self.expect(TokenKind::LBrace, "\"{\"")?;
                loop {
                    let t = self.next()?;
                    match t.kind {
                        TokenKind::RBrace => break,
                        TokenKind::End => {
                            return Err(FilterError::new(t.at, FilterErrorKind::Expected("\"}\"")));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn slice(&mut self) -> Result<'f, Slice> {
        self.expect(TokenKind::LBracket, "\"[\"")?;
        let start = self.index()?;
        let t = self.next()?;
        let slice = match t.kind {
            TokenKind::RBracket => {
                return Ok(Slice {
                    start,
                    end: Some(start + 1),
                });
            }
            TokenKind::Colon if self.peek()?.kind == TokenKind::RBracket => {
                Slice { start, end: None }
            }
            TokenKind::Colon => {
                let len = self.index()?;
                Slice {
                    start,
                    end: Some(start + len),
                }
            }
            TokenKind::Minus => {
                let last = self.index()?;
                if last < start {
                    return Err(FilterError::new(t.at, FilterErrorKind::BadSlice));
                }
                Slice {
                    start,
                    end: Some(last + 1),
                }
            }
            _ => return Err(FilterError::new(t.at, FilterErrorKind::BadSlice)),
        };
        self.expect(TokenKind::RBracket, "\"]\"")?;
        Ok(slice)
    }

    fn index(&mut self) -> Result<'f, u16> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Word(w) => w
                .parse::<u16>()
                .ok()
                .filter(|n| *n < u16::MAX / 2)
                .ok_or(FilterError::new(t.at, FilterErrorKind::BadSlice)),
            _ => Err(FilterError::new(t.at, FilterErrorKind::BadSlice)),
        }
    }

    /// One literal, read as the subject's kind (bytes for slices).
    fn literal(&mut self, subject: Subject, sliced: bool, name: &'f str) -> Result<'f, Literal> {
        let t = self.next()?;
        let text = token_text(&t);
        let parsed = match (t.kind, subject) {
            // A field with value names takes them, quoted or not: `ip.checksum.status == "Bad"`.
            (TokenKind::Str(s) | TokenKind::Word(s), Subject::Field(def))
                if !sliced && def.value_of(s).is_some() =>
            {
                Ok(Literal::Uint(def.value_of(s).unwrap_or(0)))
            }
            (TokenKind::Str(s), _) => literal::unescape(s).map(Literal::Bytes),
            (TokenKind::Word(w), _) if sliced => literal::parse_bytes(w).map(Literal::Bytes),
            (TokenKind::Word(w), Subject::Field(def)) => literal_for(def.kind, w),
            (TokenKind::Word(_), Subject::Protocol(_)) => {
                return Err(FilterError::new(t.at, FilterErrorKind::NoValue(name)));
            }
            (TokenKind::End, _) => {
                return Err(FilterError::new(t.at, FilterErrorKind::UnexpectedEnd));
            }
            _ => return Err(FilterError::new(t.at, FilterErrorKind::ExpectedValue)),
        };
        parsed.map_err(|e| FilterError::literal(t.at, text, e))
    }

    fn set(&mut self, subject: Subject, sliced: bool, name: &'f str) -> Result<'f, Test> {
        let open = self.expect(TokenKind::LBrace, "\"{\"")?;
        let first = self.filter.set_len;
        // Items are separated by commas, as in Wireshark 4.
        let mut need_comma = false;
        loop {
            let t = self.peek()?;
            match t.kind {
                TokenKind::RBrace => {
                    self.next()?;
                    break;
                }
                TokenKind::Comma if need_comma => {
                    self.next()?;
                    need_comma = false;
                    continue;
                }
                TokenKind::End => {
                    return Err(FilterError::new(t.at, FilterErrorKind::Expected("\"}\"")));
                }
                _ if need_comma => {
                    return Err(FilterError::new(
                        t.at,
                        FilterErrorKind::Expected("\",\" or \"}\""),
                    ));
                }
                _ => {}
            }
            need_comma = true;
            let low = self.literal(subject, sliced, name)?;
            let high = if self.peek()?.kind == TokenKind::DotDot {
                self.next()?;
                Some(self.literal(subject, sliced, name)?)
            } else {
                None
            };
            let slot = self
                .filter
                .set
                .get_mut(self.filter.set_len)
                .ok_or(FilterError::new(t.at, FilterErrorKind::TooManySetItems))?;
            *slot = SetItem { low, high };
            self.filter.set_len += 1;
        }
        let count = self.filter.set_len - first;
        if count == 0 {
            return Err(FilterError::new(open.at, FilterErrorKind::EmptySet));
        }
        Ok(Test::In {
            first: first as u8,
            count: count as u8,
        })
    }
}

fn token_text<'f>(t: &Token<'f>) -> &'f str {
    match t.kind {
        TokenKind::Word(w) | TokenKind::Str(w) => w,
        _ => "",
    }
}

/// The literal for a field of `kind`, from a bare word.
fn literal_for(kind: FieldKind, w: &str) -> core::result::Result<Literal, LiteralError> {
    match kind {
        FieldKind::Uint(_) => literal::parse_uint(w).map(Literal::Uint),
        FieldKind::Bool => literal::parse_bool(w).map(Literal::Uint),
        FieldKind::Ipv4 => literal::parse_ipv4(w),
        FieldKind::Ipv6 => literal::parse_ipv6(w),
        FieldKind::Mac => literal::parse_mac(w),
        FieldKind::Bytes => literal::parse_bytes(w).map(Literal::Bytes),
        // Wireshark takes a bare word as a string too (`http.request.method == GET`).
        FieldKind::Str | FieldKind::None => literal::word_bytes(w).map(Literal::Bytes),
    }
}

/// Bytes as a big-endian number (up to 8 of them).
pub(super) fn be_uint(b: &[u8]) -> u64 {
    b.iter()
        .take(8)
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

const _: () = assert!(MAX_NODES <= 255 && MAX_SET_ITEMS <= 255);

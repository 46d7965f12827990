//! Filter errors: what is wrong and where (a column), worded like Wireshark's.

use core::fmt;

use super::lexer::LexError;
use super::literal::LiteralError;
use super::program::{MAX_DEPTH, MAX_NODES, MAX_SET_ITEMS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterErrorKind<'f> {
    Empty,
    UnknownName(&'f str),
    /// A name Wireshark knows whose protocol encap does not dissect.
    Unsupported(&'f str),
    /// A field this build cannot read (built without the `fields` feature).
    NotInThisBuild(&'f str),
    Literal(&'f str, LiteralError),
    NoValue(&'f str),
    NotSupported(&'static str),
    Expected(&'static str),
    ExpectedTest,
    ExpectedValue,
    Unexpected,
    UnexpectedEnd,
    UnterminatedString,
    BadChar(char),
    BadSlice,
    EmptySet,
    TooManyTerms,
    TooManySetItems,
    TooDeep,
}

/// An error and its byte offset in the filter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterError<'f> {
    pub at: usize,
    pub kind: FilterErrorKind<'f>,
}

impl<'f> FilterError<'f> {
    pub(super) const fn new(at: usize, kind: FilterErrorKind<'f>) -> Self {
        FilterError { at, kind }
    }

    pub(super) fn literal(at: usize, text: &'f str, e: LiteralError) -> Self {
        FilterError::new(at, FilterErrorKind::Literal(text, e))
    }

    pub(super) fn from_lex(e: LexError) -> Self {
        match e {
            LexError::UnterminatedString(at) => {
                FilterError::new(at, FilterErrorKind::UnterminatedString)
            }
            LexError::Unexpected(at, c) => FilterError::new(at, FilterErrorKind::BadChar(c)),
        }
    }

    /// 1-based column, as a person counts.
    pub fn column(&self) -> usize {
        self.at + 1
    }
}

impl fmt::Display for FilterError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FilterErrorKind::Empty => f.write_str("the filter is empty")?,
            FilterErrorKind::UnknownName(n) => {
                write!(f, "\"{n}\" is neither a field nor a protocol name")?
            }
            FilterErrorKind::Unsupported(n) => write!(
                f,
                "\"{n}\" is valid in Wireshark, but encap does not dissect it"
            )?,
            FilterErrorKind::NotInThisBuild(n) => write!(
                f,
                "\"{n}\" is not read by this build of encap (a small edge without the field visitor)"
            )?,
            FilterErrorKind::Literal(t, e) => write!(f, "\"{t}\" {}", e.describe())?,
            FilterErrorKind::NoValue(n) => write!(
                f,
                "\"{n}\" has no value to compare; test that it is present (just \"{n}\")"
            )?,
            FilterErrorKind::NotSupported(what) => write!(f, "{what} is not supported by encap")?,
            FilterErrorKind::Expected(what) => write!(f, "expected {what}")?,
            FilterErrorKind::ExpectedTest => {
                f.write_str("expected a field or protocol name, \"!\" or \"(\"")?
            }
            FilterErrorKind::ExpectedValue => f.write_str("expected a value")?,
            FilterErrorKind::Unexpected => {
                f.write_str("unexpected text (a missing \"&&\" or \"||\"?)")?
            }
            FilterErrorKind::UnexpectedEnd => f.write_str("the filter ends too early")?,
            FilterErrorKind::UnterminatedString => f.write_str("a string has no closing quote")?,
            FilterErrorKind::BadChar(c) => write!(f, "\"{c}\" is not part of the filter syntax")?,
            FilterErrorKind::BadSlice => {
                f.write_str("a slice is [i], [i:length], [i-j] or [i:] with numbers")?
            }
            FilterErrorKind::EmptySet => f.write_str("the set is empty")?,
            FilterErrorKind::TooManyTerms => write!(
                f,
                "the filter has more than {MAX_NODES} terms (encap's limit)"
            )?,
            FilterErrorKind::TooManySetItems => write!(
                f,
                "the filter's sets hold more than {MAX_SET_ITEMS} items (encap's limit)"
            )?,
            FilterErrorKind::TooDeep => write!(
                f,
                "the filter nests more than {MAX_DEPTH} levels (encap's limit)"
            )?,
        }
        write!(f, " (column {})", self.column())
    }
}

impl core::error::Error for FilterError<'_> {}

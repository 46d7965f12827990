//! The display filter applied at the edge, as the service asked.

use alloc::boxed::Box;
use alloc::string::{String, ToString};

use encap_core::filter::Filter;
use encap_core::{Frame, dissect_with};
use encap_proto::uplink as wire;

/// The service's current filter, compiled; with none, every frame passes.
#[derive(Debug, Default)]
pub struct EdgeFilter {
    text: String,
    filter: Option<Box<Filter>>,
}

impl EdgeFilter {
    /// Applies `text` ("" = every frame) and says how that went. A filter
    /// that does not compile lets every frame through (the service filters
    /// again), and the answer carries the error and its column.
    pub fn set(&mut self, text: &str) -> wire::FilterStatus {
        self.text = text.to_string();
        if text.trim().is_empty() {
            self.filter = None;
            return wire::FilterStatus {
                filter: self.text.clone(),
                error: String::new(),
                column: 0,
            };
        }
        match Filter::compile(text) {
            Ok(f) => {
                self.filter = Some(Box::new(f));
                wire::FilterStatus {
                    filter: self.text.clone(),
                    error: String::new(),
                    column: 0,
                }
            }
            Err(e) => {
                self.filter = None;
                wire::FilterStatus {
                    filter: self.text.clone(),
                    error: e.to_string(),
                    column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                }
            }
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the frame goes up. Dissects only when there is a filter.
    pub fn matches(&self, frame: Frame<'_>) -> bool {
        match &self.filter {
            None => true,
            Some(f) => dissect_with(frame, |d| f.matches(d)),
        }
    }
}

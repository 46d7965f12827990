//! Expert notes: what was wrong with a frame, kept beside the layers that parsed.

use core::fmt;

use crate::wire::Error;

/// How bad a note is, in Wireshark's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing (e.g. an IPv4 fragment).
    Note,
    /// Suspicious but dissectable (e.g. a bad checksum).
    Warning,
    /// The capture was cut by its snap length: not the packet's fault.
    Cut,
    /// The packet breaks its protocol but dissection went on (an expert-level
    /// `_ws.malformed`, e.g. a UDP length that disagrees with IP's).
    Malformed,
    /// The packet breaks its protocol and the layer stopped there: Wireshark's
    /// "[Malformed Packet]" exception.
    Exception,
}

/// One note: the error and which layer (index into the dissection) it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expert {
    pub severity: Severity,
    pub layer: u8,
    pub error: Error,
}

impl fmt::Display for Expert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Cut => "cut by snap length",
            Severity::Malformed => "malformed",
            Severity::Exception => "malformed (dissection stopped)",
        };
        write!(f, "{what}: {}", self.error)
    }
}

//! Looking fields up by their Wireshark abbreviation.

use super::FieldDef;
use crate::dissectors::ALL_FIELDS;

/// Every field encap knows, in declaration order.
pub fn all() -> impl Iterator<Item = &'static FieldDef> {
    ALL_FIELDS.iter().flat_map(|table| table.iter().copied())
}

/// The protocol a field belongs to by Wireshark's naming (`dns.qry.name` → dns),
/// so a visitor that needs a few fields can skip the other layers.
pub fn protocol_of(def: &FieldDef) -> Option<crate::proto::Protocol> {
    use crate::proto::Protocol;
    let abbrev = def.abbrev;
    let prefix = abbrev.split('.').next()?;
    match prefix {
        "_ws" => Some(Protocol::Frame),
        "ipv6" if abbrev.starts_with("ipv6.hopopts") => Some(Protocol::Ipv6HopOpts),
        "ipv6" if abbrev.starts_with("ipv6.routing") => Some(Protocol::Ipv6Routing),
        "ipv6" if abbrev.starts_with("ipv6.fraghdr") => Some(Protocol::Ipv6Fragment),
        "ipv6" if abbrev.starts_with("ipv6.dstopts") => Some(Protocol::Ipv6DstOpts),
        p => Protocol::from_short_name(p),
    }
}

/// The field with that abbreviation (`ip.src`), if encap knows it.
pub fn lookup(abbrev: &str) -> Option<&'static FieldDef> {
    all().find(|f| f.abbrev == abbrev)
}

#[cfg(test)]
mod test {
    extern crate std;

    #[test]
    fn test_abbrevs_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for f in super::all() {
            assert!(seen.insert(f.abbrev), "{} declared twice", f.abbrev);
        }
    }

    #[test]
    fn test_lookup() {
        assert_eq!(super::lookup("ip.src").unwrap().name, "Source Address");
        assert!(super::lookup("ip.srcx").is_none());
    }
}

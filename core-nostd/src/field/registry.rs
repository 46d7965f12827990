//! Looking fields up by their Wireshark abbreviation.

use super::FieldDef;
use crate::dissectors::ALL_FIELDS;

/// Every field encap knows, in declaration order.
pub fn all() -> impl Iterator<Item = &'static FieldDef> {
    ALL_FIELDS.iter().flat_map(|table| table.iter().copied())
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

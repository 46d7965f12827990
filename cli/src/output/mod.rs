//! Output formats of `encap read` (and later `encap watch`).

pub mod colour;
pub mod fields;
pub mod hex;
pub mod json;
pub mod layers;
pub mod line;
pub mod tree;

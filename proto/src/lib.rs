//! The encap APIs, generated from `proto/encap/**/*.proto`: the `encap.v1` gRPC
//! API (messages, tonic clients and servers, and the descriptor set for server
//! reflection; feature `grpc`, on by default) and the `encap.uplink.v1` agent
//! messages (prost only, so `no_std` with `alloc` for the board).
//! Generated code, and the codec its gRPC services use ([`codec`]).

#![cfg_attr(not(feature = "grpc"), no_std)]

extern crate alloc;

pub mod batch;
mod encode;
mod read;

#[cfg(feature = "grpc")]
pub mod codec;
#[cfg(feature = "grpc")]
pub mod packets;
#[cfg(feature = "grpc")]
pub mod rows;

/// Package `encap.v1`: the gRPC API users and tools call.
#[cfg(feature = "grpc")]
pub mod v1 {
    #![allow(missing_docs, missing_debug_implementations, clippy::all)]
    tonic::include_proto!("encap.v1");
    pub use crate::packets::Packets;
}

/// Package `encap.uplink.v1`: what agents and the service say over the uplink.
pub mod uplink {
    #![allow(missing_docs, missing_debug_implementations, clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/encap.uplink.v1.rs"));
}

/// The encoded `FileDescriptorSet` of every encap file, for reflection.
#[cfg(feature = "grpc")]
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("encap_descriptor");

#[cfg(all(test, feature = "grpc"))]
mod tests {
    use prost::Message;

    #[test]
    fn descriptor_set_names_the_accounts_service() {
        let set = prost_types::FileDescriptorSet::decode(super::FILE_DESCRIPTOR_SET).unwrap();
        let accounts = set
            .file
            .iter()
            .find(|f| f.package() == "encap.v1" && f.name() == "encap/v1/accounts.proto")
            .unwrap();
        let service = &accounts.service[0];
        assert_eq!(service.name(), "Accounts");
        let methods: Vec<_> = service.method.iter().map(|m| m.name()).collect();
        assert_eq!(
            methods,
            [
                "Register",
                "Confirm",
                "ResendConfirmation",
                "Login",
                "Logout",
                "WhoAmI"
            ]
        );
        // Comments are kept, so `grpcurl describe` shows them.
        assert!(accounts.source_code_info.is_some());
    }
}

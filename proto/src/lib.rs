//! The `encap.v1` API: messages, the tonic clients and servers generated from
//! `proto/encap/v1/*.proto`, and the encoded descriptor set for server reflection.
//! Generated code only; no logic lives here.

/// Package `encap.v1`.
pub mod v1 {
    #![allow(missing_docs, missing_debug_implementations, clippy::all)]
    tonic::include_proto!("encap.v1");
}

/// The encoded `FileDescriptorSet` of every `encap.v1` file, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("encap_descriptor");

#[cfg(test)]
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

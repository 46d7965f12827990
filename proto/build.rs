//! Compiles `encap/v1/*.proto` with protox (pure Rust, no system protoc) and
//! writes the descriptor set that server reflection serves.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "encap/v1/accounts.proto",
    "encap/v1/capture.proto",
    "encap/uplink/v1/uplink.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // tonic-prost-build does not print these itself.
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["."])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("encap_descriptor.bin"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .codec_path("crate::codec::SliceCodec")
        // Decoded from a shared buffer, a batch's frames are slices of it.
        .bytes(".encap.uplink.v1.Record.data")
        // Written by hand, so the service can send rows it encoded itself.
        .extern_path(".encap.v1.Packets", "crate::packets::Packets")
        .compile_fds(descriptors)?;
    Ok(())
}

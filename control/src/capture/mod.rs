//! Live capture: agents connect to the ingest listener, the service
//! re-dissects their frames and fans them out to Watch streams.

pub mod hub;
pub mod incoming;
pub mod ingest;
pub mod render;
pub mod service;

pub use hub::Hub;
pub use ingest::Ingest;
pub use service::CaptureService;

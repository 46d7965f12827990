//! Reaching the service: `--server` (or ENCAP_SERVER), plaintext for
//! `http://`, TLS for `https://` (trusting `--ca-cert` when given).

use std::path::Path;
use std::time::Duration;

use encap_proto::v1::accounts_client::AccountsClient;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// `host:port` becomes `http://host:port`; the scheme must be http or https.
pub fn normalize_server(server: &str) -> Result<String, String> {
    let server = server.trim_end_matches('/');
    let url = if server.contains("://") {
        server.to_string()
    } else {
        format!("http://{server}")
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "--server {server:?}: use http://HOST:PORT or https://HOST:PORT"
        ));
    }
    Ok(url)
}

pub async fn accounts(
    server: &str,
    ca_cert: Option<&Path>,
) -> Result<AccountsClient<Channel>, String> {
    Ok(AccountsClient::new(channel(server, ca_cert).await?))
}

pub(crate) async fn channel(server: &str, ca_cert: Option<&Path>) -> Result<Channel, String> {
    let mut endpoint = Endpoint::from_shared(server.to_string())
        .map_err(|e| format!("--server {server:?} is not a URL: {e}"))?
        .connect_timeout(Duration::from_secs(5))
        // Live streams: large HTTP/2 windows so the service is not held back.
        .initial_stream_window_size(Some(4 * 1024 * 1024))
        .initial_connection_window_size(Some(16 * 1024 * 1024));
    if server.starts_with("https://") {
        let mut tls = ClientTlsConfig::new();
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read --ca-cert {}: {e}", path.display()))?;
            tls = tls.ca_certificate(Certificate::from_pem(pem));
        }
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| format!("TLS for {server}: {e}"))?;
    }
    endpoint.connect().await.map_err(|e| {
        let why = source_chain(&e);
        let hint = if why.contains("certificate") {
            "trust the service's CA with --ca-cert PEM"
        } else {
            "is encap-control running? set --server or ENCAP_SERVER"
        };
        format!("cannot reach the encap service at {server}: {why} ({hint})")
    })
}

/// "transport error: tcp connect error: Connection refused" from nested sources.
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn servers() {
        use super::normalize_server;
        assert_eq!(
            normalize_server("127.0.0.1:50051").unwrap(),
            "http://127.0.0.1:50051"
        );
        assert_eq!(normalize_server("https://h:443/").unwrap(), "https://h:443");
        assert!(
            normalize_server("ftp://h")
                .unwrap_err()
                .contains("http://HOST:PORT")
        );
    }
}

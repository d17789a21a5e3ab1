//! One HTTPS client for the whole run. Left to itself, every SDK client
//! (one per account for IAM, one per AssumeRole for STS) builds its own,
//! with its own connection pool and TLS setup: hundreds of sockets and
//! handshakes for an organization of hundreds of accounts. Shared, the
//! connections are reused across accounts, and the open ones are bounded
//! by the calls in flight (`--parallelism`), not by the accounts.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// The SDK's default client (rustls with aws-lc, the proxy from the
/// environment), made once.
pub fn shared_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

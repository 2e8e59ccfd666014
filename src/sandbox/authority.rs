//! The sandbox's own certificate authority: generated at start, trusted by the wizard only
//! where an endpoint set names it.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server certificate and its key, as PEM (for servers configured by files).
pub struct IssuedPem {
    pub cert: String,
    pub key: String,
}

impl Authority {
    pub fn generate() -> Result<Authority, String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "m365-mail-wizard sandbox CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(|e| e.to_string())?;
        Ok(Authority { issuer })
    }

    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    fn issue(&self, names: &[&str]) -> Result<(rcgen::Certificate, KeyPair), String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).map_err(|e| e.to_string())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "m365-mail-wizard sandbox mail");
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| e.to_string())?;
        Ok((cert, key))
    }

    pub fn issue_pem(&self, names: &[&str]) -> Result<IssuedPem, String> {
        let (cert, key) = self.issue(names)?;
        Ok(IssuedPem {
            cert: format!("{}{}", cert.pem(), self.issuer.pem()),
            key: key.serialize_pem(),
        })
    }

    /// A TLS server configuration for loopback names.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, String> {
        let (cert, key) = self.issue(&["127.0.0.1", "localhost", "::1"])?;
        let chain = vec![cert.der().clone(), CertificateDer::clone(self.issuer.der())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|e| e.to_string())?;
        Ok(Arc::new(config))
    }
}

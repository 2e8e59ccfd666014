use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The national clouds of REFERENCE.md section 2, plus endpoints read from a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloudKind {
    Global,
    GccHigh,
    Dod,
    China,
    Custom,
}

impl CloudKind {
    pub const NAMED: [CloudKind; 4] = [
        CloudKind::Global,
        CloudKind::GccHigh,
        CloudKind::Dod,
        CloudKind::China,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CloudKind::Global => "global",
            CloudKind::GccHigh => "gcc-high",
            CloudKind::Dod => "dod",
            CloudKind::China => "china",
            CloudKind::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CloudKind::Global => "Global (commercial and GCC)",
            CloudKind::GccHigh => "US Government GCC High",
            CloudKind::Dod => "US Government DoD",
            CloudKind::China => "China (operated by 21Vianet)",
            CloudKind::Custom => "Custom endpoints",
        }
    }
}

impl CloudKind {
    /// The national cloud a tenant lives in, from its discovery document's
    /// `cloud_instance_name` and `tenant_region_sub_scope`. GCC (moderate) tenants live in the
    /// global cloud. Telling DoD (`DOD`) from GCC High (`DODCON`) by the sub-scope follows
    /// Microsoft's national-cloud documentation; it is not confirmed against a live tenant.
    pub fn detect(cloud_instance: &str, region_sub_scope: &str) -> Option<CloudKind> {
        match cloud_instance.to_ascii_lowercase().as_str() {
            "microsoftonline.com" => Some(CloudKind::Global),
            "microsoftonline.us" if region_sub_scope.eq_ignore_ascii_case("DOD") => {
                Some(CloudKind::Dod)
            }
            "microsoftonline.us" => Some(CloudKind::GccHigh),
            "partner.microsoftonline.cn" => Some(CloudKind::China),
            _ => None,
        }
    }
}

impl FromStr for CloudKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        CloudKind::NAMED
            .into_iter()
            .find(|k| k.key() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "unknown cloud \"{s}\": use global, gcc-high, dod or china, or --cloud-file"
                )
            })
    }
}

/// Where each service lives. `*_resource` is the token audience (used in the scope),
/// which is not always where the service is called.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub name: String,
    pub login: String,
    pub graph: String,
    pub graph_resource: String,
    pub exchange: String,
    pub exchange_resource: String,
    pub imap: String,
    pub pop: String,
    pub smtp: String,
    pub portal: String,
    /// PEM certificate of the only authority trusted for the mail endpoints (imap, pop, smtp).
    /// Only a sandbox or a custom cloud names one; named clouds trust the public roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_ca: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("{field} = \"{value}\" is not a URL: write it as https://host[/path]")]
    NotUrl { field: &'static str, value: String },
    #[error(
        "{field} = \"{value}\" uses plain http to a host that is not this machine: use https (plain http is allowed only for 127.0.0.1, ::1 or localhost)"
    )]
    PlainHttp { field: &'static str, value: String },
    #[error("{field} = \"{value}\": {message}")]
    NotHostPort {
        field: &'static str,
        value: String,
        message: String,
    },
    #[error("cloud file {path}: {message}")]
    File { path: String, message: String },
}

impl Endpoints {
    pub fn named(kind: CloudKind) -> Option<Endpoints> {
        let (login, graph, exchange, smtp, portal) = match kind {
            CloudKind::Global => (
                "login.microsoftonline.com",
                "graph.microsoft.com",
                "outlook.office365.com",
                "smtp.office365.com",
                "portal.azure.com",
            ),
            CloudKind::GccHigh => (
                "login.microsoftonline.us",
                "graph.microsoft.us",
                "outlook.office365.us",
                "smtp.office365.us",
                "portal.azure.us",
            ),
            CloudKind::Dod => (
                "login.microsoftonline.us",
                "dod-graph.microsoft.us",
                "outlook-dod.office365.us",
                "outlook-dod.office365.us",
                "portal.azure.us",
            ),
            CloudKind::China => (
                "login.chinacloudapi.cn",
                "microsoftgraph.chinacloudapi.cn",
                "partner.outlook.cn",
                "smtp.partner.outlook.cn",
                "portal.azure.cn",
            ),
            CloudKind::Custom => return None,
        };
        Some(Endpoints {
            name: kind.key().into(),
            login: format!("https://{login}"),
            graph: format!("https://{graph}"),
            graph_resource: format!("https://{graph}"),
            exchange: format!("https://{exchange}"),
            exchange_resource: format!("https://{exchange}"),
            imap: format!("{exchange}:993"),
            pop: format!("{exchange}:995"),
            smtp: format!("{smtp}:587"),
            portal: format!("https://{portal}"),
            mail_ca: None,
        })
    }

    /// Reads a custom endpoint set (TOML, the fields of this struct).
    pub fn from_toml(path: &str, text: &str) -> Result<Endpoints, EndpointError> {
        let e: Endpoints = toml::from_str(text).map_err(|err| EndpointError::File {
            path: path.into(),
            message: err.to_string().trim().replace('\n', " "),
        })?;
        e.validate()?;
        Ok(e)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    pub fn validate(&self) -> Result<(), EndpointError> {
        for (field, value) in [
            ("login", &self.login),
            ("graph", &self.graph),
            ("exchange", &self.exchange),
        ] {
            check_url(field, value)?;
        }
        for (field, value) in [
            ("imap", &self.imap),
            ("pop", &self.pop),
            ("smtp", &self.smtp),
        ] {
            host_port(value).map_err(|message| EndpointError::NotHostPort {
                field,
                value: value.clone(),
                message,
            })?;
        }
        Ok(())
    }

    pub fn token_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/oauth2/v2.0/token",
            self.login.trim_end_matches('/')
        )
    }

    pub fn discovery_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            self.login.trim_end_matches('/')
        )
    }

    pub fn exchange_scope(&self) -> String {
        format!("{}/.default", self.exchange_resource.trim_end_matches('/'))
    }

    /// Whether `url` is on this cloud's Exchange host or a tenant-specific host under it
    /// (`outlook.office365.com`, `*.outlook.office365.com`), by the same scheme and port: the
    /// only places an Exchange administrator's token may follow a redirect to.
    pub fn is_exchange_host(&self, url: &Url) -> bool {
        let Ok(base) = Url::parse(&self.exchange) else {
            return false;
        };
        let (Some(home), Some(host)) = (base.host_str(), url.host_str()) else {
            return false;
        };
        let (home, host) = (home.to_ascii_lowercase(), host.to_ascii_lowercase());
        url.scheme() == base.scheme()
            && url.port_or_known_default() == base.port_or_known_default()
            && (host == home || host.ends_with(&format!(".{home}")))
    }

    /// The hosts [`Endpoints::is_exchange_host`] accepts, in words.
    pub fn exchange_hosts(&self) -> String {
        let home = Url::parse(&self.exchange)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        format!("{home} or *.{home}")
    }

    pub fn ews_url(&self) -> String {
        format!("{}/EWS/Exchange.asmx", self.exchange.trim_end_matches('/'))
    }

    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.graph_resource.trim_end_matches('/'))
    }

    pub fn graph_v1(&self) -> String {
        format!("{}/v1.0", self.graph.trim_end_matches('/'))
    }
}

/// Splits `host:port` (or `[v6]:port`) of a mail endpoint.
pub fn host_port(s: &str) -> Result<(String, u16), String> {
    let s = s.trim();
    let (host, port) = s.rsplit_once(':').ok_or_else(|| {
        "write it as host:port, for example outlook.office365.com:993".to_string()
    })?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
        return Err(format!(
            "\"{host}\" is not a host name: write it as host:port, for example outlook.office365.com:993"
        ));
    }
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("\"{port}\" is not a port number (1-65535)"))?;
    Ok((host.to_string(), port))
}

/// True for hosts on this machine, the only ones plain http may reach.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Refuses anything but https, except http to loopback.
pub fn check_url(field: &'static str, value: &str) -> Result<(), EndpointError> {
    let url = Url::parse(value).map_err(|_| EndpointError::NotUrl {
        field,
        value: value.into(),
    })?;
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(()),
        "http" if url.host_str().map(is_loopback_host).unwrap_or(false) => Ok(()),
        "http" => Err(EndpointError::PlainHttp {
            field,
            value: value.into(),
        }),
        _ => Err(EndpointError::NotUrl {
            field,
            value: value.into(),
        }),
    }
}

/// A cloud as stored in a profile: a named one, or a full custom endpoint set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cloud {
    pub kind: CloudKind,
    pub endpoints: Endpoints,
}

impl Cloud {
    pub fn named(kind: CloudKind) -> Cloud {
        let endpoints = Endpoints::named(kind)
            .unwrap_or_else(|| Endpoints::named(CloudKind::Global).expect("global"));
        Cloud { kind, endpoints }
    }

    pub fn custom(endpoints: Endpoints) -> Cloud {
        Cloud {
            kind: CloudKind::Custom,
            endpoints,
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CloudKind::Custom => write!(f, "custom ({})", self.endpoints.name),
            k => f.write_str(k.key()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_are_detected_from_discovery() {
        let docs = [
            (
                r#"{"issuer":"https://login.microsoftonline.com/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"microsoftonline.com","tenant_region_scope":"EU"}"#,
                Some(CloudKind::Global),
            ),
            (
                r#"{"issuer":"https://login.microsoftonline.com/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"microsoftonline.com","tenant_region_scope":"NA","tenant_region_sub_scope":"GCC"}"#,
                Some(CloudKind::Global),
            ),
            (
                r#"{"issuer":"https://login.microsoftonline.us/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"microsoftonline.us","tenant_region_scope":"USGov","tenant_region_sub_scope":"DODCON"}"#,
                Some(CloudKind::GccHigh),
            ),
            (
                r#"{"issuer":"https://login.microsoftonline.us/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"microsoftonline.us","tenant_region_scope":"USGov","tenant_region_sub_scope":"DOD"}"#,
                Some(CloudKind::Dod),
            ),
            (
                r#"{"issuer":"https://login.partner.microsoftonline.cn/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"partner.microsoftonline.cn"}"#,
                Some(CloudKind::China),
            ),
            (
                r#"{"issuer":"http://127.0.0.1:1/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/v2.0","cloud_instance_name":"sandbox.invalid"}"#,
                None,
            ),
        ];
        for (doc, want) in docs {
            let info = crate::cloud::identity::parse_discovery(doc.as_bytes()).unwrap();
            assert_eq!(info.id.to_string(), "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
            assert_eq!(
                CloudKind::detect(&info.cloud_instance, &info.region_sub_scope),
                want,
                "{doc}"
            );
        }
        assert!(crate::cloud::identity::parse_discovery(b"{}").is_err());
    }

    #[test]
    fn mail_endpoints_are_host_and_port() {
        assert_eq!(
            host_port("outlook.office365.com:993").unwrap(),
            ("outlook.office365.com".to_string(), 993)
        );
        assert_eq!(host_port("[::1]:1143").unwrap(), ("::1".to_string(), 1143));
        assert!(
            host_port("outlook.office365.com")
                .unwrap_err()
                .contains("host:port")
        );
        assert!(host_port("imap.example:0").unwrap_err().contains("port"));
        assert!(host_port("https://x:993").is_err());
        for k in CloudKind::NAMED {
            Endpoints::named(k).unwrap().validate().unwrap();
        }
    }

    #[test]
    fn named_clouds_match_the_reference() {
        let g = Endpoints::named(CloudKind::Global).unwrap();
        assert_eq!(
            g.token_url("contoso.com"),
            "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token"
        );
        assert_eq!(g.graph_scope(), "https://graph.microsoft.com/.default");
        assert_eq!(g.smtp, "smtp.office365.com:587");
        let d = Endpoints::named(CloudKind::Dod).unwrap();
        assert_eq!(d.graph, "https://dod-graph.microsoft.us");
        assert_eq!(d.login, "https://login.microsoftonline.us");
        let c = Endpoints::named(CloudKind::China).unwrap();
        assert_eq!(c.graph, "https://microsoftgraph.chinacloudapi.cn");
        assert!(Endpoints::named(CloudKind::Custom).is_none());
    }

    #[test]
    fn exchange_hosts_are_the_clouds_own_and_its_tenant_hosts() {
        let g = Endpoints::named(CloudKind::Global).unwrap();
        let ok = |e: &Endpoints, u: &str| e.is_exchange_host(&Url::parse(u).unwrap());
        assert!(ok(
            &g,
            "https://outlook.office365.com/adminapi/beta/x/InvokeCommand"
        ));
        assert!(ok(
            &g,
            "https://EUR03.Outlook.Office365.com/adminapi/beta/x/InvokeCommand"
        ));
        assert!(ok(&g, "https://outlook.office365.com:443/x"));
        for foreign in [
            "https://outlook.office365.com.evil.example/x",
            "https://evil-outlook.office365.com/x",
            "https://outlook.office365.us/x",
            "http://outlook.office365.com/x",
            "https://outlook.office365.com:8443/x",
            "https://graph.microsoft.com/x",
        ] {
            assert!(!ok(&g, foreign), "{foreign}");
        }
        assert_eq!(
            g.exchange_hosts(),
            "outlook.office365.com or *.outlook.office365.com"
        );
        let c = Endpoints::named(CloudKind::China).unwrap();
        assert!(ok(&c, "https://tenant.partner.outlook.cn/x"));
        assert!(!ok(&c, "https://outlook.office365.com/x"));
        let mut local = g.clone();
        local.exchange = "http://127.0.0.1:4000".into();
        assert!(ok(&local, "http://127.0.0.1:4000/redirected/adminapi"));
        assert!(!ok(&local, "http://127.0.0.2:4000/adminapi"));
        assert!(!ok(&local, "http://127.0.0.1:4001/adminapi"));
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let outcome = |field, url| match check_url(field, url) {
            Ok(()) => "accepted",
            Err(EndpointError::PlainHttp { .. }) => "plain http",
            Err(EndpointError::NotUrl { .. }) => "not a URL",
            Err(_) => "refused otherwise",
        };
        for (field, url, expected) in [
            ("login", "http://127.0.0.1:8080", "accepted"),
            ("login", "http://[::1]:8080", "accepted"),
            ("login", "http://localhost/x", "accepted"),
            ("login", "http://login.example.com", "plain http"),
            ("login", "http://10.0.0.1", "plain http"),
            ("graph", "ftp://x", "not a URL"),
            ("graph", "graph.microsoft.com", "not a URL"),
        ] {
            assert_eq!(outcome(field, url), expected, "{url}");
        }
    }

    #[test]
    fn custom_file_round_trip_and_errors() {
        let mut e = Endpoints::named(CloudKind::Global).unwrap();
        e.name = "lab".into();
        e.login = "http://127.0.0.1:9000".into();
        let back = Endpoints::from_toml("lab.toml", &e.to_toml()).unwrap();
        assert_eq!(back, e);
        let err = Endpoints::from_toml("lab.toml", "name = 3")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cloud file lab.toml:"), "{err}");
        e.graph = "http://graph.evil.example".into();
        let err = Endpoints::from_toml("lab.toml", &e.to_toml()).unwrap_err();
        assert!(matches!(
            err,
            EndpointError::PlainHttp { field: "graph", .. }
        ));
    }
}

//! What a failed connection or an answer that is not the service's means.

use super::d;
use crate::cloud::error::{NetKind, NetworkError, transient_status};
use crate::model::Diagnosis;

pub(super) fn network(n: &NetworkError) -> Diagnosis {
    let host = &n.host;
    let (summary, cause, fix) = match n.kind {
        NetKind::Refused => (
            format!("Nothing answered at {host}."),
            "The connection was refused: the host is up but no service listens on that port, or a firewall rejects it.",
            "Check the cloud and endpoints chosen, and any proxy or firewall between this machine and Microsoft 365.",
        ),
        NetKind::Timeout => (
            format!("{host} did not answer in time."),
            "The network is down or slow, or a firewall drops the traffic silently.",
            "Check the network connection (and proxy settings) and run the check again.",
        ),
        NetKind::Dns => (
            format!("The name {host} could not be resolved."),
            "No DNS, no network, or a typo in a custom endpoint.",
            "Check the network connection and DNS; for a custom cloud, check the cloud file.",
        ),
        NetKind::Tls => (
            format!("The secure connection to {host} failed."),
            "The server's certificate was not trusted — often a TLS-inspecting proxy — or TLS could not be negotiated.",
            "If a proxy inspects TLS, exempt Microsoft 365's endpoints from inspection.",
        ),
        NetKind::Other => (
            format!("The request to {host} failed."),
            "A network error.",
            "Check the network and run the check again.",
        ),
    };
    d(summary, format!("{host}: {}", n.detail), cause, fix)
}

pub(super) fn unexpected(status: u16, detail: &str) -> Diagnosis {
    let evidence = format!("HTTP {status}: {detail}");
    if transient_status(status) {
        d(
            "The service is throttling or unavailable.",
            evidence,
            "Too many requests, or a passing outage; the wizard retried and gave up.",
            "Run the check again in a few minutes.",
        )
    } else {
        d(
            "The answer could not be understood.",
            evidence,
            "Something between this machine and Microsoft (a proxy or captive portal) answered instead, or the endpoint is not the one expected.",
            "Check the network path and, for a custom cloud, the endpoints in the cloud file.",
        )
    }
}

//! Turns an error answer into what a person needs: what failed, the evidence, the likely
//! cause and the fix. Pure: no I/O.

use super::error::{AadError, CloudError, GraphError, NetKind, NetworkError};

pub use crate::model::Diagnosis;

/// What was being attempted when the error came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Discovery,
    Token,
    MailboxRead,
    MailboxSend,
    MustBeDenied,
}

pub struct Context<'a> {
    pub stage: Stage,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub mailbox: Option<&'a str>,
    /// Portal base URL of the cloud in use.
    pub portal: &'a str,
}

fn d(
    summary: impl Into<String>,
    evidence: impl Into<String>,
    cause: impl Into<String>,
    fix: impl Into<String>,
) -> Diagnosis {
    Diagnosis {
        summary: summary.into(),
        evidence: evidence.into(),
        cause: cause.into(),
        fix: fix.into(),
    }
}

pub fn diagnose(err: &CloudError, ctx: &Context) -> Diagnosis {
    match err {
        CloudError::Aad(a) => aad(a, ctx),
        CloudError::Graph(g) => graph(g, ctx),
        CloudError::Network(n) => network(n),
        CloudError::Unexpected { status, detail } => unexpected(*status, detail),
    }
}

fn app_page(ctx: &Context) -> String {
    format!(
        "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/{}",
        ctx.portal.trim_end_matches('/'),
        ctx.client_id
    )
}

fn aad(a: &AadError, ctx: &Context) -> Diagnosis {
    let ev = a.short_description().to_string();
    let code = |c| a.has_code(c);
    if code(7000215) {
        d(
            "The client secret was refused.",
            ev,
            "The secret is wrong. Most often the Secret ID (a GUID) was copied instead of the secret's Value, or the Value was cut short when pasted.",
            format!(
                "In Entra admin center › App registrations › the app › Certificates & secrets, create a new client secret and copy its Value (shown only once), then store it again. App: {}",
                app_page(ctx)
            ),
        )
    } else if code(7000222) {
        d(
            "The client secret has expired.",
            ev,
            "Every secret of this app registration that was tried is past its expiry date.",
            "Run `m365-mail-wizard renew PROFILE` (an administrator signs in; the new secret is stored and proven), or `renew PROFILE --guided` to make it in the portal (Certificates & secrets › New client secret); then switch the consuming application to it.",
        )
    } else if code(700016) {
        d(
            "The tenant does not know this client ID.",
            ev,
            format!(
                "Either the client ID {} belongs to an app registered in another tenant, or the app's Object ID was copied instead of its Application (client) ID — the Overview page shows both.",
                ctx.client_id
            ),
            "Copy the \"Application (client) ID\" from the app's Overview page in Entra admin center › App registrations, and check that the tenant is the one the app was registered in.",
        )
    } else if code(90002) {
        d(
            format!("Tenant \"{}\" was not found.", ctx.tenant),
            ev,
            "The tenant ID or domain has a typo, the domain is not a verified domain of any tenant, or the tenant lives in another national cloud (GCC High, DoD, China).",
            "Check the tenant ID on Entra admin center › Overview (\"Tenant ID\"), or pick the cloud the tenant lives in.",
        )
    } else if code(900023) {
        d(
            format!("\"{}\" is not a tenant identifier.", ctx.tenant),
            ev,
            "A tenant is named by its GUID or by one of its verified domains; this is neither.",
            "Type the tenant ID (a GUID, from Entra admin center › Overview) or a verified domain such as contoso.onmicrosoft.com.",
        )
    } else if code(65001) {
        d(
            "Admin consent has not been granted.",
            ev,
            "The app's permissions were added but an administrator never granted consent for the tenant.",
            format!(
                "In Entra admin center › App registrations › the app › API permissions, press \"Grant admin consent for <tenant>\". App: {}",
                app_page(ctx)
            ),
        )
    } else if code(7000218) {
        d(
            "The token request carried no credential.",
            ev,
            "No client secret reached the token endpoint (it may be empty in the keyring), or the consuming tool uses a public-client flow that is not allowed for this app.",
            "Store the secret again. For tools that sign in without a secret, set \"Allow public client flows\" to Yes under Authentication.",
        )
    } else if code(500011) {
        d(
            "The resource is not available in this tenant.",
            ev,
            "The tenant has no service principal for the requested API — for example no Exchange Online licence, or the wrong national cloud.",
            "Check that the tenant has Exchange Online and that the cloud chosen matches the tenant.",
        )
    } else if code(700024) {
        d(
            "The client assertion is outside its valid time.",
            ev,
            "This machine's clock is off, or a certificate credential's assertion was built with the wrong times.",
            "Synchronise this machine's clock (NTP) and try again.",
        )
    } else if code(53003) {
        d(
            "Conditional Access blocked the sign-in.",
            ev,
            "A Conditional Access policy for workload identities applies to this app (for example a location restriction).",
            "In Entra admin center › Protection › Conditional Access, exclude this app's service principal or allow this network.",
        )
    } else {
        let stage = match ctx.stage {
            Stage::Discovery => "Looking up the tenant failed.",
            _ => "The token request was refused.",
        };
        d(
            stage,
            ev,
            format!("Microsoft answered \"{}\".", a.error),
            "Search the AADSTS code in the evidence on Microsoft's error-code page (login.microsoftonline.com/error) for the exact meaning.",
        )
    }
}

fn graph(g: &GraphError, ctx: &Context) -> Diagnosis {
    let mailbox = ctx.mailbox.unwrap_or("the mailbox");
    let ev = format!("HTTP {} {}: {}", g.status, g.code, g.message);
    let raop = g.message.contains("RAOP") || g.message.contains("Access to OData is disabled");
    match (g.status, g.code.as_str()) {
        (403, _) if raop => d(
            format!("{mailbox} is outside the app's scope."),
            ev,
            "An Application Access Policy (or RBAC for Applications scope) in Exchange Online limits this app, and this mailbox is not in the allowed group.",
            format!(
                "If {mailbox} should be reachable, add it to the policy's mail-enabled security group: Add-DistributionGroupMember -Identity <group> -Member {mailbox}; then check with Test-ApplicationAccessPolicy -Identity {mailbox} -AppId {}. Changes can take up to an hour to apply.",
                ctx.client_id
            ),
        ),
        (403, _) => d(
            format!("The app may not access {mailbox}."),
            ev,
            match ctx.stage {
                Stage::MailboxSend => {
                    "The token has no Mail.Send role: the permission is missing or admin consent was not granted."
                }
                _ => {
                    "The token has no mail role: the application permission (Mail.Read or Mail.ReadWrite on Microsoft Graph) is missing, was added as Delegated, or admin consent was not granted."
                }
            },
            "In Entra admin center › App registrations › the app › API permissions, add the Microsoft Graph *application* permission and press \"Grant admin consent\".",
        ),
        (404, "ErrorInvalidUser")
        | (404, "Request_ResourceNotFound")
        | (404, "ResourceNotFound") => d(
            format!("{mailbox} does not exist in this tenant."),
            ev,
            "The address has a typo, belongs to another tenant, or is a user without an Exchange Online mailbox (no licence).",
            "Check the address in Exchange admin center › Recipients › Mailboxes and use the mailbox's primary SMTP address.",
        ),
        (401, _) => d(
            "Graph refused the access token.",
            ev,
            "The token was issued for another audience or cloud, or expired in transit.",
            "Check that the cloud chosen matches the tenant; the scope must be the Graph of that cloud.",
        ),
        (429, _) => d(
            "Graph is throttling this app.",
            ev,
            "Too many requests in a short time; the wizard retried and gave up.",
            "Wait a minute and run the check again.",
        ),
        (s, _) if s >= 500 => d(
            "Graph is unavailable.",
            ev,
            "A passing outage on Microsoft's side.",
            "Run the check again in a few minutes; see the Microsoft 365 service health page if it lasts.",
        ),
        _ => d(
            "Graph refused the request.",
            ev,
            format!("Graph answered {}.", g.code),
            "Read the evidence; if it persists, run the same call in Graph Explorer to compare.",
        ),
    }
}

fn network(n: &NetworkError) -> Diagnosis {
    let ev = format!("{}: {}", n.host, n.detail);
    match n.kind {
        NetKind::Refused => d(
            format!("Nothing answered at {}.", n.host),
            ev,
            "The connection was refused: the host is up but no service listens on that port, or a firewall rejects it.",
            "Check the cloud and endpoints chosen, and any proxy or firewall between this machine and Microsoft 365.",
        ),
        NetKind::Timeout => d(
            format!("{} did not answer in time.", n.host),
            ev,
            "The network is down or slow, or a firewall drops the traffic silently.",
            "Check the network connection (and proxy settings) and run the check again.",
        ),
        NetKind::Dns => d(
            format!("The name {} could not be resolved.", n.host),
            ev,
            "No DNS, no network, or a typo in a custom endpoint.",
            "Check the network connection and DNS; for a custom cloud, check the cloud file.",
        ),
        NetKind::Tls => d(
            format!("The secure connection to {} failed.", n.host),
            ev,
            "The server's certificate was not trusted — often a TLS-inspecting proxy — or TLS could not be negotiated.",
            "If a proxy inspects TLS, exempt Microsoft 365's endpoints from inspection.",
        ),
        NetKind::Other => d(
            format!("The request to {} failed.", n.host),
            ev,
            "A network error.",
            "Check the network and run the check again.",
        ),
    }
}

fn unexpected(status: u16, detail: &str) -> Diagnosis {
    if matches!(status, 429 | 502 | 503 | 504) {
        d(
            "The service is throttling or unavailable.",
            format!("HTTP {status}: {detail}"),
            "Too many requests, or a passing outage; the wizard retried and gave up.",
            "Run the check again in a few minutes.",
        )
    } else {
        d(
            "The answer could not be understood.",
            format!("HTTP {status}: {detail}"),
            "Something between this machine and Microsoft (a proxy or captive portal) answered instead, or the endpoint is not the one expected.",
            "Check the network path and, for a custom cloud, the endpoints in the cloud file.",
        )
    }
}

/// The token was issued but lacks roles the access choice needs.
pub fn missing_roles(have: &[String], missing: &[String], resource_name: &str) -> Diagnosis {
    let have_text = if have.is_empty() {
        "the token carries no roles at all".to_string()
    } else {
        format!("the token carries roles: {}", have.join(", "))
    };
    d(
        format!("Missing application permission: {}.", missing.join(", ")),
        format!("Token issued; {have_text}."),
        if have.is_empty() {
            format!(
                "Admin consent was never granted, or the permissions were added as Delegated instead of Application, or on another API than {resource_name}."
            )
        } else {
            format!(
                "The permission was not added (as an Application permission on {resource_name}) or not consented."
            )
        },
        format!(
            "In Entra admin center › App registrations › the app › API permissions: Add a permission › {resource_name} › Application permissions › {}; then \"Grant admin consent\". Consent can take a few minutes to show in new tokens.",
            missing.join(", ")
        ),
    )
}

/// The mailbox that must be out of reach was reachable.
/// `evidence`: what reached the mailbox, e.g. the Graph call and its status.
pub fn not_denied(mailbox: &str, client_id: &str, evidence: &str) -> Diagnosis {
    d(
        format!("{mailbox} is reachable, but it should be out of the app's reach."),
        format!("{evidence}."),
        "The application permission reaches every mailbox in the tenant: no Application Access Policy or RBAC for Applications scope restricts it (or a change has not applied yet — it can take an hour).",
        format!(
            "Restrict the app to a mail-enabled security group: New-ApplicationAccessPolicy -AppId {client_id} -PolicyScopeGroupId <group> -AccessRight RestrictAccess -Description \"m365-mail-wizard scope\" (legacy), or use RBAC for Applications (New-ManagementScope + New-ManagementRoleAssignment) and remove the tenant-wide Graph permission."
        ),
    )
}

/// Discovery says the tenant lives in another cloud than the one chosen.
pub fn wrong_cloud(found: &str, chosen: &str) -> Diagnosis {
    d(
        "The tenant lives in another national cloud.",
        format!("Discovery says cloud_instance_name = {found}; the cloud chosen expects {chosen}."),
        "Tokens and endpoints are not interchangeable between clouds.",
        "Go back and choose the cloud the tenant lives in (GCC High and DoD use microsoftonline.us, China uses chinacloudapi.cn).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(stage: Stage) -> Context<'static> {
        Context {
            stage,
            tenant: "contoso.example",
            client_id: "a1f5c0de-0001-4000-8000-00000000c001",
            mailbox: Some("alice@contoso.example"),
            portal: "https://portal.azure.com",
        }
    }

    fn aad_err(code: u32) -> CloudError {
        CloudError::Aad(AadError {
            status: 400,
            error: "invalid_client".into(),
            codes: vec![code],
            description: format!("AADSTS{code}: text. Trace ID: x"),
        })
    }

    #[test]
    fn every_reference_code_has_its_own_diagnosis() {
        let codes = [
            7000215, 7000222, 700016, 90002, 900023, 65001, 7000218, 500011, 700024, 53003,
        ];
        let mut summaries = std::collections::HashSet::new();
        for code in codes {
            let dg = diagnose(&aad_err(code), &ctx(Stage::Token));
            assert!(dg.evidence.contains(&format!("AADSTS{code}")), "{code}");
            assert!(!dg.fix.is_empty() && !dg.cause.is_empty());
            assert!(
                summaries.insert(dg.summary.clone()),
                "{code} shares a summary"
            );
        }
        let generic = diagnose(&aad_err(1234567), &ctx(Stage::Token));
        assert!(!summaries.contains(&generic.summary));
    }

    #[test]
    fn the_classic_mix_ups_are_named() {
        assert!(
            diagnose(&aad_err(7000215), &ctx(Stage::Token))
                .cause
                .contains("Secret ID")
        );
        assert!(
            diagnose(&aad_err(700016), &ctx(Stage::Token))
                .cause
                .contains("Object ID")
        );
        assert!(
            diagnose(&aad_err(90002), &ctx(Stage::Discovery))
                .cause
                .contains("national cloud")
        );
    }

    #[test]
    fn graph_answers() {
        let g = |status, code: &str, message: &str| {
            CloudError::Graph(GraphError {
                status,
                code: code.into(),
                message: message.into(),
            })
        };
        let raop = diagnose(
            &g(
                403,
                "ErrorAccessDenied",
                "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
            ),
            &ctx(Stage::MailboxRead),
        );
        assert!(raop.summary.contains("outside the app's scope"));
        assert!(
            raop.fix
                .contains("Test-ApplicationAccessPolicy -Identity alice@contoso.example")
        );
        let role = diagnose(
            &g(403, "ErrorAccessDenied", "Access is denied."),
            &ctx(Stage::MailboxRead),
        );
        assert!(role.cause.contains("admin consent"));
        let send = diagnose(
            &g(403, "ErrorAccessDenied", "Access is denied."),
            &ctx(Stage::MailboxSend),
        );
        assert!(send.cause.contains("Mail.Send"));
        let missing = diagnose(
            &g(
                404,
                "ErrorInvalidUser",
                "The requested user 'x' is invalid.",
            ),
            &ctx(Stage::MailboxRead),
        );
        assert!(missing.summary.contains("does not exist"));
        assert!(
            diagnose(&g(503, "x", "y"), &ctx(Stage::MailboxRead))
                .summary
                .contains("unavailable")
        );
    }

    #[test]
    fn network_failures() {
        let n = |kind| {
            CloudError::Network(NetworkError {
                kind,
                host: "127.0.0.1:9".into(),
                detail: "error".into(),
            })
        };
        assert!(
            diagnose(&n(NetKind::Refused), &ctx(Stage::Token))
                .summary
                .starts_with("Nothing answered")
        );
        assert!(
            diagnose(&n(NetKind::Timeout), &ctx(Stage::Token))
                .summary
                .contains("in time")
        );
        assert!(
            diagnose(&n(NetKind::Dns), &ctx(Stage::Token))
                .summary
                .contains("resolved")
        );
        assert!(
            diagnose(&n(NetKind::Tls), &ctx(Stage::Token))
                .summary
                .contains("secure connection")
        );
    }

    #[test]
    fn role_and_scope_findings() {
        let none = missing_roles(&[], &["Mail.Read".into()], "Microsoft Graph");
        assert!(none.evidence.contains("no roles at all"));
        assert!(none.cause.contains("consent"));
        let some = missing_roles(
            &["Mail.Read".into()],
            &["Mail.Send".into()],
            "Microsoft Graph",
        );
        assert!(some.evidence.contains("Mail.Read"));
        assert!(some.fix.contains("Mail.Send"));
        assert!(
            not_denied("ceo@contoso.example", "id", "IMAP: EXAMINE INBOX succeeded")
                .fix
                .contains("New-ApplicationAccessPolicy -AppId id")
        );
        assert!(
            wrong_cloud("microsoftonline.us", "microsoftonline.com")
                .evidence
                .contains("microsoftonline.us")
        );
    }
}

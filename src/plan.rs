//! What a setup will do, step by step, before anything is changed: each step's Graph call,
//! its Microsoft Graph PowerShell equivalent, what it changes, and the portal instructions for
//! doing it by hand. Pure.

use serde::Serialize;
use serde_json::{Value, json};

use crate::catalog::{Resource, catalog};
use crate::model::AccessChoice;
use crate::scope::{self, ScopeSpec};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Look up Microsoft Graph's / Exchange Online's service principals and their role ids.
    Resolve,
    /// One Exchange Online step of the mailbox scope (`permission` holds its key).
    Exchange,
    /// The service's own test of the scope, per mailbox.
    ExchangeTest,
    CreateApp,
    CreateServicePrincipal,
    AddSecret,
    /// Admin consent for one application permission.
    Consent,
    /// Tenant-wide admin consent for the delegated permissions (the delegated style).
    DelegatedConsent,
    /// Sign in as the app and read the roles in its token.
    Verify,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub kind: StepKind,
    pub title: String,
    /// The Graph call, as `METHOD path` plus the body's gist.
    pub graph: String,
    pub powershell: String,
    pub changes: String,
    /// Numbered portal instructions for the guided path.
    pub portal: Vec<String>,
    /// For consent steps: the resource (catalog key) and the permission.
    pub resource: Option<String>,
    pub permission: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupAnswers {
    pub app_name: String,
    pub access: Vec<AccessChoice>,
    pub secret_months: u32,
    /// Portal base URL of the cloud in use.
    pub portal: String,
    /// "Allow public client flows", which some delegated-style tools need.
    pub public_client: bool,
    /// The Exchange Online part; none leaves mailbox scoping alone.
    pub scope: Option<ScopeSpec>,
}

impl SetupAnswers {
    /// Application permissions left out of Entra because the scope grants them instead.
    pub fn omitted(&self) -> Vec<String> {
        self.scope
            .as_ref()
            .map(|s| scope::omitted(s.kind, &self.access))
            .unwrap_or_default()
    }
}

/// The lifetimes the portal offers, in months; 6 is what it recommends.
pub const SECRET_MONTHS: [u32; 5] = [3, 6, 12, 18, 24];

/// What one resource must grant: application roles and delegated scopes, by name.
pub struct Needs {
    pub resource: &'static Resource,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
}

/// Every resource these choices need something from, in catalog order, names deduplicated;
/// application roles named in `omit` left out.
pub fn needs(access: &[AccessChoice], omit: &[String]) -> Vec<Needs> {
    let c = catalog();
    c.resources
        .iter()
        .filter_map(|r| {
            let mut roles: Vec<String> = Vec::new();
            let mut scopes: Vec<String> = Vec::new();
            for req in c.roles_needed(&r.key, access) {
                for (from, into, is_role) in [
                    (&req.roles, &mut roles, true),
                    (&req.scopes, &mut scopes, false),
                ] {
                    for n in from {
                        if !(into.contains(n) || is_role && omit.contains(n)) {
                            into.push(n.clone());
                        }
                    }
                }
            }
            (!roles.is_empty() || !scopes.is_empty()).then_some(Needs {
                resource: r,
                roles,
                scopes,
            })
        })
        .collect()
}

/// Application permissions per resource: (resource, [names]).
pub fn permissions(
    access: &[AccessChoice],
    omit: &[String],
) -> Vec<(&'static Resource, Vec<String>)> {
    needs(access, omit)
        .into_iter()
        .filter(|n| !n.roles.is_empty())
        .map(|n| (n.resource, n.roles))
        .collect()
}

/// Delegated permissions of the delegated style, with their resource.
pub fn delegated(access: &[AccessChoice]) -> Option<(&'static Resource, Vec<String>)> {
    needs(access, &[])
        .into_iter()
        .find(|n| !n.scopes.is_empty())
        .map(|n| (n.resource, n.scopes))
}

/// `requiredResourceAccess` for the choices, with ids from `id_of(resource, name, is_role)`
/// (resolved at run time, or the catalog's). No `User.Read` unless the delegated style asks for
/// it: an app-only daemon does not need it.
pub fn required_resource_access(
    access: &[AccessChoice],
    omit: &[String],
    id_of: impl Fn(&Resource, &str, bool) -> Option<String>,
) -> Value {
    let entries: Vec<Value> = needs(access, omit)
        .into_iter()
        .map(|n| {
            let roles = n
                .roles
                .iter()
                .filter_map(|x| id_of(n.resource, x, true))
                .map(|id| json!({ "id": id, "type": "Role" }));
            let scopes = n
                .scopes
                .iter()
                .filter_map(|x| id_of(n.resource, x, false))
                .map(|id| json!({ "id": id, "type": "Scope" }));
            let all: Vec<Value> = roles.chain(scopes).collect();
            json!({ "resourceAppId": n.resource.app_id, "resourceAccess": all })
        })
        .collect();
    Value::Array(entries)
}

fn end_date_ps(months: u32) -> String {
    format!("(Get-Date).AddMonths({months})")
}

pub fn plan(a: &SetupAnswers) -> Vec<PlanStep> {
    let portal = a.portal.trim_end_matches('/');
    let omit = a.omitted();
    let perms = permissions(&a.access, &omit);
    let all = needs(&a.access, &omit);
    let name = &a.app_name;
    let resources: Vec<&str> = all.iter().map(|n| n.resource.name.as_str()).collect();
    let app_ids: Vec<String> = all
        .iter()
        .map(|n| format!("'{}'", n.resource.app_id))
        .collect();
    let delegated = delegated(&a.access);
    let mut steps = vec![
        PlanStep {
            kind: StepKind::Resolve,
            title: if all.is_empty() {
                "No Entra permission to look up: the Exchange role assignment grants the access".into()
            } else {
                format!("Look up the permission ids of {}", resources.join(" and "))
            },
            graph: if all.is_empty() {
                "none".into()
            } else {
                format!(
                    "GET /servicePrincipals?$filter=appId eq {}",
                    app_ids.join(" / ")
                )
            },
            powershell: if all.is_empty() {
                "none".into()
            } else {
                all.iter()
                    .map(|n| format!("Get-MgServicePrincipal -Filter \"appId eq '{}'\"", n.resource.app_id))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            changes: "nothing (read only)".into(),
            portal: vec![],
            resource: None,
            permission: None,
        },
        PlanStep {
            kind: StepKind::CreateApp,
            title: format!("Register the application \"{name}\" (this tenant only)"),
            graph: format!(
                "POST /applications {{displayName: \"{name}\", signInAudience: AzureADMyOrg, requiredResourceAccess: {}}}",
                perms
                    .iter()
                    .map(|(r, n)| format!("{} {}", r.name, n.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            powershell: format!(
                "$app = New-MgApplication -DisplayName '{name}' -SignInAudience AzureADMyOrg -RequiredResourceAccess $rra{}",
                if a.public_client { " -IsFallbackPublicClient" } else { "" }
            ),
            changes: match (&delegated, a.public_client) {
                (None, _) => "a new app registration, with the permissions requested but not yet consented; no User.Read".into(),
                (Some(_), false) => "a new app registration, with the permissions requested but not yet consented".into(),
                (Some(_), true) => "a new app registration, with the permissions requested but not yet consented, and public client flows allowed".into(),
            },
            portal: {
                let mut p = vec![
                    format!("Open {portal}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade and choose \"New registration\"."),
                    format!("Name: {name}. Supported account types: \"Accounts in this organizational directory only\". Leave the redirect URI empty. Register."),
                ];
                if a.public_client {
                    p.push("Under Authentication, set \"Allow public client flows\" to Yes and save.".into());
                }
                p.push("On the Overview page, copy \"Application (client) ID\" and \"Directory (tenant) ID\" and paste them here.".into());
                p
            },
            resource: None,
            permission: None,
        },
        PlanStep {
            kind: StepKind::CreateServicePrincipal,
            title: "Create its service principal (the Enterprise application)".into(),
            graph: "POST /servicePrincipals {appId}".into(),
            powershell: "$sp = New-MgServicePrincipal -AppId $app.AppId".into(),
            changes: "the app's identity in this tenant, which consent and Exchange permissions attach to".into(),
            portal: vec!["Registering in the portal creates it: nothing to do.".into()],
            resource: None,
            permission: None,
        },
        PlanStep {
            kind: StepKind::AddSecret,
            title: format!("Add a client secret valid for {} months and keep it in the OS keyring", a.secret_months),
            graph: "POST /applications/{id}/addPassword {passwordCredential: {displayName, endDateTime}}".into(),
            powershell: format!(
                "$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{{DisplayName = 'm365-mail-wizard'; EndDateTime = {}}}",
                end_date_ps(a.secret_months)
            ),
            changes: "a new secret on the app; its value goes to the OS keyring only".into(),
            portal: vec![
                "In the app, open \"Certificates & secrets\" › \"Client secrets\" › \"New client secret\".".into(),
                format!("Description: m365-mail-wizard. Expires: {} months. Add.", a.secret_months),
                "Copy the secret's Value (not its Secret ID) at once — it is shown only now — and paste it here.".into(),
            ],
            resource: None,
            permission: None,
        },
    ];
    for (r, names) in &perms {
        for n in names {
            steps.push(PlanStep {
                kind: StepKind::Consent,
                title: format!("Grant admin consent: {n} on {}", r.name),
                graph: format!(
                    "POST /servicePrincipals/{{{} id}}/appRoleAssignedTo {{principalId: <app's service principal>, appRoleId: <{n}>}}",
                    r.name
                ),
                powershell: format!(
                    "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"; New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $res.Id -PrincipalId $sp.Id -ResourceId $res.Id -AppRoleId ($res.AppRoles | Where-Object Value -eq '{n}').Id",
                    r.app_id
                ),
                changes: format!("the app may use {n} (application permission) in this tenant"),
                portal: vec![
                    format!(
                        "In the app, open \"API permissions\" › \"Add a permission\" › {} › \"Application permissions\", tick {n}, \"Add permissions\".",
                        if r.key == crate::catalog::GRAPH { "Microsoft Graph".to_string() } else { format!("\"APIs my organization uses\" › {}", r.name) }
                    ),
                    "Press \"Grant admin consent for <tenant>\" and confirm.".into(),
                ],
                resource: Some(r.key.clone()),
                permission: Some(n.clone()),
            });
        }
    }
    if let Some((r, scopes)) = &delegated {
        let list = scopes.join(" ");
        steps.push(PlanStep {
            kind: StepKind::DelegatedConsent,
            title: format!("Grant admin consent for the delegated permissions: {}", scopes.join(", ")),
            graph: format!(
                "POST /oauth2PermissionGrants {{clientId: <app's service principal>, consentType: AllPrincipals, resourceId: <{} id>, scope: \"{list}\"}}",
                r.name
            ),
            powershell: format!(
                "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"; New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType AllPrincipals -ResourceId $res.Id -Scope '{list}'",
                r.app_id
            ),
            changes: "every user of the tenant may let the app use these delegated permissions, without being asked".into(),
            portal: vec![
                format!("In the app, open \"API permissions\" › \"Add a permission\" › Microsoft Graph › \"Delegated permissions\", tick {}, \"Add permissions\".", scopes.join(", ")),
                "Press \"Grant admin consent for <tenant>\" and confirm.".into(),
            ],
            resource: Some(r.key.clone()),
            permission: None,
        });
    }
    if let Some(spec) = &a.scope {
        steps.extend(exchange_steps(a, spec));
    }
    steps.push(PlanStep {
        kind: StepKind::Verify,
        title: "Sign in as the app and check the roles in its token".into(),
        graph: "POST /{tenant}/oauth2/v2.0/token (client credentials)".into(),
        powershell: "(nothing to run: the wizard checks the token)".into(),
        changes: "nothing".into(),
        portal: vec![],
        resource: None,
        permission: None,
    });
    steps
}

/// The Exchange Online steps, with the app's ids still to come.
fn exchange_steps(a: &SetupAnswers, spec: &ScopeSpec) -> Vec<PlanStep> {
    let input = spec.input(
        &a.access,
        &a.app_name,
        "<client id>",
        "<service principal object id>",
    );
    let mut out: Vec<PlanStep> = scope::steps(&input)
        .into_iter()
        .map(|st| {
            let make = st.make.as_ref().unwrap_or(&st.look);
            let graph = match st.kind {
                scope::ExKind::ManagementScope => "POST /beta/roleManagement/exchange/customAppScopes {type: RecipientScope, RecipientFilter: MemberOfGroup}".to_string(),
                scope::ExKind::RoleAssignment => "POST /beta/roleManagement/exchange/roleAssignments {principalId: /ServicePrincipals/<id>, roleDefinitionId, appScopeId}".to_string(),
                _ => format!("Exchange admin API: {} (then {})", st.look.name, make.name),
            };
            let powershell = make.powershell();
            PlanStep {
                kind: StepKind::Exchange,
                title: st.title.clone(),
                graph,
                portal: vec![
                    "No portal page does this: in Exchange Online PowerShell (Connect-ExchangeOnline), run".into(),
                    powershell.clone(),
                ],
                powershell,
                changes: st.changes.clone(),
                resource: None,
                permission: Some(st.key()),
            }
        })
        .collect();
    let tests: Vec<String> = scope::tested_mailboxes(&input)
        .iter()
        .filter_map(|(m, _)| scope::test_cmdlet(&input, m).map(|c| c.powershell()))
        .collect();
    if let Some(first) = tests.first() {
        let name = first.split(' ').next().unwrap_or_default().to_string();
        out.push(PlanStep {
            kind: StepKind::ExchangeTest,
            title: format!("Check the scope with {name} for each mailbox"),
            graph: format!("Exchange admin API: {name}"),
            powershell: tests.join("\n"),
            changes: "nothing (read only)".into(),
            portal: tests,
            resource: None,
            permission: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(access: &[AccessChoice]) -> SetupAnswers {
        SetupAnswers {
            app_name: "Helpdesk mail".into(),
            access: access.to_vec(),
            secret_months: 6,
            portal: "https://portal.azure.com".into(),
            public_client: false,
            scope: None,
        }
    }

    #[test]
    fn rbac_leaves_the_bypassing_permission_out_and_adds_exchange_steps() {
        let mut a = answers(&[AccessChoice::GraphRead, AccessChoice::Imap]);
        a.scope = Some(ScopeSpec {
            kind: scope::ScopeKind::Rbac,
            group: Some(scope::GroupRef::parse("Helpdesk scope").unwrap()),
            mailboxes: vec!["alice@contoso.example".into()],
            deny_mailbox: Some("ceo@contoso.example".into()),
            script_only: false,
        });
        let p = plan(&a);
        let consents: Vec<&str> = p
            .iter()
            .filter_map(|s| (s.kind == StepKind::Consent).then_some(s.permission.as_deref()?))
            .collect();
        assert_eq!(consents, ["IMAP.AccessAsApp"], "no tenant-wide Mail.Read");
        let rra = required_resource_access(&a.access, &a.omitted(), |r, n, _| {
            r.app_role_id(n).map(String::from)
        })
        .to_string();
        assert!(
            !rra.contains("810c84a8-4a9e-49e6-bf7d-12d183f40d01"),
            "{rra}"
        );
        let ex: Vec<&str> = p
            .iter()
            .filter(|s| s.kind == StepKind::Exchange)
            .map(|s| s.powershell.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            ex,
            [
                "Get-Mailbox",
                "New-DistributionGroup",
                "Add-DistributionGroupMember",
                "New-ServicePrincipal",
                "New-ManagementScope",
                "New-ManagementRoleAssignment",
                "Add-MailboxPermission"
            ]
        );
        assert_eq!(p.last().unwrap().kind, StepKind::Verify);
        assert!(p.iter().any(|s| s.kind == StepKind::ExchangeTest));
    }

    #[test]
    fn graph_read_plan() {
        let p = plan(&answers(&[AccessChoice::GraphRead]));
        let kinds: Vec<StepKind> = p.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                StepKind::Resolve,
                StepKind::CreateApp,
                StepKind::CreateServicePrincipal,
                StepKind::AddSecret,
                StepKind::Consent,
                StepKind::Verify
            ]
        );
        assert_eq!(p[4].permission.as_deref(), Some("Mail.Read"));
        assert!(
            p[4].powershell
                .contains("00000003-0000-0000-c000-000000000000")
        );
        assert!(p[1].portal[1].contains("organizational directory only"));
        assert!(p[3].powershell.contains("AddMonths(6)"));
    }

    #[test]
    fn exchange_protocols_consent_on_exchange() {
        let p = plan(&answers(&[
            AccessChoice::GraphSend,
            AccessChoice::Imap,
            AccessChoice::Smtp,
        ]));
        let consents: Vec<(String, String)> = p
            .iter()
            .filter(|s| s.kind == StepKind::Consent)
            .map(|s| (s.resource.clone().unwrap(), s.permission.clone().unwrap()))
            .collect();
        assert_eq!(
            consents,
            [
                ("graph".into(), "Mail.Send".into()),
                ("exchange".into(), "IMAP.AccessAsApp".into()),
                ("exchange".into(), "SMTP.SendAsApp".into())
            ]
        );
        let imap = p
            .iter()
            .find(|s| s.permission.as_deref() == Some("IMAP.AccessAsApp"))
            .unwrap();
        assert!(imap.portal[0].contains("APIs my organization uses"));
    }

    #[test]
    fn required_access_has_roles_and_no_user_read() {
        let rra = required_resource_access(
            &[AccessChoice::GraphRead, AccessChoice::Pop],
            &[],
            |r, n, _| r.app_role_id(n).map(String::from),
        );
        let text = rra.to_string();
        assert!(
            text.contains("810c84a8-4a9e-49e6-bf7d-12d183f40d01"),
            "{text}"
        );
        assert!(text.contains("cb842b43-da6e-4506-86fe-bb12199c656d"));
        assert!(
            !text.contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
            "no User.Read"
        );
        assert!(text.contains("\"type\":\"Role\""));
        assert_eq!(rra.as_array().unwrap().len(), 2);
    }

    #[test]
    fn the_delegated_style_asks_scopes_and_tenant_wide_consent() {
        let mut a = answers(&[AccessChoice::Delegated]);
        a.public_client = true;
        let p = plan(&a);
        let kinds: Vec<StepKind> = p.iter().map(|s| s.kind).collect();
        assert!(kinds.contains(&StepKind::DelegatedConsent) && !kinds.contains(&StepKind::Consent));
        let dc = p
            .iter()
            .find(|s| s.kind == StepKind::DelegatedConsent)
            .unwrap();
        assert!(dc.powershell.contains("-ConsentType AllPrincipals"));
        assert!(dc.title.contains("IMAP.AccessAsUser.All") && dc.title.contains("SMTP.Send"));
        assert!(p[1].powershell.contains("-IsFallbackPublicClient"));
        assert!(
            p[1].portal
                .iter()
                .any(|l| l.contains("Allow public client flows"))
        );
        let rra = required_resource_access(&[AccessChoice::Delegated], &[], |r, n, role| {
            let perm = r.permissions.iter().find(|x| x.name == n)?;
            if role {
                perm.role.clone()
            } else {
                perm.scope.clone()
            }
        })
        .to_string();
        assert!(
            rra.contains("652390e4-393a-48de-9484-05f9b1212954")
                && rra.contains("\"type\":\"Scope\""),
            "{rra}"
        );
        assert!(
            rra.contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
            "User.Read, as the style needs"
        );
    }

    #[test]
    fn a_choice_given_twice_asks_its_permission_once() {
        let perms = permissions(&[AccessChoice::GraphRead, AccessChoice::GraphRead], &[]);
        assert_eq!(perms[0].1, ["Mail.Read"]);
    }
}

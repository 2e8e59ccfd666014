//! The Entra ID steps: look up the resources, register the app and its service principal, add
//! a secret, grant consent, and sign in as the app.

use super::permissions::Needs;
use super::{KnownIds, PlanStep, SetupAnswers, StepKind};
use crate::catalog::{GRAPH, Resource};
use crate::scope::quote;

/// The portal's consent button, whose label ends with the organisation's display name.
const GRANT_CONSENT: &str =
    "Press \"Grant admin consent for\" (followed by your organisation's name) and confirm.";

/// The variable a script keeps resource `r`'s service principal in.
fn api_var(r: &Resource) -> String {
    format!("${}Api", r.key)
}

pub(super) fn resolve(all: &[Needs]) -> PlanStep {
    if all.is_empty() {
        return PlanStep {
            title: "No Entra permission to look up: the Exchange role assignment grants the access"
                .into(),
            graph: "none".into(),
            powershell: "none".into(),
            changes: "nothing (read only)".into(),
            ..PlanStep::of(StepKind::Resolve)
        };
    }
    let resources: Vec<&str> = all.iter().map(|n| n.resource.name.as_str()).collect();
    let app_ids: Vec<String> = all
        .iter()
        .map(|n| format!("'{}'", n.resource.app_id))
        .collect();
    PlanStep {
        title: format!("Look up the permission ids of {}", resources.join(" and ")),
        graph: format!(
            "GET /servicePrincipals?$filter=appId eq {}",
            app_ids.join(" / ")
        ),
        powershell: all
            .iter()
            .map(|n| {
                format!(
                    "Get-MgServicePrincipal -Filter \"appId eq '{}'\"",
                    n.resource.app_id
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        changes: "nothing (read only)".into(),
        ..PlanStep::of(StepKind::Resolve)
    }
}

pub(super) fn create_app(
    a: &SetupAnswers,
    perms: &[(&'static Resource, Vec<String>)],
    delegated: Option<&(&'static Resource, Vec<String>)>,
) -> PlanStep {
    let name = &a.app_name;
    let portal = a.portal.trim_end_matches('/');
    let mut steps = vec![
        format!(
            "Open {portal}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade and choose \"New registration\"."
        ),
        format!(
            "Name: {name}. Supported account types: \"Accounts in this organizational directory only\". Leave the redirect URI empty. Register."
        ),
    ];
    if let Some(uri) = a.redirect_uri() {
        steps.push(format!(
            "Under Authentication, \"Add a platform\" › Web, Redirect URI: {uri} (exactly as the consuming application sends it). Configure."
        ));
    }
    if a.public_client() {
        steps.push(
            "Under Authentication, set \"Allow public client flows\" to Yes and save.".into(),
        );
    }
    steps.push("On the Overview page, copy \"Application (client) ID\" and \"Directory (tenant) ID\" and paste them here.".into());
    let mut asked: Vec<String> = perms
        .iter()
        .map(|(r, n)| format!("{} {}", r.name, n.join(", ")))
        .collect();
    if let Some((r, scopes)) = delegated {
        asked.push(format!("{} (delegated) {}", r.name, scopes.join(", ")));
    }
    let mut extra = String::new();
    if a.public_client() {
        extra.push_str(", isFallbackPublicClient: true");
    }
    if let Some(uri) = a.redirect_uri() {
        extra.push_str(&format!(", web: {{redirectUris: [\"{uri}\"]}}"));
    }
    let title = if a.reuse_app {
        format!(
            "Register the application \"{name}\" (this tenant only), or complete the existing app of that name"
        )
    } else {
        format!("Register the application \"{name}\" (this tenant only)")
    };
    PlanStep {
        title,
        graph: format!(
            "POST /applications {{displayName: \"{name}\", signInAudience: AzureADMyOrg, requiredResourceAccess: {}{extra}}}{}",
            asked.join("; "),
            if a.reuse_app {
                "; an existing app: PATCH /applications/{id} with its requiredResourceAccess merged (nothing removed)"
            } else {
                ""
            }
        ),
        powershell: {
            let new_app = format!(
                "$app = New-MgApplication -DisplayName {} -SignInAudience AzureADMyOrg",
                quote(name)
            );
            let mut public = if a.public_client() {
                " -IsFallbackPublicClient".to_string()
            } else {
                String::new()
            };
            if let Some(uri) = a.redirect_uri() {
                public.push_str(&format!(" -Web @{{RedirectUris = {}}}", quote(uri)));
            }
            // No permission to ask for (the Exchange role assignment grants the access).
            if perms.is_empty() && delegated.is_none() {
                format!("{new_app}{public}")
            } else {
                format!(
                    "{}\n{new_app} -RequiredResourceAccess $rra{public}",
                    required_access_script(perms, delegated)
                )
            }
        },
        changes: app_changes(a, delegated.is_some()),
        portal: steps,
        ..PlanStep::of(StepKind::CreateApp)
    }
}

/// What registering (or completing) the app changes, in words.
fn app_changes(a: &SetupAnswers, delegated: bool) -> String {
    let mut out = if a.reuse_app {
        "a new app registration, or the existing app of that name: it keeps the existing permissions it holds (none is removed) and gets the missing ones, requested but not yet consented".to_string()
    } else {
        "a new app registration, with the permissions requested but not yet consented".to_string()
    };
    if !delegated {
        out.push_str("; no User.Read");
    }
    if a.public_client() {
        out.push_str(&format!(
            "; public client flows allowed, as {} signs in without a secret",
            a.sign_in_words().unwrap_or("the consuming application")
        ));
    }
    if let Some(uri) = a.redirect_uri() {
        out.push_str(&format!(
            "; the redirect URI {uri} (Web platform) for the authorization-code flow; public client flows stay off"
        ));
    }
    out
}

/// `$rra`, the app's `requiredResourceAccess`, with each permission's id read from its resource
/// (each resource's service principal looked up into a variable first).
fn required_access_script(
    perms: &[(&'static Resource, Vec<String>)],
    delegated: Option<&(&'static Resource, Vec<String>)>,
) -> String {
    let mut lines = Vec::new();
    let mut entries = Vec::new();
    let mut resources: Vec<&Resource> = Vec::new();
    for r in perms
        .iter()
        .map(|(r, _)| *r)
        .chain(delegated.map(|(r, _)| *r))
    {
        if !resources.iter().any(|x| x.key == r.key) {
            resources.push(r);
        }
    }
    for r in resources {
        let var = api_var(r);
        lines.push(format!(
            "{var} = Get-MgServicePrincipal -Filter \"appId eq '{}'\"",
            r.app_id
        ));
        let roles = perms
            .iter()
            .filter(|(x, _)| x.key == r.key)
            .flat_map(|(_, names)| names)
            .map(|n| {
                format!(
                    "@{{Id = ({var}.AppRoles | Where-Object Value -eq {}).Id; Type = 'Role'}}",
                    quote(n)
                )
            });
        let scopes = delegated
            .filter(|(x, _)| x.key == r.key)
            .into_iter()
            .flat_map(|(_, names)| names)
            .map(|n| format!("@{{Id = ({var}.Oauth2PermissionScopes | Where-Object Value -eq {}).Id; Type = 'Scope'}}", quote(n)));
        let access: Vec<String> = roles.chain(scopes).collect();
        entries.push(format!(
            "@{{ResourceAppId = {}; ResourceAccess = @({})}}",
            quote(&r.app_id),
            access.join(", ")
        ));
    }
    lines.push(format!("$rra = @({})", entries.join(", ")));
    lines.join("\n")
}

pub(super) fn service_principal(ids: &KnownIds) -> PlanStep {
    PlanStep {
        title: "Create its service principal (the Enterprise application)".into(),
        graph: "POST /servicePrincipals {appId}".into(),
        powershell: format!("$sp = New-MgServicePrincipal -AppId {}", ids.app_id()),
        changes:
            "the app's identity in this tenant, which consent and Exchange permissions attach to"
                .into(),
        portal: vec!["Registering in the portal creates it: nothing to do.".into()],
        ..PlanStep::of(StepKind::CreateServicePrincipal)
    }
}

pub(super) fn add_secret(months: u32) -> PlanStep {
    PlanStep {
        title: format!(
            "Add a client secret valid for {months} months and keep it in the OS keyring"
        ),
        graph: "POST /applications/{id}/addPassword {passwordCredential: {displayName, endDateTime}}"
            .into(),
        powershell: format!(
            "$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{{DisplayName = 'm365-mail-wizard'; EndDateTime = (Get-Date).AddMonths({months})}}"
        ),
        changes: "a new secret on the app; its value goes to the OS keyring only".into(),
        portal: vec![
            "In the app, open \"Certificates & secrets\" › \"Client secrets\" › \"New client secret\".".into(),
            format!("Description: m365-mail-wizard. Expires: {months} months. Add."),
            "Copy the secret's Value (not its Secret ID) at once — it is shown only now — and paste it here.".into(),
        ],
        ..PlanStep::of(StepKind::AddSecret)
    }
}

/// Admin consent for one application permission of `r`.
pub(super) fn consent(r: &Resource, n: &str, ids: &KnownIds) -> PlanStep {
    let api = if r.key == GRAPH {
        "Microsoft Graph".to_string()
    } else {
        format!("\"APIs my organization uses\" › {}", r.name)
    };
    PlanStep {
        title: format!("Grant admin consent: {n} on {}", r.name),
        graph: format!(
            "POST /servicePrincipals/{{{} id}}/appRoleAssignedTo {{principalId: <app's service principal>, appRoleId: <{n}>}}",
            r.name
        ),
        powershell: format!(
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"\nNew-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $res.Id -PrincipalId {} -ResourceId $res.Id -AppRoleId ($res.AppRoles | Where-Object Value -eq {}).Id",
            r.app_id,
            ids.sp(),
            quote(n)
        ),
        changes: format!("the app may use {n} (application permission) in this tenant"),
        portal: vec![
            format!(
                "In the app, open \"API permissions\" › \"Add a permission\" › {api} › \"Application permissions\", tick {n}, \"Add permissions\"."
            ),
            GRANT_CONSENT.into(),
        ],
        resource: Some(r.key.clone()),
        permission: Some(n.to_string()),
        ..PlanStep::of(StepKind::Consent)
    }
}

/// Tenant-wide admin consent for the delegated style's scopes on `r`.
pub(super) fn delegated_consent(
    r: &Resource,
    scopes: &[String],
    openid: bool,
    ids: &KnownIds,
) -> PlanStep {
    let list = scopes.join(" ");
    let why_openid = if openid {
        "; openid and User.Read let the consuming application read who signed in (its ID token and profile)"
    } else {
        "; openid and User.Read are left out: ask for them (--openid) when the consuming application reads who signed in, as ESM's guide does"
    };
    PlanStep {
        title: format!(
            "Grant admin consent for the delegated permissions: {}",
            scopes.join(", ")
        ),
        graph: format!(
            "POST /oauth2PermissionGrants {{clientId: <app's service principal>, consentType: AllPrincipals, resourceId: <{} id>, scope: \"{list}\"}}",
            r.name
        ),
        powershell: format!(
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"\nNew-MgOauth2PermissionGrant -ClientId {} -ConsentType AllPrincipals -ResourceId $res.Id -Scope {}",
            r.app_id,
            ids.sp(),
            quote(&list)
        ),
        changes: format!(
            "every user of the tenant may let the app use these delegated permissions, without being asked; the app reaches only what the signed-in user may open (their own mailbox, and mailboxes they hold FullAccess on), so no Exchange application scope applies{why_openid}"
        ),
        portal: vec![
            format!(
                "In the app, open \"API permissions\" › \"Add a permission\" › Microsoft Graph › \"Delegated permissions\", tick {}, \"Add permissions\".",
                scopes.join(", ")
            ),
            GRANT_CONSENT.into(),
        ],
        resource: Some(r.key.clone()),
        ..PlanStep::of(StepKind::DelegatedConsent)
    }
}

pub(super) fn verify() -> PlanStep {
    PlanStep {
        title: "Sign in as the app and check the roles in its token".into(),
        graph: "POST /{tenant}/oauth2/v2.0/token (client credentials)".into(),
        powershell: "(nothing to run: the wizard checks the token)".into(),
        changes: "nothing".into(),
        ..PlanStep::of(StepKind::Verify)
    }
}

//! `migrate APP --to rbac`: from what the tenant holds for an app (its tenant-wide Entra mail
//! roles, its application access policies, its Exchange service principal) to the ordered steps
//! that move it to RBAC for Applications, each with the PowerShell that does it and the one that
//! undoes it. The order keeps the app scoped at every point: the RBAC scope and roles first,
//! proved by Exchange's own test; then the Entra roles go, the live checks prove the scope
//! alone; the policies go last (docs/migration.md). Pure.

mod script;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use script::{powershell, script, undo_powershell};

/// An Entra application role the app holds (an admin consent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRole {
    /// The role's value, e.g. `Mail.Read`.
    pub name: String,
    pub role_id: String,
    /// The resource's service principal (Microsoft Graph or Office 365 Exchange Online).
    pub resource_sp: String,
    /// The app role assignment's id, as Graph lists it.
    pub assignment_id: String,
}

/// An application access policy of the app, as `Get-ApplicationAccessPolicy` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPolicy {
    pub identity: String,
    /// The group's primary SMTP address (or its name when it has none).
    pub group: String,
    /// `RestrictAccess` or `DenyAccess`.
    pub access_right: String,
    pub description: String,
}

/// What the tenant holds for the app, read before the plan is made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub app_name: String,
    pub client_id: String,
    /// The app's service principal (Enterprise application) object id.
    pub sp_id: String,
    /// Exchange Online knows the app's service principal (`Get-ServicePrincipal`).
    pub exchange_principal: bool,
    pub roles: Vec<HeldRole>,
    pub policies: Vec<HeldPolicy>,
}

/// What the administrator chose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub profile: String,
    /// The mailboxes the app must reach.
    pub mailboxes: Vec<String>,
    /// `--mailboxes`: scope these (in a group the migration makes) rather than the policy's group.
    pub own_group: bool,
    /// The mailbox that must stay out of reach.
    pub deny_mailbox: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// `New-ServicePrincipal`: RBAC for Applications assigns roles to it.
    ExchangePrincipal,
    /// A mail-enabled security group of the chosen mailboxes.
    Group { name: String, members: Vec<String> },
    /// A management scope over the group's members.
    Scope { name: String, group: String },
    /// An RBAC for Applications role within the scope.
    Role { role: String },
    /// `Test-ServicePrincipalAuthorization`: every intended mailbox in scope, the one outside not.
    ServiceTest,
    /// The tenant-wide Entra role removed (the admin consent revoked).
    EntraRole(HeldRole),
    /// The live checks, with the scope alone: intended mailboxes reached, the outside one refused.
    LiveProof,
    /// The application access policy removed.
    Policy(HeldPolicy),
}

impl Step {
    /// A stable key for the journal.
    pub fn key(&self) -> String {
        match self {
            Step::ExchangePrincipal => "exchange-principal".into(),
            Step::Group { .. } => "group".into(),
            Step::Scope { .. } => "scope".into(),
            Step::Role { role } => format!("role:{}", role.to_ascii_lowercase()),
            Step::ServiceTest => "service-test".into(),
            Step::EntraRole(r) => format!("entra:{}", r.name.to_ascii_lowercase()),
            Step::LiveProof => "live-proof".into(),
            Step::Policy(p) => format!("policy:{}", p.identity),
        }
    }

    /// Whether the step changes the tenant (and so has an undo).
    pub fn changes(&self) -> bool {
        !matches!(self, Step::ServiceTest | Step::LiveProof)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub app_name: String,
    pub client_id: String,
    pub sp_id: String,
    pub scope_name: String,
    /// The group whose members the scope holds.
    pub group: String,
    pub mailboxes: Vec<String>,
    pub deny_mailbox: String,
    pub steps: Vec<Step>,
    /// Entra roles the migration leaves, and why.
    pub kept: Vec<String>,
}

/// The RBAC for Applications role that stands for a tenant-wide Entra mail role (REFERENCE.md
/// 4.2; Microsoft's *Role Based Access Control for Applications in Exchange Online*). IMAP, POP
/// and SMTP roles are not tenant-wide: they reach only mailboxes with FullAccess or send rights.
pub fn rbac_role_for(entra: &str) -> Option<&'static str> {
    Some(match entra {
        "Mail.Read" => "Application Mail.Read",
        "Mail.ReadBasic" => "Application Mail.ReadBasic",
        "Mail.ReadWrite" => "Application Mail.ReadWrite",
        "Mail.Send" => "Application Mail.Send",
        "MailboxSettings.Read" => "Application MailboxSettings.Read",
        "MailboxSettings.ReadWrite" => "Application MailboxSettings.ReadWrite",
        "full_access_as_app" => "Application EWS.AccessAsApp",
        _ => return None,
    })
}

/// Why the app cannot be migrated as asked; each says what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The migration's steps, or why there is none.
pub fn plan(found: &Found, choice: &Choice) -> Result<Plan, Refusal> {
    let wide: Vec<&HeldRole> = found
        .roles
        .iter()
        .filter(|r| rbac_role_for(&r.name).is_some())
        .collect();
    if wide.is_empty() {
        return Err(Refusal(format!(
            "the app \"{}\" holds no tenant-wide mail role (Mail.*, MailboxSettings.*, full_access_as_app): there is nothing to move to RBAC for Applications",
            found.app_name
        )));
    }
    let deny = choice.deny_mailbox.to_ascii_lowercase();
    if deny.is_empty() {
        return Err(Refusal(
            "name a mailbox the app must not reach with --deny-mailbox: the migration proves it refused before the tenant-wide roles go for good".into(),
        ));
    }
    if choice.mailboxes.is_empty() {
        return Err(Refusal(
            "name the mailboxes the app must reach (--mailboxes, or the profile's mailboxes)"
                .into(),
        ));
    }
    if choice
        .mailboxes
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&deny))
    {
        return Err(Refusal(format!(
            "{deny} is both a mailbox to reach and the one to refuse: pick another --deny-mailbox"
        )));
    }
    let restricting: Vec<&HeldPolicy> = found
        .policies
        .iter()
        .filter(|p| p.access_right.eq_ignore_ascii_case("RestrictAccess"))
        .collect();
    let mut steps = Vec::new();
    if !found.exchange_principal {
        steps.push(Step::ExchangePrincipal);
    }
    let group = if choice.own_group {
        let name = format!("m365mw-{}-rbac", choice.profile);
        steps.push(Step::Group {
            name: name.clone(),
            members: choice.mailboxes.clone(),
        });
        name
    } else {
        match restricting.as_slice() {
            [one] => one.group.clone(),
            [] => {
                return Err(Refusal(
                    "the app has no RestrictAccess policy whose group could become the scope (a DenyAccess policy has no RBAC equivalent): name the mailboxes to scope with --mailboxes".into(),
                ));
            }
            _ => {
                return Err(Refusal(format!(
                    "the app has {} RestrictAccess policies, on {}: name the mailboxes to scope with --mailboxes",
                    restricting.len(),
                    restricting
                        .iter()
                        .map(|p| p.group.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    };
    let scope_name = format!("{} mailboxes", found.app_name);
    steps.push(Step::Scope {
        name: scope_name.clone(),
        group: group.clone(),
    });
    let mut roles: Vec<&str> = wide.iter().filter_map(|r| rbac_role_for(&r.name)).collect();
    roles.dedup();
    steps.extend(roles.iter().map(|r| Step::Role {
        role: r.to_string(),
    }));
    steps.push(Step::ServiceTest);
    steps.extend(wide.iter().map(|r| Step::EntraRole((*r).clone())));
    steps.push(Step::LiveProof);
    steps.extend(found.policies.iter().cloned().map(Step::Policy));
    let kept = found
        .roles
        .iter()
        .filter(|r| rbac_role_for(&r.name).is_none())
        .map(|r| {
            format!(
                "{}: not tenant-wide (it reaches only mailboxes the app has FullAccess or send rights on), so it stays",
                r.name
            )
        })
        .collect();
    Ok(Plan {
        app_name: found.app_name.clone(),
        client_id: found.client_id.clone(),
        sp_id: found.sp_id.clone(),
        scope_name,
        group,
        mailboxes: choice.mailboxes.clone(),
        deny_mailbox: deny,
        steps,
        kept,
    })
}

impl Plan {
    /// What each step does, in words.
    pub fn title(&self, step: &Step) -> String {
        match step {
            Step::ExchangePrincipal => {
                "Register the app's service principal in Exchange Online".into()
            }
            Step::Group { name, members } => format!(
                "Create the mail-enabled security group {name} with {}",
                members.join(", ")
            ),
            Step::Scope { name, group } => {
                format!("Create the management scope \"{name}\" over the members of {group}")
            }
            Step::Role { role } => format!("Assign \"{role}\" within the scope"),
            Step::ServiceTest => format!(
                "Exchange's own test: {} in scope, {} out of scope",
                self.mailboxes.join(", "),
                self.deny_mailbox
            ),
            Step::EntraRole(r) => format!(
                "Remove the tenant-wide Entra role {} (its admin consent)",
                r.name
            ),
            Step::LiveProof => format!(
                "Live checks with the scope alone: {} reached, {} refused (until Exchange applies the scope, 30 minutes to 2 hours, this waits: exit 5, then migrate --resume)",
                self.mailboxes.join(", "),
                self.deny_mailbox
            ),
            Step::Policy(p) => format!(
                "Remove the application access policy ({} on {})",
                p.access_right, p.group
            ),
        }
    }
}

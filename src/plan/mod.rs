//! What a setup will do, step by step, before anything is changed: each step's Graph call,
//! its Microsoft Graph PowerShell equivalent, what it changes, and the portal instructions for
//! doing it by hand. Pure.

mod entra;
mod exchange;
pub mod migration;
mod permissions;
mod script_vars;

use serde::Serialize;

pub use permissions::{
    Needs, OPENID_SCOPES, delegated, merged_resource_access, needs, needs_with, permissions,
    required_access_of, required_resource_access,
};
pub use script_vars::{crowded_lines, undefined_variables};

use crate::catalog::Resource;
use crate::model::{AccessChoice, ConsumerSignIn, DelegatedPart};
use crate::scope::{self, ExStep, ScopeInput, ScopeSpec, quote};

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

impl PlanStep {
    /// A step of `kind` with nothing filled in yet.
    fn of(kind: StepKind) -> PlanStep {
        PlanStep {
            kind,
            title: String::new(),
            graph: String::new(),
            powershell: String::new(),
            changes: String::new(),
            portal: Vec::new(),
            resource: None,
            permission: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupAnswers {
    pub app_name: String,
    pub access: Vec<AccessChoice>,
    pub secret_months: u32,
    /// Portal base URL of the cloud in use.
    pub portal: String,
    /// The Exchange Online part; none leaves mailbox scoping alone.
    pub scope: Option<ScopeSpec>,
    /// The delegated style's answers: how the consuming application signs its user in, the
    /// users and the shared mailboxes. Only read when `access` has the delegated style.
    pub delegated: Option<DelegatedPart>,
    /// `--exchange powershell`: the delegated part's Exchange Online steps (the users'
    /// FullAccess) are written into the PowerShell script rather than made.
    pub delegated_script: bool,
    /// An existing app of the same display name is completed rather than refused.
    pub reuse_app: bool,
}

impl SetupAnswers {
    /// The delegated part, when the access has the delegated style.
    pub fn delegated_part(&self) -> Option<&DelegatedPart> {
        self.delegated
            .as_ref()
            .filter(|_| self.access.contains(&AccessChoice::Delegated))
    }

    /// "Allow public client flows" (`isFallbackPublicClient`): the consuming application signs
    /// its user in without a secret (device code or the password flow).
    pub fn public_client(&self) -> bool {
        self.delegated_part()
            .is_some_and(|d| d.sign_in.needs_public_client())
    }

    /// The redirect URI of the consuming application's authorization-code sign-in.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.delegated_part()?.sign_in.redirect_uri()
    }

    /// Whether `openid` and `User.Read` are asked beside the delegated mail scopes.
    pub fn openid(&self) -> bool {
        self.delegated_part().is_some_and(|d| d.openid)
    }

    /// What each resource must grant for these answers.
    pub fn needs(&self) -> Vec<Needs> {
        needs_with(&self.access, &self.omitted(), self.openid())
    }

    /// The delegated scopes, with their resource.
    pub fn delegated_scopes(&self) -> Option<(&'static Resource, Vec<String>)> {
        delegated(&self.access, self.openid())
    }

    /// The delegated style's Exchange Online steps (each user's FullAccess on each shared
    /// mailbox, SMTP AUTH for the mailboxes signed in to SMTP as), without the SMTP AUTH steps
    /// the scope already has for its own mailboxes.
    pub fn delegated_steps(&self) -> Vec<ExStep> {
        let Some(d) = self.delegated_part() else {
            return Vec::new();
        };
        let users: Vec<String> = d.users.iter().map(|m| m.to_string()).collect();
        let shared: Vec<String> = d.shared.iter().map(|m| m.to_string()).collect();
        let scoped_smtp: &[String] = match &self.scope {
            Some(s) if self.access.contains(&AccessChoice::Smtp) => &s.mailboxes,
            _ => &[],
        };
        scope::delegated_steps(&users, &shared)
            .into_iter()
            .filter(|st| {
                st.kind != scope::ExKind::SmtpAuth
                    || !scoped_smtp.iter().any(|m| {
                        Some(m.to_ascii_lowercase())
                            == st.subject.as_ref().map(|s| s.to_ascii_lowercase())
                    })
            })
            .collect()
    }

    /// Whether the delegated part's steps are made by the setup (not written to the script).
    pub fn delegated_steps_made(&self) -> bool {
        !self.delegated_script && !self.delegated_steps().is_empty()
    }

    /// The Exchange Online script this setup writes, if it writes one: the scope's (`input`,
    /// when the scope is written as a script), then the delegated part's steps when they are
    /// written too (`delegated_script`).
    pub fn written_script(&self, input: Option<&ScopeInput>, tenant: &str) -> Option<String> {
        let scope = input.filter(|_| self.scope.as_ref().is_some_and(|s| s.script_only));
        let delegated = match self.delegated_script {
            true => self.delegated_steps(),
            false => Vec::new(),
        };
        scope::setup_script(scope, &delegated, tenant)
    }

    /// Whether the setup writes an Exchange Online script for the administrator to run.
    pub fn exchange_script(&self) -> bool {
        self.scope.as_ref().is_some_and(|s| s.script_only)
            || (self.delegated_script && !self.delegated_steps().is_empty())
    }

    /// The consuming application's sign-in, as the plan names it.
    pub fn sign_in_words(&self) -> Option<&'static str> {
        Some(match self.delegated_part()?.sign_in {
            ConsumerSignIn::DeviceCode => "the device-code flow",
            ConsumerSignIn::AuthorizationCode { .. } => "the authorization-code flow",
            ConsumerSignIn::Password => "the resource-owner password flow",
        })
    }

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

/// The app's ids once they are known (the guided path learns them step by step): the commands
/// shown then carry them instead of the variables an earlier step of the plan assigns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownIds {
    pub client_id: Option<String>,
    /// The app's service principal: the Enterprise application's object id.
    pub sp_object_id: Option<String>,
}

impl KnownIds {
    /// The app's client id in a command.
    fn app_id(&self) -> String {
        self.client_id.as_deref().map_or("$app.AppId".into(), quote)
    }

    /// The app's service principal's object id in a command.
    fn sp(&self) -> String {
        self.sp_object_id.as_deref().map_or("$sp.Id".into(), quote)
    }

    /// `ps` on its own: once the client id is known the app exists, so a command using `$app`
    /// or `$sp` that no earlier line of `ps` assigns is preceded by the look-up that does.
    fn standalone(&self, ps: String) -> String {
        let Some(client) = &self.client_id else {
            return ps;
        };
        let missing = undefined_variables(&ps);
        let mut head = Vec::new();
        if missing.iter().any(|v| v == "app") {
            head.push(format!(
                "$app = Get-MgApplication -Filter \"appId eq '{client}'\""
            ));
        }
        if missing.iter().any(|v| v == "sp") {
            head.push(format!(
                "$sp = Get-MgServicePrincipal -Filter \"appId eq '{client}'\""
            ));
        }
        head.push(ps);
        head.join("\n")
    }
}

pub fn plan(a: &SetupAnswers) -> Vec<PlanStep> {
    plan_with(a, &KnownIds::default())
}

/// The plan with what is known of the app filled in.
pub fn plan_with(a: &SetupAnswers, ids: &KnownIds) -> Vec<PlanStep> {
    let omit = a.omitted();
    let perms = permissions(&a.access, &omit);
    let delegated = a.delegated_scopes();
    let mut steps = vec![
        entra::resolve(&a.needs()),
        entra::create_app(a, &perms, delegated.as_ref()),
        entra::service_principal(ids),
        entra::add_secret(a.secret_months),
    ];
    for (r, names) in &perms {
        steps.extend(names.iter().map(|n| entra::consent(r, n, ids)));
    }
    if let Some((r, scopes)) = &delegated {
        steps.push(entra::delegated_consent(r, scopes, a.openid(), ids));
    }
    if let Some(spec) = &a.scope {
        steps.extend(exchange::steps(a, spec, ids));
    }
    steps.extend(exchange::delegated_steps(a));
    steps.push(entra::verify());
    for st in &mut steps {
        let alone = ids.standalone(st.powershell.clone());
        for line in st.portal.iter_mut().filter(|l| **l == st.powershell) {
            *line = alone.clone();
        }
        st.powershell = alone;
    }
    steps
}

#[cfg(test)]
mod delegated_tests;
#[cfg(test)]
mod smtp_tests;

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn answers(access: &[AccessChoice]) -> SetupAnswers {
        SetupAnswers {
            app_name: "Helpdesk mail".into(),
            access: access.to_vec(),
            secret_months: 6,
            portal: "https://portal.azure.com".into(),
            scope: None,
            delegated: None,
            delegated_script: false,
            reuse_app: false,
        }
    }

    #[test]
    fn rbac_leaves_the_bypassing_permission_out_and_adds_exchange_steps() {
        let mut a = answers(&[AccessChoice::GraphRead, AccessChoice::Imap]);
        a.scope = Some(ScopeSpec {
            kind: crate::model::ScopeKind::Rbac,
            group: Some(scope::GroupRef::parse("Helpdesk scope").unwrap()),
            mailboxes: vec!["alice@contoso.example".into()],
            deny_mailbox: Some("ceo@contoso.example".into()),
            script_only: false,
            decline_ews_allow_list: false,
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
            .map(|s| {
                s.powershell
                    .lines()
                    .last()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
            })
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
    fn a_choice_given_twice_asks_its_permission_once() {
        let perms = permissions(&[AccessChoice::GraphRead, AccessChoice::GraphRead], &[]);
        assert_eq!(perms[0].1, ["Mail.Read"]);
    }
}

#[cfg(test)]
mod script_tests;

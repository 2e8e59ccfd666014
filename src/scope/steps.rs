//! The Exchange Online steps of a scope, in order, each a `Get-` that finds what an earlier run
//! made and the `New-`/`Add-` that makes it.

use serde::Serialize;

use super::GroupRef;
use super::cmdlet::{Arg, Cmdlet, quote};
use super::roles::{
    full_access_protocols, needs_mailbox_permission, rbac_roles, scoped_by_group_under,
};
use crate::model::{AccessChoice, ScopeKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExKind {
    /// Every named mailbox exists and is a mailbox; picks the out-of-scope one if none was named.
    Mailboxes,
    Group,
    Member,
    ServicePrincipal,
    ManagementScope,
    RoleAssignment,
    AccessPolicy,
    MailboxPermission,
    /// The app's ID on the organisation's EWS allow list, where the organisation enforces one.
    EwsAllowList,
    /// SMTP AUTH allowed for one mailbox (`Set-CASMailbox -SmtpClientAuthenticationDisabled
    /// $false`) where it is off; never the organisation's switch.
    SmtpAuth,
    /// The delegated style: a mailbox user's FullAccess on a shared mailbox.
    UserFullAccess,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExStep {
    pub kind: ExKind,
    pub title: String,
    pub changes: String,
    /// The `Get-` that finds what an earlier run made.
    pub look: Cmdlet,
    /// PowerShell condition on `$found` that says the look found it, when not just "anything".
    pub found_when: Option<String>,
    /// The `New-`/`Add-` that makes it.
    pub make: Option<Cmdlet>,
    /// The mailbox or role the step is about.
    pub subject: Option<String>,
    /// Commands that define the variables the step's cmdlets use (`$group`).
    pub prelude: Vec<String>,
}

impl ExStep {
    /// What an administrator runs for this step by hand, one command a line: the prelude, then
    /// the cmdlet that makes it (or, for a step that only reads, the one that reads).
    pub fn commands(&self) -> Vec<String> {
        let main = self.make.as_ref().unwrap_or(&self.look).powershell();
        self.prelude.iter().cloned().chain([main]).collect()
    }

    /// A stable key for the journal.
    pub fn key(&self) -> String {
        match &self.subject {
            Some(s) => format!("{:?}:{s}", self.kind).to_ascii_lowercase(),
            None => format!("{:?}", self.kind).to_ascii_lowercase(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeInput {
    pub kind: ScopeKind,
    pub access: Vec<AccessChoice>,
    pub app_name: String,
    pub client_id: String,
    /// The app's service principal (Enterprise application) object id.
    pub sp_object_id: String,
    pub group: Option<GroupRef>,
    pub mailboxes: Vec<String>,
    pub deny_mailbox: Option<String>,
    /// The administrator declined adding the app to the organisation's EWS allow list.
    pub decline_ews_allow_list: bool,
}

impl ScopeInput {
    pub fn scope_name(&self) -> String {
        format!("{} mailboxes", self.app_name)
    }

    pub fn policy_description(&self) -> String {
        format!("{} — set up by m365-mail-wizard", self.app_name)
    }

    fn group_steps(&self) -> bool {
        self.kind.uses_group()
            && scoped_by_group_under(self.kind, &self.access)
            && self.group.is_some()
    }

    /// Who goes in the group: the mailboxes to reach, or for a deny policy the one to block.
    pub fn group_members(&self) -> Vec<String> {
        if self.kind == ScopeKind::DenyPolicy {
            self.deny_mailbox.iter().cloned().collect()
        } else {
            self.mailboxes.clone()
        }
    }

    fn needs_service_principal(&self) -> bool {
        needs_mailbox_permission(self.kind, &self.access)
            || (self.kind == ScopeKind::Rbac && self.group_steps())
    }
}

/// The Exchange Online steps, in order.
pub fn steps(i: &ScopeInput) -> Vec<ExStep> {
    let mut out = vec![mailboxes_exist(i)];
    let group = i.group.as_ref().filter(|_| i.group_steps());
    if let Some(g) = group {
        out.push(group_exists(g));
        out.extend(i.group_members().iter().map(|m| member_of(g, m)));
    }
    if i.needs_service_principal() {
        out.push(service_principal(i));
    }
    if let Some(g) = group {
        match i.kind {
            ScopeKind::Rbac => {
                out.push(management_scope(i, g));
                out.extend(
                    rbac_roles(&i.access)
                        .into_iter()
                        .map(|r| role_in_scope(i, r)),
                );
            }
            ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy => out.push(access_policy(i, g)),
            ScopeKind::AllMailboxes => {}
        }
    }
    if needs_mailbox_permission(i.kind, &i.access) {
        out.extend(i.mailboxes.iter().map(|m| full_access(i, m)));
    }
    if i.access.contains(&AccessChoice::Ews) {
        out.push(super::ews::allow_list(i));
    }
    if i.access.contains(&AccessChoice::Smtp) {
        out.extend(i.mailboxes.iter().map(|m| super::smtp_auth::allow(m)));
    }
    out
}

impl ExStep {
    pub(super) fn new(
        kind: ExKind,
        title: String,
        changes: impl Into<String>,
        look: Cmdlet,
    ) -> ExStep {
        ExStep {
            kind,
            title,
            changes: changes.into(),
            look,
            found_when: None,
            make: None,
            subject: None,
            prelude: Vec::new(),
        }
    }

    pub(super) fn made_by(mut self, make: Cmdlet) -> ExStep {
        self.make = Some(make);
        self
    }

    pub(super) fn found_when(mut self, condition: String) -> ExStep {
        self.found_when = Some(condition);
        self
    }

    pub(super) fn about(mut self, subject: &str) -> ExStep {
        self.subject = Some(subject.to_string());
        self
    }
}

fn mailboxes_exist(i: &ScopeInput) -> ExStep {
    let mut named = i.mailboxes.clone();
    named.extend(i.deny_mailbox.clone());
    ExStep::new(
        ExKind::Mailboxes,
        format!("Check the mailboxes exist: {}", named.join(", ")),
        "nothing (read only)",
        Cmdlet::new("Get-Mailbox").text("ResultSize", "Unlimited"),
    )
}

fn group_exists(g: &GroupRef) -> ExStep {
    let mut make = Cmdlet::new("New-DistributionGroup")
        .text("Name", &g.name)
        .text("Alias", &g.alias())
        .text("Type", "Security");
    if let Some(a) = &g.address {
        make = make.text("PrimarySmtpAddress", a);
    }
    ExStep::new(
        ExKind::Group,
        format!(
            "Create or reuse the mail-enabled security group \"{}\"",
            g.identity()
        ),
        "a mail-enabled security group that names the mailboxes in scope; an existing one is reused, and whoever manages it (its ManagedBy) is named",
        Cmdlet::new("Get-DistributionGroup").text("Identity", g.identity()),
    )
    .made_by(make)
}

fn member_of(g: &GroupRef, m: &str) -> ExStep {
    ExStep::new(
        ExKind::Member,
        format!("Add {m} to the group"),
        format!(
            "{m} becomes a member of {}, added by the Exchange administrator even when others manage the group (-BypassSecurityGroupManagerCheck)",
            g.identity()
        ),
        Cmdlet::new("Get-DistributionGroupMember")
            .text("Identity", g.identity())
            .text("ResultSize", "Unlimited"),
    )
    .found_when(format!(
        "$found | Where-Object PrimarySmtpAddress -eq {}",
        quote(m)
    ))
    .made_by(
        Cmdlet::new("Add-DistributionGroupMember")
            .text("Identity", g.identity())
            .text("Member", m)
            .switch("BypassSecurityGroupManagerCheck"),
    )
    .about(m)
}

fn service_principal(i: &ScopeInput) -> ExStep {
    ExStep::new(
        ExKind::ServicePrincipal,
        "Register the app's service principal in Exchange Online".into(),
        if i.sp_object_id == super::script::SP_VAR {
            "Exchange learns the app, by its Enterprise application's object id".to_string()
        } else {
            format!(
                "Exchange learns the app, by its Enterprise application object id {}",
                i.sp_object_id
            )
        },
        Cmdlet::new("Get-ServicePrincipal").text("Identity", &i.client_id),
    )
    .made_by(
        Cmdlet::new("New-ServicePrincipal")
            .text("AppId", &i.client_id)
            .text("ObjectId", &i.sp_object_id)
            .text("DisplayName", &i.app_name),
    )
}

fn management_scope(i: &ScopeInput, g: &GroupRef) -> ExStep {
    let scope = i.scope_name();
    let mut st = ExStep::new(
        ExKind::ManagementScope,
        format!("Create the management scope \"{scope}\" (members of the group)"),
        "a scope that Exchange evaluates as \"is a member of the group\"",
        Cmdlet::new("Get-ManagementScope").text("Identity", &scope),
    )
    .made_by(Cmdlet {
        name: "New-ManagementScope",
        params: vec![
            ("Name", Arg::Text(scope.clone())),
            ("RecipientRestrictionFilter", Arg::MemberOfGroup),
        ],
    });
    st.prelude = vec![format!(
        "$group = Get-DistributionGroup -Identity {}",
        quote(g.identity())
    )];
    st
}

fn role_in_scope(i: &ScopeInput, role: &str) -> ExStep {
    let scope = i.scope_name();
    ExStep::new(
        ExKind::RoleAssignment,
        format!("Assign \"{role}\" within the scope"),
        if role == "Application SMTP.SendAsApp" {
            format!("the app may send through SMTP AUTH as the group's members only ({role}): no mailbox permission, no Entra SMTP.SendAsApp permission")
        } else {
            format!("the app holds {role} for the group's members only")
        },
        Cmdlet::new("Get-ManagementRoleAssignment")
            .text("RoleAssignee", &i.sp_object_id)
            .text("Role", role),
    )
    .found_when(format!(
        "$found | Where-Object CustomResourceScope -eq {}",
        quote(&scope)
    ))
    .made_by(
        Cmdlet::new("New-ManagementRoleAssignment")
            .text("App", &i.sp_object_id)
            .text("Role", role)
            .text("CustomResourceScope", &scope),
    )
    .about(role)
}

fn access_policy(i: &ScopeInput, g: &GroupRef) -> ExStep {
    let right = if i.kind == ScopeKind::RestrictPolicy {
        "RestrictAccess"
    } else {
        "DenyAccess"
    };
    ExStep::new(
        ExKind::AccessPolicy,
        format!("Create the application access policy ({right}, legacy)"),
        format!(
            "Graph and EWS calls by the app are limited by {}",
            g.identity()
        ),
        Cmdlet::new("Get-ApplicationAccessPolicy"),
    )
    .found_when(format!(
        "$found | Where-Object {{ $_.AppId -eq {} -and $_.AccessRight -eq {} }}",
        quote(&i.client_id),
        quote(right)
    ))
    .made_by(
        Cmdlet::new("New-ApplicationAccessPolicy")
            .text("AppId", &i.client_id)
            .text("PolicyScopeGroupId", g.identity())
            .text("AccessRight", right)
            .text("Description", &i.policy_description()),
    )
}

fn full_access(i: &ScopeInput, m: &str) -> ExStep {
    let protocols = full_access_protocols(i.kind, &i.access).join(", ");
    let mut changes = format!("{protocols} sign-ins by the app may open {m}");
    if i.kind == ScopeKind::Rbac {
        changes.push_str(
            " (RBAC for Applications has no role for IMAP or POP: they keep the service principal and FullAccess)",
        );
    }
    ExStep::new(
        ExKind::MailboxPermission,
        format!("Give the service principal FullAccess to {m}"),
        changes,
        Cmdlet::new("Get-MailboxPermission")
            .text("Identity", m)
            .text("User", &i.sp_object_id),
    )
    .found_when("$found | Where-Object { $_.AccessRights -contains 'FullAccess' }".into())
    .made_by(
        Cmdlet::new("Add-MailboxPermission")
            .text("Identity", m)
            .text("User", &i.sp_object_id)
            .text("AccessRights", "FullAccess"),
    )
    .about(m)
}

/// The service's own test of one mailbox, or none when no scope applies.
pub fn test_cmdlet(i: &ScopeInput, mailbox: &str) -> Option<Cmdlet> {
    if !i.group_steps() {
        return None;
    }
    Some(match i.kind {
        ScopeKind::Rbac => Cmdlet::new("Test-ServicePrincipalAuthorization")
            .text("Identity", &i.sp_object_id)
            .text("Resource", mailbox),
        _ => Cmdlet::new("Test-ApplicationAccessPolicy")
            .text("Identity", mailbox)
            .text("AppId", &i.client_id),
    })
}

/// The mailboxes the service's own test runs for: every intended one, then the one outside.
pub fn tested_mailboxes(i: &ScopeInput) -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = i.mailboxes.iter().map(|m| (m.clone(), true)).collect();
    if let Some(d) = &i.deny_mailbox {
        v.push((d.clone(), false));
    }
    v
}

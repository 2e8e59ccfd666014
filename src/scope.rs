//! Which mailboxes an app may reach, and the Exchange Online steps that make it so. Every step is
//! a cmdlet with its parameters, so the automated path and the PowerShell script are made from
//! the same data and cannot drift apart. Pure.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::AccessChoice;

pub use crate::model::{ScopeKind, ScopeRecord};

/// What the admin chose for the Exchange Online part of a setup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeSpec {
    pub kind: ScopeKind,
    pub group: Option<GroupRef>,
    pub mailboxes: Vec<String>,
    /// A mailbox that must stay out of reach; the setup picks one when none is named.
    pub deny_mailbox: Option<String>,
    /// Write the PowerShell script for the admin to run, instead of making the changes.
    pub script_only: bool,
}

impl ScopeSpec {
    /// What a profile keeps of this scope.
    pub fn record(&self, app_name: &str) -> ScopeRecord {
        ScopeRecord {
            kind: self.kind,
            group: self.group.as_ref().map(|g| g.identity().to_string()),
            app_name: app_name.to_string(),
        }
    }

    /// The input of [`steps`] once the app and its service principal exist.
    pub fn input(
        &self,
        access: &[AccessChoice],
        app_name: &str,
        client_id: &str,
        sp: &str,
    ) -> ScopeInput {
        ScopeInput {
            kind: self.kind,
            access: access.to_vec(),
            app_name: app_name.to_string(),
            client_id: client_id.to_string(),
            sp_object_id: sp.to_string(),
            group: self.group.clone(),
            mailboxes: self.mailboxes.clone(),
            deny_mailbox: self.deny_mailbox.clone(),
        }
    }
}

/// The Entra permissions a scope leaves out, as names.
pub fn omitted(kind: ScopeKind, access: &[AccessChoice]) -> Vec<String> {
    bypassing_permissions(kind, access)
        .into_iter()
        .map(String::from)
        .collect()
}

impl ScopeRecord {
    /// The steps' input for an app known only by variables of a script (`$app`, `$sp`).
    pub fn script_input(
        &self,
        access: &[AccessChoice],
        mailboxes: &[String],
        deny_mailbox: Option<&str>,
    ) -> ScopeInput {
        ScopeInput {
            kind: self.kind,
            access: access.to_vec(),
            app_name: self.app_name.clone(),
            client_id: APP_VAR.into(),
            sp_object_id: SP_VAR.into(),
            group: self.group.as_deref().and_then(|g| GroupRef::parse(g).ok()),
            mailboxes: mailboxes.to_vec(),
            deny_mailbox: deny_mailbox.map(String::from),
        }
    }

    /// Application permissions the app's tokens need not — and should not — carry.
    pub fn omitted(&self, access: &[AccessChoice]) -> Vec<String> {
        omitted(self.kind, access)
    }
}

/// A scoped setup is ready to hand over when every check passed, the out-of-scope mailbox
/// included — or, for all mailboxes, when there is nothing to keep out.
pub fn ready_to_hand_over(
    scope: Option<&ScopeRecord>,
    access: &[AccessChoice],
    has_deny_mailbox: bool,
    all_passed: bool,
) -> bool {
    let Some(s) = scope else { return false };
    all_passed
        && (has_deny_mailbox || (s.kind == ScopeKind::AllMailboxes && scoped_by_group(access)))
}

/// The group that names the mailboxes in scope: a display name, or a primary SMTP address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub name: String,
    pub address: Option<String>,
}

impl GroupRef {
    pub fn parse(s: &str) -> Result<GroupRef, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("the group is empty: give a display name or an SMTP address".into());
        }
        // A client secret's Value carries a `~`; a group name practically never does.
        if t.contains('~') && crate::model::looks_like_secret(t) {
            return Err("that looks like a client secret's Value, not a group: give the group's display name or SMTP address".into());
        }
        if t.contains(['"', '\'', '`', '$', '\n', '\r']) {
            return Err(format!(
                "the group \"{}\" has a quote, backtick or $: use letters, digits, spaces, '-', '_' or '.'",
                crate::model::echo_safe(t)
            ));
        }
        if let Some((local, domain)) = t.split_once('@') {
            let ok = !local.is_empty() && domain.contains('.') && !t.contains(char::is_whitespace);
            if !ok {
                return Err(format!(
                    "the group address \"{t}\" is not an address: use name@domain"
                ));
            }
            return Ok(GroupRef {
                name: local.to_string(),
                address: Some(t.to_ascii_lowercase()),
            });
        }
        Ok(GroupRef {
            name: t.to_string(),
            address: None,
        })
    }

    /// What the cmdlets' `-Identity` takes.
    pub fn identity(&self) -> &str {
        self.address.as_deref().unwrap_or(&self.name)
    }

    pub fn alias(&self) -> String {
        self.name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    }
}

/// RBAC for Applications roles for the choices (REFERENCE.md 1.4, 4.2).
pub fn rbac_roles(access: &[AccessChoice]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for a in access {
        let role = match a {
            AccessChoice::GraphRead => "Application Mail.Read",
            AccessChoice::GraphReadWrite => "Application Mail.ReadWrite",
            AccessChoice::GraphSend => "Application Mail.Send",
            AccessChoice::Ews => "Application EWS.AccessAsApp",
            _ => continue,
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    out
}

/// The Entra application permission an RBAC role stands in for.
pub fn entra_permission_of(rbac_role: &str) -> Option<&'static str> {
    match rbac_role {
        "Application Mail.Read" => Some("Mail.Read"),
        "Application Mail.ReadWrite" => Some("Mail.ReadWrite"),
        "Application Mail.Send" => Some("Mail.Send"),
        "Application EWS.AccessAsApp" => Some("full_access_as_app"),
        _ => None,
    }
}

/// IMAP, POP and SMTP are scoped by FullAccess on each mailbox, whatever the scope kind.
pub fn needs_mailbox_permission(access: &[AccessChoice]) -> bool {
    access.iter().any(|a| {
        matches!(
            a,
            AccessChoice::Imap | AccessChoice::Pop | AccessChoice::Smtp
        )
    })
}

/// Graph and EWS are what group scopes and policies restrict.
pub fn scoped_by_group(access: &[AccessChoice]) -> bool {
    access
        .iter()
        .any(|a| a.uses_graph() || *a == AccessChoice::Ews)
}

/// Entra application permissions the plan must not grant: under RBAC they would reach every
/// mailbox regardless of the scope.
pub fn bypassing_permissions(kind: ScopeKind, access: &[AccessChoice]) -> Vec<&'static str> {
    if kind != ScopeKind::Rbac {
        return Vec::new();
    }
    rbac_roles(access)
        .into_iter()
        .filter_map(entra_permission_of)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    /// `MemberOfGroup -eq '<group DN>'`: the DN is known once the group exists.
    MemberOfGroup,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmdlet {
    pub name: &'static str,
    pub params: Vec<(&'static str, Arg)>,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Cmdlet {
    fn new(name: &'static str) -> Cmdlet {
        Cmdlet {
            name,
            params: Vec::new(),
        }
    }

    fn text(mut self, p: &'static str, v: &str) -> Cmdlet {
        self.params.push((p, Arg::Text(v.to_string())));
        self
    }

    pub fn powershell(&self) -> String {
        let mut s = self.name.to_string();
        for (p, v) in &self.params {
            let value = match v {
                Arg::Text(t) => quote(t),
                Arg::MemberOfGroup => {
                    "\"MemberOfGroup -eq '$($group.DistinguishedName)'\"".to_string()
                }
            };
            s.push_str(&format!(" -{p} {value}"));
        }
        s
    }

    /// The `Parameters` object of an InvokeCommand request.
    pub fn parameters(&self, group_dn: Option<&str>) -> Value {
        let mut m = Map::new();
        for (p, v) in &self.params {
            let value = match v {
                Arg::Text(t) => Value::String(t.clone()),
                Arg::MemberOfGroup => Value::String(format!(
                    "MemberOfGroup -eq '{}'",
                    group_dn.unwrap_or_default()
                )),
            };
            m.insert((*p).to_string(), value);
        }
        Value::Object(m)
    }

    pub fn text_param(&self, p: &str) -> Option<&str> {
        self.params.iter().find_map(|(k, v)| match v {
            Arg::Text(t) if *k == p => Some(t.as_str()),
            _ => None,
        })
    }
}

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
}

impl ExStep {
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
}

impl ScopeInput {
    pub fn scope_name(&self) -> String {
        format!("{} mailboxes", self.app_name)
    }

    pub fn policy_description(&self) -> String {
        format!("{} — set up by m365-mail-wizard", self.app_name)
    }

    fn group_steps(&self) -> bool {
        self.kind.uses_group() && scoped_by_group(&self.access) && self.group.is_some()
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
        needs_mailbox_permission(&self.access)
            || (self.kind == ScopeKind::Rbac && self.group_steps())
    }
}

/// The Exchange Online steps, in order.
pub fn steps(i: &ScopeInput) -> Vec<ExStep> {
    let mut out = Vec::new();
    let mut named = i.mailboxes.clone();
    named.extend(i.deny_mailbox.clone());
    out.push(ExStep {
        kind: ExKind::Mailboxes,
        title: format!("Check the mailboxes exist: {}", named.join(", ")),
        changes: "nothing (read only)".into(),
        look: Cmdlet::new("Get-Mailbox").text("ResultSize", "Unlimited"),
        found_when: None,
        make: None,
        subject: None,
    });
    if i.group_steps() {
        let g = i.group.as_ref().expect("group_steps");
        let mut make = Cmdlet::new("New-DistributionGroup")
            .text("Name", &g.name)
            .text("Alias", &g.alias())
            .text("Type", "Security");
        if let Some(a) = &g.address {
            make = make.text("PrimarySmtpAddress", a);
        }
        out.push(ExStep {
            kind: ExKind::Group,
            title: format!(
                "Create or reuse the mail-enabled security group \"{}\"",
                g.identity()
            ),
            changes: "a mail-enabled security group that names the mailboxes in scope".into(),
            look: Cmdlet::new("Get-DistributionGroup").text("Identity", g.identity()),
            found_when: None,
            make: Some(make),
            subject: None,
        });
        for m in &i.group_members() {
            out.push(ExStep {
                kind: ExKind::Member,
                title: format!("Add {m} to the group"),
                changes: format!("{m} becomes a member of {}", g.identity()),
                look: Cmdlet::new("Get-DistributionGroupMember")
                    .text("Identity", g.identity())
                    .text("ResultSize", "Unlimited"),
                found_when: Some(format!(
                    "$found | Where-Object PrimarySmtpAddress -eq {}",
                    quote(m)
                )),
                make: Some(
                    Cmdlet::new("Add-DistributionGroupMember")
                        .text("Identity", g.identity())
                        .text("Member", m),
                ),
                subject: Some(m.clone()),
            });
        }
    }
    if i.needs_service_principal() {
        out.push(ExStep {
            kind: ExKind::ServicePrincipal,
            title: "Register the app's service principal in Exchange Online".into(),
            changes: format!(
                "Exchange learns the app, by its Enterprise application object id {}",
                i.sp_object_id
            ),
            look: Cmdlet::new("Get-ServicePrincipal").text("Identity", &i.client_id),
            found_when: None,
            make: Some(
                Cmdlet::new("New-ServicePrincipal")
                    .text("AppId", &i.client_id)
                    .text("ObjectId", &i.sp_object_id)
                    .text("DisplayName", &i.app_name),
            ),
            subject: None,
        });
    }
    if i.group_steps() {
        let g = i.group.as_ref().expect("group_steps");
        match i.kind {
            ScopeKind::Rbac => {
                let scope = i.scope_name();
                out.push(ExStep {
                    kind: ExKind::ManagementScope,
                    title: format!(
                        "Create the management scope \"{scope}\" (members of the group)"
                    ),
                    changes: "a scope that Exchange evaluates as \"is a member of the group\""
                        .into(),
                    look: Cmdlet::new("Get-ManagementScope").text("Identity", &scope),
                    found_when: None,
                    make: Some(Cmdlet {
                        name: "New-ManagementScope",
                        params: vec![
                            ("Name", Arg::Text(scope.clone())),
                            ("RecipientRestrictionFilter", Arg::MemberOfGroup),
                        ],
                    }),
                    subject: None,
                });
                for role in rbac_roles(&i.access) {
                    out.push(ExStep {
                        kind: ExKind::RoleAssignment,
                        title: format!("Assign \"{role}\" within the scope"),
                        changes: format!("the app holds {role} for the group's members only"),
                        look: Cmdlet::new("Get-ManagementRoleAssignment")
                            .text("RoleAssignee", &i.sp_object_id)
                            .text("Role", role),
                        found_when: Some(format!(
                            "$found | Where-Object CustomResourceScope -eq {}",
                            quote(&scope)
                        )),
                        make: Some(
                            Cmdlet::new("New-ManagementRoleAssignment")
                                .text("App", &i.sp_object_id)
                                .text("Role", role)
                                .text("CustomResourceScope", &scope),
                        ),
                        subject: Some(role.to_string()),
                    });
                }
            }
            ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy => {
                let right = if i.kind == ScopeKind::RestrictPolicy {
                    "RestrictAccess"
                } else {
                    "DenyAccess"
                };
                out.push(ExStep {
                    kind: ExKind::AccessPolicy,
                    title: format!("Create the application access policy ({right}, legacy)"),
                    changes: format!(
                        "Graph and EWS calls by the app are limited by {}",
                        g.identity()
                    ),
                    look: Cmdlet::new("Get-ApplicationAccessPolicy"),
                    found_when: Some(format!(
                        "$found | Where-Object {{ $_.AppId -eq {} -and $_.AccessRight -eq {} }}",
                        quote(&i.client_id),
                        quote(right)
                    )),
                    make: Some(
                        Cmdlet::new("New-ApplicationAccessPolicy")
                            .text("AppId", &i.client_id)
                            .text("PolicyScopeGroupId", g.identity())
                            .text("AccessRight", right)
                            .text("Description", &i.policy_description()),
                    ),
                    subject: None,
                });
            }
            ScopeKind::AllMailboxes => {}
        }
    }
    if needs_mailbox_permission(&i.access) {
        for m in &i.mailboxes {
            out.push(ExStep {
                kind: ExKind::MailboxPermission,
                title: format!("Give the service principal FullAccess to {m}"),
                changes: format!("IMAP, POP and SMTP sign-ins by the app may open {m}"),
                look: Cmdlet::new("Get-MailboxPermission")
                    .text("Identity", m)
                    .text("User", &i.sp_object_id),
                found_when: Some(
                    "$found | Where-Object { $_.AccessRights -contains 'FullAccess' }".into(),
                ),
                make: Some(
                    Cmdlet::new("Add-MailboxPermission")
                        .text("Identity", m)
                        .text("User", &i.sp_object_id)
                        .text("AccessRights", "FullAccess"),
                ),
                subject: Some(m.clone()),
            });
        }
    }
    out
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

const APP_VAR: &str = "\u{1}app";
const SP_VAR: &str = "\u{1}sp";

/// The steps of [`script`] alone, with `$app.AppId` / `$sp.Id` where a `script_input` holds
/// the app's variables.
pub fn script_steps(i: &ScopeInput) -> String {
    let text = steps_text(i);
    text.replace(&quote(APP_VAR), "$app.AppId")
        .replace(&quote(SP_VAR), "$sp.Id")
}

/// The Exchange Online part as one PowerShell script (Exchange Online module), safe to run
/// twice: each change is made only when its `Get-` finds nothing.
pub fn script(i: &ScopeInput, tenant: &str) -> String {
    let mut s = String::new();
    s.push_str("# Exchange Online part of the mailbox scope, made by m365-mail-wizard.\n");
    s.push_str(&format!(
        "# Scope: {} ({}).\n# Safe to run twice: every change is made only when its Get- finds nothing.\n",
        i.kind.key(),
        i.kind.label()
    ));
    if !i.kind.uses_group() && scoped_by_group(&i.access) {
        s.push_str("# WARNING: the app's Graph/EWS permission reaches every mailbox of the organisation.\n");
    }
    s.push_str("$ErrorActionPreference = 'Stop'\n");
    s.push_str(&format!(
        "Connect-ExchangeOnline -Organization {} -ShowBanner:$false\n",
        quote(tenant)
    ));
    s.push_str(&steps_text(i));
    s
}

fn steps_text(i: &ScopeInput) -> String {
    let mut s = String::new();
    for (n, st) in steps(i).iter().enumerate() {
        s.push_str(&format!("\n# {}. {}\n", n + 1, st.title));
        let Some(make) = &st.make else {
            let named: Vec<String> = i
                .mailboxes
                .iter()
                .chain(i.deny_mailbox.iter())
                .map(|m| quote(m))
                .collect();
            s.push_str(&format!(
                "foreach ($m in @({})) {{ Get-Mailbox -Identity $m | Out-Null }}\n",
                named.join(", ")
            ));
            continue;
        };
        s.push_str(&format!(
            "$found = {} -ErrorAction SilentlyContinue\n",
            st.look.powershell()
        ));
        let cond = st.found_when.clone().unwrap_or_else(|| "$found".into());
        if st.kind == ExKind::ManagementScope {
            let g = i.group.as_ref().map(GroupRef::identity).unwrap_or_default();
            s.push_str(&format!(
                "$group = Get-DistributionGroup -Identity {}\n",
                quote(g)
            ));
        }
        s.push_str(&format!(
            "if (-not ({cond})) {{\n    {}\n}}\n",
            make.powershell()
        ));
    }
    let tests: Vec<(String, bool)> = tested_mailboxes(i);
    if tests.iter().any(|(m, _)| test_cmdlet(i, m).is_some()) {
        s.push_str(
            "\n# Verify with the service's own test: intended mailboxes in scope, the other not.\n",
        );
        s.push_str("# Changes can take up to two hours to reach every server; the test itself is immediate.\n");
        for (m, intended) in tests {
            if let Some(t) = test_cmdlet(i, &m) {
                s.push_str(&format!(
                    "{}   # expected: {}\n",
                    t.powershell(),
                    if intended { "in scope" } else { "out of scope" }
                ));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: ScopeKind, access: &[AccessChoice]) -> ScopeInput {
        ScopeInput {
            kind,
            access: access.to_vec(),
            app_name: "Helpdesk mail".into(),
            client_id: "11111111-1111-4111-8111-111111111111".into(),
            sp_object_id: "22222222-2222-4222-8222-222222222222".into(),
            group: Some(GroupRef::parse("helpdesk-scope@contoso.example").unwrap()),
            mailboxes: vec!["alice@contoso.example".into(), "bob@contoso.example".into()],
            deny_mailbox: Some("ceo@contoso.example".into()),
        }
    }

    fn kinds(s: &[ExStep]) -> Vec<ExKind> {
        s.iter().map(|x| x.kind).collect()
    }

    #[test]
    fn rbac_for_graph_and_ews() {
        let i = input(
            ScopeKind::Rbac,
            &[AccessChoice::GraphRead, AccessChoice::Ews],
        );
        let s = steps(&i);
        assert_eq!(
            kinds(&s),
            [
                ExKind::Mailboxes,
                ExKind::Group,
                ExKind::Member,
                ExKind::Member,
                ExKind::ServicePrincipal,
                ExKind::ManagementScope,
                ExKind::RoleAssignment,
                ExKind::RoleAssignment
            ]
        );
        let roles: Vec<&str> = s
            .iter()
            .filter_map(|x| x.make.as_ref()?.text_param("Role"))
            .collect();
        assert_eq!(
            roles,
            ["Application Mail.Read", "Application EWS.AccessAsApp"]
        );
        let sp = s[4].make.as_ref().unwrap();
        assert_eq!(sp.text_param("ObjectId"), Some(i.sp_object_id.as_str()));
        assert_eq!(
            bypassing_permissions(ScopeKind::Rbac, &i.access),
            ["Mail.Read", "full_access_as_app"]
        );
        let scope = s[5].make.as_ref().unwrap();
        assert_eq!(
            scope.parameters(Some("CN=g,DC=x"))["RecipientRestrictionFilter"],
            "MemberOfGroup -eq 'CN=g,DC=x'"
        );
    }

    #[test]
    fn imap_gets_full_access_and_no_group() {
        let i = input(ScopeKind::Rbac, &[AccessChoice::Imap, AccessChoice::Pop]);
        let s = steps(&i);
        assert_eq!(
            kinds(&s),
            [
                ExKind::Mailboxes,
                ExKind::ServicePrincipal,
                ExKind::MailboxPermission,
                ExKind::MailboxPermission
            ]
        );
        assert!(bypassing_permissions(ScopeKind::Rbac, &i.access).is_empty());
        assert!(test_cmdlet(&i, "alice@contoso.example").is_none());
    }

    #[test]
    fn policies_keep_the_entra_permission() {
        let i = input(ScopeKind::DenyPolicy, &[AccessChoice::GraphSend]);
        let s = steps(&i);
        assert_eq!(
            kinds(&s),
            [
                ExKind::Mailboxes,
                ExKind::Group,
                ExKind::Member,
                ExKind::AccessPolicy
            ]
        );
        assert_eq!(
            s[2].subject.as_deref(),
            Some("ceo@contoso.example"),
            "the group holds the blocked mailbox"
        );
        assert_eq!(
            s[3].make.as_ref().unwrap().text_param("AccessRight"),
            Some("DenyAccess")
        );
        assert!(bypassing_permissions(ScopeKind::DenyPolicy, &i.access).is_empty());
        assert_eq!(
            test_cmdlet(&i, "ceo@contoso.example").unwrap().name,
            "Test-ApplicationAccessPolicy"
        );
    }

    #[test]
    fn all_mailboxes_has_nothing_to_scope() {
        let i = input(ScopeKind::AllMailboxes, &[AccessChoice::GraphRead]);
        assert_eq!(kinds(&steps(&i)), [ExKind::Mailboxes]);
        assert!(script(&i, "contoso.example").contains("WARNING"));
    }

    #[test]
    fn script_makes_each_change_only_when_missing() {
        let i = input(
            ScopeKind::Rbac,
            &[AccessChoice::GraphRead, AccessChoice::Imap],
        );
        let sc = script(&i, "contoso.example");
        let makes = steps(&i).iter().filter(|s| s.make.is_some()).count();
        assert_eq!(sc.matches("if (-not (").count(), makes);
        assert!(sc.contains(
            "New-ManagementScope -Name 'Helpdesk mail mailboxes' -RecipientRestrictionFilter \"MemberOfGroup -eq '$($group.DistinguishedName)'\""
        ));
        assert!(sc.contains("Test-ServicePrincipalAuthorization -Identity '22222222-2222-4222-8222-222222222222' -Resource 'ceo@contoso.example'   # expected: out of scope"));
    }

    #[test]
    fn a_saved_scope_becomes_script_steps_on_the_apps_variables() {
        let rec = ScopeRecord {
            kind: ScopeKind::Rbac,
            group: Some("helpdesk-scope@contoso.example".into()),
            app_name: "Helpdesk mail".into(),
        };
        let i = rec.script_input(
            &[AccessChoice::GraphRead],
            &["alice@contoso.example".into()],
            Some("ceo@contoso.example"),
        );
        let s = script_steps(&i);
        assert!(s.contains("New-ServicePrincipal -AppId $app.AppId -ObjectId $sp.Id -DisplayName 'Helpdesk mail'"), "{s}");
        assert!(s.contains("New-ManagementRoleAssignment -App $sp.Id -Role 'Application Mail.Read' -CustomResourceScope 'Helpdesk mail mailboxes'"), "{s}");
        assert!(!s.contains('\u{1}'));
    }

    #[test]
    fn quotes_are_doubled_and_bad_groups_refused() {
        let c = Cmdlet::new("New-X").text("Name", "O'Brien");
        assert_eq!(c.powershell(), "New-X -Name 'O''Brien'");
        assert!(GroupRef::parse("a$b").is_err());
        let pasted = GroupRef::parse("sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD").unwrap_err();
        assert!(
            pasted.contains("client secret") && !pasted.contains("sbx1Q"),
            "{pasted}"
        );
        assert!(GroupRef::parse("HelpdeskMailboxesContoso2026Production").is_ok());
        assert!(GroupRef::parse("@x").is_err());
        assert!(GroupRef::parse("  ").is_err());
        let g = GroupRef::parse("Helpdesk Scope").unwrap();
        assert_eq!(
            (g.identity(), g.alias().as_str()),
            ("Helpdesk Scope", "HelpdeskScope")
        );
    }
}

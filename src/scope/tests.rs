use super::*;
use crate::model::{AccessChoice, ScopeKind, ScopeRecord};
use ExKind::{
    AccessPolicy, EwsAllowList, Group, MailboxPermission, Mailboxes, ManagementScope, Member,
    RoleAssignment, ServicePrincipal,
};

pub(super) fn input(kind: ScopeKind, access: &[AccessChoice]) -> ScopeInput {
    ScopeInput {
        kind,
        access: access.to_vec(),
        app_name: "Helpdesk mail".into(),
        client_id: "11111111-1111-4111-8111-111111111111".into(),
        sp_object_id: "22222222-2222-4222-8222-222222222222".into(),
        group: Some(GroupRef::parse("helpdesk-scope@contoso.example").unwrap()),
        mailboxes: vec!["alice@contoso.example".into(), "bob@contoso.example".into()],
        deny_mailbox: Some("ceo@contoso.example".into()),
        decline_ews_allow_list: false,
    }
}

pub(super) fn kinds(s: &[ExStep]) -> Vec<ExKind> {
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
            Mailboxes,
            Group,
            Member,
            Member,
            ServicePrincipal,
            ManagementScope,
            RoleAssignment,
            RoleAssignment,
            EwsAllowList
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
            Mailboxes,
            ServicePrincipal,
            MailboxPermission,
            MailboxPermission
        ]
    );
    assert!(bypassing_permissions(ScopeKind::Rbac, &i.access).is_empty());
    assert!(test_cmdlet(&i, "alice@contoso.example").is_none());
}

#[test]
fn policies_keep_the_entra_permission() {
    let i = input(ScopeKind::DenyPolicy, &[AccessChoice::GraphSend]);
    let s = steps(&i);
    assert_eq!(kinds(&s), [Mailboxes, Group, Member, AccessPolicy]);
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
    assert_eq!(kinds(&steps(&i)), [Mailboxes]);
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
    assert!(
        s.contains(
            "New-ServicePrincipal -AppId $app.AppId -ObjectId $sp.Id -DisplayName 'Helpdesk mail'"
        ),
        "{s}"
    );
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

#[test]
fn members_are_added_whoever_manages_the_group() {
    let i = input(ScopeKind::Rbac, &[AccessChoice::GraphRead]);
    let member = steps(&i).into_iter().find(|s| s.kind == Member).unwrap();
    let add = member.make.as_ref().unwrap();
    assert_eq!(
        add.powershell(),
        "Add-DistributionGroupMember -Identity 'helpdesk-scope@contoso.example' -Member 'alice@contoso.example' -BypassSecurityGroupManagerCheck"
    );
    assert_eq!(
        add.parameters(None),
        serde_json::json!({
            "Identity": "helpdesk-scope@contoso.example",
            "Member": "alice@contoso.example",
            "BypassSecurityGroupManagerCheck": true,
        })
    );
    assert!(member.changes.contains("-BypassSecurityGroupManagerCheck"));
    let sc = script(&i, "contoso.example");
    assert!(
        sc.contains(
            "Write-Host \"Reusing the existing group, managed by: $($found.ManagedBy -join ', ')\""
        ),
        "{sc}"
    );
    let group = steps(&i).into_iter().find(|s| s.kind == Group).unwrap();
    assert!(group.changes.contains("ManagedBy"), "{}", group.changes);
}

#[test]
fn only_user_and_shared_mailboxes_may_be_denied() {
    let listing = mailbox_listing();
    assert_eq!(
        listing.powershell(),
        "Get-Mailbox -RecipientTypeDetails 'UserMailbox','SharedMailbox' -ResultSize '20'"
    );
    assert_eq!(
        listing.parameters(None)["RecipientTypeDetails"],
        serde_json::json!(["UserMailbox", "SharedMailbox"])
    );
    let row = |mail: &str, kind: Option<&str>| match kind {
        Some(k) => serde_json::json!({"PrimarySmtpAddress": mail, "RecipientTypeDetails": k}),
        None => serde_json::json!({"PrimarySmtpAddress": mail}),
    };
    let rows = [
        row(
            "DiscoverySearchMailbox{D919BA05-46A6-415f-80AD-7E09334BB852}@contoso.example",
            Some("DiscoveryMailbox"),
        ),
        row("room1@contoso.example", Some("RoomMailbox")),
        row("nokind@contoso.example", None),
        row("Alice@contoso.example", Some("UserMailbox")),
        row("team@contoso.example", Some("SharedMailbox")),
    ];
    let named = ["alice@contoso.example".to_string()];
    assert_eq!(
        pick_deny_mailbox(&rows, &named).as_deref(),
        Some("team@contoso.example")
    );
    assert_eq!(
        pick_deny_mailbox(&rows, &[]).as_deref(),
        Some("alice@contoso.example")
    );
    assert_eq!(pick_deny_mailbox(&rows[..3], &[]), None);
}

#[test]
fn every_script_defines_what_it_uses_one_command_a_line() {
    let mixed = [
        AccessChoice::GraphRead,
        AccessChoice::Imap,
        AccessChoice::Smtp,
        AccessChoice::Ews,
    ];
    for kind in ScopeKind::ALL {
        let i = input(kind, &mixed);
        let sc = script(&i, "contoso.example");
        assert_eq!(
            crate::plan::undefined_variables(&sc),
            Vec::<String>::new(),
            "{sc}"
        );
        assert_eq!(
            crate::plan::crowded_lines(&sc),
            Vec::<String>::new(),
            "{sc}"
        );
        let rec = ScopeRecord {
            kind,
            group: Some("helpdesk-scope@contoso.example".into()),
            app_name: "Helpdesk mail".into(),
        };
        let steps = script_steps(&rec.script_input(
            &mixed,
            &[
                "alice@contoso.example".into(),
                "frank@contoso.example".into(),
            ],
            Some("ceo@contoso.example"),
        ));
        let with_app = format!("$app = 1\n$sp = 1\n{steps}");
        assert_eq!(
            crate::plan::undefined_variables(&with_app),
            Vec::<String>::new(),
            "{steps}"
        );
        assert_eq!(crate::plan::crowded_lines(&steps), Vec::<String>::new());
    }
}

#[test]
fn the_delegated_script_looks_before_it_gives_each_user_full_access() {
    let steps = delegated_steps(
        &["alice@contoso.example".to_string()],
        &["carol@contoso.example".to_string()],
    );
    let sc = delegated_script(&steps, "contoso.example");
    assert_eq!(
        crate::plan::undefined_variables(&sc),
        Vec::<String>::new(),
        "{sc}"
    );
    assert_eq!(
        crate::plan::crowded_lines(&sc),
        Vec::<String>::new(),
        "{sc}"
    );
    let look = sc.find("$found = Get-MailboxPermission").unwrap();
    let make = sc
        .find("Add-MailboxPermission -Identity 'carol@contoso.example' -User 'alice@contoso.example' -AccessRights 'FullAccess'")
        .unwrap();
    assert!(look < make, "{sc}");
}

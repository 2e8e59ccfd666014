use super::*;

fn role(name: &str) -> HeldRole {
    HeldRole {
        name: name.into(),
        role_id: format!("id-{name}"),
        resource_sp: "f0000000-0000-4000-8000-000000000001".into(),
        assignment_id: format!("as-{name}"),
    }
}

fn policy(right: &str, group: &str) -> HeldPolicy {
    HeldPolicy {
        identity: format!("t\\app:{group}"),
        group: group.into(),
        access_right: right.into(),
        description: "seeded".into(),
    }
}

fn found(roles: &[&str], policies: Vec<HeldPolicy>, exchange_principal: bool) -> Found {
    Found {
        app_name: "Helpdesk".into(),
        client_id: "a1f5c0de-0001-4000-8000-00000000c001".into(),
        sp_id: "e0000000-0001-4000-8000-00000000b001".into(),
        exchange_principal,
        roles: roles.iter().map(|r| role(r)).collect(),
        policies,
    }
}

fn choice(own_group: bool) -> Choice {
    Choice {
        profile: "helpdesk".into(),
        mailboxes: vec!["alice@contoso.example".into(), "bob@contoso.example".into()],
        own_group,
        deny_mailbox: "CEO@contoso.example".into(),
    }
}

fn keys(p: &Plan) -> Vec<String> {
    p.steps.iter().map(Step::key).collect()
}

#[test]
fn the_scope_is_proved_before_the_roles_go_and_the_policy_goes_last() {
    let f = found(
        &[
            "Mail.Read",
            "Mail.Send",
            "IMAP.AccessAsApp",
            "full_access_as_app",
        ],
        vec![policy(
            "RestrictAccess",
            "helpdesk-mailboxes@contoso.example",
        )],
        true,
    );
    let p = plan(&f, &choice(false)).unwrap();
    assert_eq!(
        keys(&p),
        [
            "scope",
            "role:application mail.read",
            "role:application mail.send",
            "role:application ews.accessasapp",
            "service-test",
            "entra:mail.read",
            "entra:mail.send",
            "entra:full_access_as_app",
            "live-proof",
            "policy:t\\app:helpdesk-mailboxes@contoso.example",
        ]
    );
    assert_eq!(p.group, "helpdesk-mailboxes@contoso.example");
    assert_eq!(p.deny_mailbox, "ceo@contoso.example");
    assert_eq!(p.scope_name, "Helpdesk mailboxes");
    assert!(p.kept[0].starts_with("IMAP.AccessAsApp"), "{:?}", p.kept);
    let text = script(&p);
    for cmd in [
        "New-ManagementScope -Name 'Helpdesk mailboxes'",
        "New-ManagementRoleAssignment -App 'e0000000-0001-4000-8000-00000000b001' -Role 'Application Mail.Read'",
        "Test-ServicePrincipalAuthorization",
        "Remove-MgServicePrincipalAppRoleAssignment",
        "undo: New-MgServicePrincipalAppRoleAssignment",
        "Remove-ApplicationAccessPolicy",
        "undo: New-ApplicationAccessPolicy",
    ] {
        assert!(text.contains(cmd), "{cmd} in:\n{text}");
    }
    assert!(crate::plan::undefined_variables(&text).is_empty(), "{text}");
}

#[test]
fn chosen_mailboxes_get_a_group_and_an_unknown_principal_is_registered_first() {
    let f = found(&["Mail.Read"], vec![policy("DenyAccess", "vips")], false);
    let p = plan(&f, &choice(true)).unwrap();
    assert_eq!(
        keys(&p)[..3],
        ["exchange-principal", "group", "scope"].map(String::from)
    );
    assert_eq!(p.group, "m365mw-helpdesk-rbac");
    assert_eq!(keys(&p).last().unwrap(), "policy:t\\app:vips");
}

#[test]
fn what_cannot_be_migrated_says_what_to_do() {
    let none = found(&["IMAP.AccessAsApp"], Vec::new(), true);
    assert!(
        plan(&none, &choice(false))
            .unwrap_err()
            .0
            .contains("nothing to move")
    );
    let deny_only = found(&["Mail.Read"], vec![policy("DenyAccess", "vips")], true);
    assert!(
        plan(&deny_only, &choice(false))
            .unwrap_err()
            .0
            .contains("--mailboxes")
    );
    let unscoped = found(&["Mail.Read"], Vec::new(), true);
    assert!(
        plan(&unscoped, &choice(false))
            .unwrap_err()
            .0
            .contains("--mailboxes")
    );
    assert!(plan(&unscoped, &choice(true)).is_ok());
    let mut c = choice(true);
    c.deny_mailbox = String::new();
    assert!(
        plan(&unscoped, &c)
            .unwrap_err()
            .0
            .contains("--deny-mailbox")
    );
    c.deny_mailbox = "alice@contoso.example".into();
    assert!(plan(&unscoped, &c).unwrap_err().0.contains("both"));
}

use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Call, run};
use crate::sandbox::tenant::Tenant;

fn call(name: &str, params: Value, english: bool) -> Call {
    Call {
        name: name.into(),
        params: params.as_object().cloned().unwrap_or_default(),
        effective_ms: 0,
        caller: "admin@contoso.example".into(),
        english,
        replicated_before: i64::MAX,
    }
}

/// The rows of a cmdlet that must succeed.
fn ok(t: &mut Tenant, c: &Call) -> Vec<Value> {
    run(t, c).unwrap_or_else(|r| panic!("{} refused: {:?}", c.name, r.into_response()))
}

fn addresses(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["PrimarySmtpAddress"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn system_mailboxes_are_listed_unless_the_request_leaves_them_out() {
    let mut t = Tenant::seed();
    let all = ok(
        &mut t,
        &call("Get-Mailbox", json!({"ResultSize": "20"}), true),
    );
    assert_eq!(
        all[0]["PrimarySmtpAddress"],
        "DiscoverySearchMailbox{D919BA05-46A6-415f-80AD-7E09334BB852}@contoso.example"
    );
    assert_eq!(all[0]["RecipientTypeDetails"], "DiscoveryMailbox");
    assert!(
        all.iter()
            .any(|r| r["RecipientTypeDetails"] == "RoomMailbox")
    );
    let people = ok(
        &mut t,
        &call(
            "Get-Mailbox",
            json!({"RecipientTypeDetails": ["UserMailbox", "SharedMailbox"], "ResultSize": "20"}),
            true,
        ),
    );
    assert!(
        people
            .iter()
            .all(|r| r["RecipientTypeDetails"] == "UserMailbox"),
        "{people:?}"
    );
    assert_eq!(addresses(&people)[0], "admin@contoso.example");
    let two = ok(
        &mut t,
        &call("Get-Mailbox", json!({"ResultSize": "2"}), true),
    );
    assert_eq!(two.len(), 2, "ResultSize is honoured");
}

#[test]
fn only_a_manager_adds_members_unless_the_check_is_bypassed() {
    let mut t = Tenant::seed();
    let group = ok(
        &mut t,
        &call(
            "Get-DistributionGroup",
            json!({"Identity": "helpdesk-mailboxes"}),
            true,
        ),
    );
    assert_eq!(group[0]["ManagedBy"], json!(["Carol Finance"]));
    let add = |bypass: bool| {
        let mut p = json!({"Identity": "helpdesk-mailboxes", "Member": "grace@contoso.example"});
        if bypass {
            p["BypassSecurityGroupManagerCheck"] = json!(true);
        }
        call("Add-DistributionGroupMember", p, true)
    };
    let refused = run(&mut t, &add(false)).unwrap_err().into_response();
    assert_eq!(refused.status(), axum::http::StatusCode::FORBIDDEN);
    assert!(
        !t.find_group("helpdesk-mailboxes")
            .unwrap()
            .members
            .contains(&"grace@contoso.example".to_string())
    );
    ok(&mut t, &add(true));
    assert!(
        t.find_group("helpdesk-mailboxes")
            .unwrap()
            .members
            .contains(&"grace@contoso.example".to_string())
    );

    let made = ok(
        &mut t,
        &call(
            "New-DistributionGroup",
            json!({"Name": "mine", "Type": "Security"}),
            true,
        ),
    );
    assert_eq!(
        made[0]["ManagedBy"],
        json!(["Avery Admin"]),
        "the maker owns it"
    );
    let own = call(
        "Add-DistributionGroupMember",
        json!({"Identity": "mine", "Member": "alice@contoso.example"}),
        true,
    );
    ok(&mut t, &own);
}

#[test]
fn test_answers_are_in_english_only_when_asked_for() {
    let mut t = Tenant::seed();
    let app = t
        .apps
        .iter()
        .find(|a| a.key == "scoped")
        .unwrap()
        .client_id
        .clone();
    let test = |english: bool| {
        call(
            "Test-ApplicationAccessPolicy",
            json!({"Identity": "alice@contoso.example", "AppId": app}),
            english,
        )
    };
    let en = ok(&mut t, &test(true));
    let fr = ok(&mut t, &test(false));
    assert_eq!(en[0]["AccessCheckResult"], "Granted");
    assert_eq!(fr[0]["AccessCheckResult"], "Accordé");
}

#[test]
fn a_new_group_or_service_principal_cannot_be_found_while_it_replicates() {
    let mut t = Tenant::seed();
    let group = json!({"Name": "fresh", "Type": "Security"});
    ok(&mut t, &call("New-DistributionGroup", group, true));
    let add = json!({"Identity": "fresh", "Member": "alice@contoso.example"});
    let mut early = call("Add-DistributionGroupMember", add.clone(), true);
    early.replicated_before = 0;
    let refused = run(&mut t, &early).expect_err("not replicated yet");
    assert_eq!(
        refused.into_response().status(),
        404,
        "Exchange's couldn't-be-found answer"
    );
    let mut listing = call(
        "Get-DistributionGroupMember",
        json!({"Identity": "fresh"}),
        true,
    );
    listing.replicated_before = 0;
    assert!(run(&mut t, &listing).is_err());
    // Once replicated, the same cmdlet works; seeded objects never lag.
    ok(&mut t, &call("Add-DistributionGroupMember", add, true));
    let mut seeded = call(
        "Get-Mailbox",
        json!({"Identity": "bob@contoso.example"}),
        true,
    );
    seeded.replicated_before = 0;
    ok(&mut t, &seeded);
}

#[test]
fn a_user_gets_full_access_on_a_shared_mailbox_and_reads_it_back() {
    let mut t = Tenant::seed();
    let get = call(
        "Get-MailboxPermission",
        json!({"Identity": "carol@contoso.example", "User": "alice@contoso.example"}),
        true,
    );
    assert!(ok(&mut t, &get).is_empty(), "nothing granted yet");
    let add = call(
        "Add-MailboxPermission",
        json!({"Identity": "carol@contoso.example", "User": "alice@contoso.example", "AccessRights": "FullAccess"}),
        true,
    );
    ok(&mut t, &add);
    ok(&mut t, &add);
    let rows = ok(&mut t, &get);
    assert_eq!(rows.len(), 1, "granted once: {rows:?}");
    assert_eq!(rows[0]["User"], "alice@contoso.example");
    assert_eq!(rows[0]["AccessRights"], json!(["FullAccess"]));
    let alice = t.user("alice@contoso.example").unwrap().id.clone();
    assert!(
        t.mailbox_permissions
            .iter()
            .any(|p| p.mailbox == "carol@contoso.example" && p.principal == alice),
        "kept by the user's object id"
    );
    let other = call(
        "Get-MailboxPermission",
        json!({"Identity": "carol@contoso.example", "User": "bob@contoso.example"}),
        true,
    );
    assert!(ok(&mut t, &other).is_empty(), "bob@ holds nothing");
    let nobody = call(
        "Add-MailboxPermission",
        json!({"Identity": "carol@contoso.example", "User": "nobody@contoso.example", "AccessRights": "FullAccess"}),
        true,
    );
    assert!(run(&mut t, &nobody).is_err(), "an unknown user is refused");
}

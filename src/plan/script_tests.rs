//! The PowerShell the plan shows: as one script it assigns every variable before using it and
//! runs no two commands together; once the app's ids are known each step stands alone with
//! them filled in.

use super::*;
use crate::model::ScopeKind;
use crate::scope::GroupRef;

const CLIENT: &str = "a1f5c0de-0009-4000-8000-00000000c009";
const SP: &str = "5be0c0de-0009-4000-8000-0000000005b9";

fn answers(kind: Option<ScopeKind>, access: &[AccessChoice]) -> SetupAnswers {
    let mut a = super::tests::answers(access);
    a.scope = kind.map(|kind| ScopeSpec {
        kind,
        group: Some(GroupRef::parse("helpdesk-scope@contoso.example").unwrap()),
        mailboxes: vec![
            "alice@contoso.example".into(),
            "frank@contoso.example".into(),
        ],
        deny_mailbox: Some("ceo@contoso.example".into()),
        script_only: false,
        decline_ews_allow_list: false,
    });
    a
}

/// Every scope with a mix of access choices, and the delegated style.
fn every_setup() -> Vec<SetupAnswers> {
    let mixed = [
        AccessChoice::GraphRead,
        AccessChoice::Imap,
        AccessChoice::Smtp,
        AccessChoice::Ews,
    ];
    let mut all: Vec<SetupAnswers> = ScopeKind::ALL
        .iter()
        .map(|k| answers(Some(*k), &mixed))
        .collect();
    all.push(answers(Some(ScopeKind::Rbac), &[AccessChoice::GraphRead]));
    all.push(answers(None, &[AccessChoice::Delegated]));
    all.push(answers(None, &[AccessChoice::GraphSend, AccessChoice::Pop]));
    all
}

fn script(steps: &[PlanStep]) -> String {
    steps
        .iter()
        .filter(|s| s.kind != StepKind::Verify)
        .map(|s| s.powershell.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_plan_as_one_script_defines_what_it_uses_one_command_a_line() {
    for a in every_setup() {
        let text = script(&plan(&a));
        assert_eq!(undefined_variables(&text), Vec::<String>::new(), "{text}");
        assert_eq!(crowded_lines(&text), Vec::<String>::new(), "{text}");
        assert!(!text.contains('<'), "no placeholder:\n{text}");
    }
}

#[test]
fn once_the_ids_are_known_each_step_stands_alone_with_them() {
    let ids = KnownIds {
        client_id: Some(CLIENT.into()),
        sp_object_id: Some(SP.into()),
    };
    for a in every_setup() {
        for st in plan_with(&a, &ids)
            .iter()
            .filter(|s| s.kind != StepKind::Verify)
        {
            let ps = &st.powershell;
            assert_eq!(undefined_variables(ps), Vec::<String>::new(), "{ps}");
            assert_eq!(crowded_lines(ps), Vec::<String>::new(), "{ps}");
            for text in st.portal.iter().chain([ps]) {
                assert!(!text.contains('<'), "a placeholder left: {text}");
            }
            if st.kind == StepKind::Exchange || st.kind == StepKind::ExchangeTest {
                assert!(!ps.contains("$sp") && !ps.contains("$app"), "{ps}");
                assert_eq!(
                    st.portal.last(),
                    Some(ps),
                    "the portal shows the same commands"
                );
            }
        }
    }
    let p = plan_with(
        &answers(
            Some(ScopeKind::Rbac),
            &[AccessChoice::GraphRead, AccessChoice::Imap],
        ),
        &ids,
    );
    let sp = p
        .iter()
        .find(|s| s.powershell.contains("New-ServicePrincipal"))
        .unwrap();
    assert!(
        sp.powershell.contains(&format!(
            "New-ServicePrincipal -AppId '{CLIENT}' -ObjectId '{SP}'"
        )),
        "{}",
        sp.powershell
    );
    let scope = p
        .iter()
        .find(|s| s.powershell.contains("New-ManagementScope"))
        .unwrap();
    assert!(
        scope.powershell.starts_with(
            "$group = Get-DistributionGroup -Identity 'helpdesk-scope@contoso.example'\n"
        ),
        "{}",
        scope.powershell
    );
    let test = p.iter().find(|s| s.kind == StepKind::ExchangeTest).unwrap();
    assert_eq!(test.powershell.lines().count(), 3, "{}", test.powershell);
}

#[test]
fn with_only_the_client_id_known_a_step_looks_the_service_principal_up_first() {
    let ids = KnownIds {
        client_id: Some(CLIENT.into()),
        sp_object_id: None,
    };
    let p = plan_with(&answers(Some(ScopeKind::Rbac), &[AccessChoice::Imap]), &ids);
    for st in p.iter().filter(|s| s.kind != StepKind::Verify) {
        assert_eq!(undefined_variables(&st.powershell), Vec::<String>::new());
    }
    let sp = p
        .iter()
        .find(|s| s.powershell.contains("New-ServicePrincipal "))
        .unwrap();
    assert!(
        sp.powershell.starts_with(&format!(
            "$sp = Get-MgServicePrincipal -Filter \"appId eq '{CLIENT}'\"\nNew-ServicePrincipal -AppId '{CLIENT}' -ObjectId $sp.Id"
        )),
        "{}",
        sp.powershell
    );
    let secret = p.iter().find(|s| s.kind == StepKind::AddSecret).unwrap();
    assert!(secret.powershell.starts_with("$app = Get-MgApplication"));
}

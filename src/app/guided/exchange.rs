//! The Exchange Online steps of the guided path read back by their `Get-`/`Test-` cmdlets, as
//! the signed-in Exchange administrator: nothing is made here, only looked at.

use serde_json::{Value, json};

use super::verify::{PastedApp, StepToRead};
use crate::app::Env;
use crate::app::setup::{ExchangeAdmin, TestReading, not_found, read_smtp_auth, read_test, texts};
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::{ClientId, Diagnosis, ObjectId, StepStatus};
use crate::plan::StepKind;
use crate::scope::{self, ExKind, ExStep, ScopeInput};

/// Reads back an Exchange step (or the service's own test) of the app whose service principal
/// is `sp`.
pub(super) async fn read(
    env: &Env,
    app: &PastedApp<'_>,
    sp: ObjectId,
    step: &StepToRead<'_>,
    ex: &ExchangeAdmin,
) -> StepStatus {
    let a = step.answers;
    let cmdlets = Cmdlets::new(&env.http, app.endpoints, app.tenant_id, &ex.token, &ex.upn);
    if let Some(st) = a
        .delegated_steps()
        .into_iter()
        .find(|s| Some(s.key().as_str()) == step.permission)
    {
        if st.kind == ExKind::SmtpAuth {
            return smtp_auth(&cmdlets, &st).await;
        }
        return match cmdlets.invoke(st.look.name, st.look.parameters(None)).await {
            Ok(o) if o.rows.iter().any(full_access) => {
                StepStatus::Done(format!("{} shows it", st.look.name))
            }
            Ok(_) => missing(&st, &st.look.powershell()),
            Err(e) if not_found(&e) => missing(&st, &st.look.powershell()),
            Err(e) => could_not_read(&e),
        };
    }
    let Some(spec) = &a.scope else {
        return StepStatus::Unverified("the setup has no Exchange Online part".into());
    };
    let input = spec.input(
        &a.access,
        &a.app_name,
        &app.client_id.to_string(),
        &sp.to_string(),
    );
    if step.kind == StepKind::ExchangeTest {
        return service_test(&cmdlets, &input).await;
    }
    let Some(st) = scope::steps(&input)
        .into_iter()
        .find(|s| Some(s.key().as_str()) == step.permission)
    else {
        return StepStatus::Unverified("this Exchange step is not part of the scope".into());
    };
    let found = match st.kind {
        ExKind::Mailboxes => return mailboxes(&cmdlets, &input).await,
        ExKind::SmtpAuth => return smtp_auth(&cmdlets, &st).await,
        _ => cmdlets.invoke(st.look.name, st.look.parameters(None)).await,
    };
    let rows = match found {
        Ok(o) => o.rows,
        Err(e) if not_found(&e) => Vec::new(),
        Err(e) => return could_not_read(&e),
    };
    judge(&st, &input, app.client_id, sp, &rows)
}

fn could_not_read(e: &CloudError) -> StepStatus {
    StepStatus::Unverified(format!("Exchange Online could not be read ({e})"))
}

/// What the step's `Get-` answered, judged: the thing is there as the step makes it.
fn judge(
    st: &ExStep,
    input: &ScopeInput,
    client: ClientId,
    sp: ObjectId,
    rows: &[Value],
) -> StepStatus {
    let asked = st.look.powershell();
    let subject = st.subject.clone().unwrap_or_default().to_ascii_lowercase();
    let ok = match st.kind {
        ExKind::Group => {
            let Some(g) = rows.first() else {
                return missing(st, &asked);
            };
            if !g["GroupType"]
                .as_str()
                .is_some_and(|t| t.contains("SecurityEnabled"))
            {
                return StepStatus::Failed(Diagnosis {
                    summary: "The group exists, but is not a mail-enabled security group.".into(),
                    evidence: format!("GroupType: {}", g["GroupType"].as_str().unwrap_or("?")),
                    cause: "Scopes and policies need a security principal; a distribution list or Microsoft 365 group is not one.".into(),
                    fix: "Go back (esc) to the answers and name another group, or make this one with -Type Security.".into(),
                });
            }
            true
        }
        ExKind::Member => texts(rows, "PrimarySmtpAddress").contains(&subject),
        ExKind::ServicePrincipal => {
            let Some(registered) = rows.first().and_then(|r| r["ObjectId"].as_str()) else {
                return missing(st, &asked);
            };
            if ObjectId::parse(registered).is_ok_and(|id| id == sp) {
                true
            } else {
                return StepStatus::Failed(Diagnosis {
                    summary: "Exchange knows this app under the wrong object id.".into(),
                    evidence: format!("registered ObjectId {registered}; the app's service principal is {sp}"),
                    cause: "It was registered with the App registration's object id (or another one) instead of the Enterprise application's: tokens are issued, mailbox access fails.".into(),
                    fix: format!("Run Remove-ServicePrincipal -Identity {registered}, then the command shown, and press enter again."),
                });
            }
        }
        ExKind::ManagementScope => rows.iter().any(|r| {
            r["RecipientFilter"]
                .as_str()
                .is_some_and(|f| f.contains("MemberOfGroup"))
        }),
        ExKind::RoleAssignment => {
            let scope = input.scope_name().to_ascii_lowercase();
            texts(rows, "CustomResourceScope").contains(&scope)
        }
        ExKind::AccessPolicy => {
            let right = st
                .make
                .as_ref()
                .and_then(|m| m.text_param("AccessRight"))
                .unwrap_or_default();
            rows.iter().any(|p| {
                p["AppId"]
                    .as_str()
                    .is_some_and(|a| ClientId::parse(a).is_ok_and(|a| a == client))
                    && p["AccessRight"].as_str() == Some(right)
            })
        }
        ExKind::MailboxPermission | ExKind::UserFullAccess => rows.iter().any(full_access),
        ExKind::Mailboxes | ExKind::SmtpAuth => true,
        ExKind::EwsAllowList => rows.first().is_none_or(|org| {
            org["EwsEnabled"] != serde_json::Value::Bool(true)
                || input.decline_ews_allow_list
                || org["EwsAllowedAppIDs"].as_str().is_some_and(|ids| {
                    crate::model::lists_app(&crate::model::parse_app_ids(ids), &client.to_string())
                })
        }),
    };
    if ok {
        StepStatus::Done(format!("{} shows it", st.look.name))
    } else {
        missing(st, &asked)
    }
}

/// A `Get-MailboxPermission` row that grants FullAccess.
fn full_access(p: &Value) -> bool {
    p["AccessRights"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("FullAccess")))
}

/// The step's change is not there.
fn missing(st: &ExStep, asked: &str) -> StepStatus {
    StepStatus::Failed(Diagnosis {
        summary: format!("Exchange Online does not show it yet: {}.", lower_first(&st.title)),
        evidence: format!("{asked} found nothing that matches"),
        cause: "The command was not run, stopped with an error, or ran against another organisation.".into(),
        fix: "Run the command shown in Exchange Online PowerShell (Connect-ExchangeOnline first), then press enter to read it again.".into(),
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every named mailbox is a mailbox of the organisation.
async fn mailboxes(cmdlets: &Cmdlets<'_>, input: &ScopeInput) -> StepStatus {
    let named: Vec<&String> = input
        .mailboxes
        .iter()
        .chain(input.deny_mailbox.iter())
        .collect();
    for m in &named {
        match cmdlets
            .invoke("Get-Mailbox", json!({ "Identity": m }))
            .await
        {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                return StepStatus::Failed(Diagnosis {
                    summary: format!("{m} is not a mailbox in this tenant."),
                    evidence: e.to_string(),
                    cause: "The address is mistyped, belongs to a group or a contact, or the mailbox has no Exchange Online licence.".into(),
                    fix: format!("Go back (esc) to the answers and correct or remove {m}."),
                });
            }
            Err(e) => return could_not_read(&e),
        }
    }
    StepStatus::Done(format!("{} found", named.len()))
}

/// SMTP AUTH is allowed for the step's mailbox: its own switch, or the organisation's.
async fn smtp_auth(cmdlets: &Cmdlets<'_>, st: &ExStep) -> StepStatus {
    let m = st.subject.clone().unwrap_or_default();
    match read_smtp_auth(cmdlets, &m).await {
        Err(e) => could_not_read(&e),
        Ok(state) if !state.off() => {
            StepStatus::Done(format!("SMTP AUTH allowed for {m} ({})", state.words()))
        }
        Ok(state) => StepStatus::Failed(Diagnosis {
            summary: format!("SMTP AUTH is still off for {m}."),
            evidence: format!(
                "Get-TransportConfig, Get-CASMailbox -Identity {m}: {}",
                state.words()
            ),
            cause: "The command was not run, or ran for another mailbox.".into(),
            fix: format!(
                "Run Set-CASMailbox -Identity {m} -SmtpClientAuthenticationDisabled $false (this mailbox only; not Set-TransportConfig, which would allow it for every mailbox), then press enter to read it again."
            ),
        }),
    }
}

/// The service's own test for every intended mailbox and the one outside.
async fn service_test(cmdlets: &Cmdlets<'_>, input: &ScopeInput) -> StepStatus {
    let mut told = Vec::new();
    let mut wrong = Vec::new();
    let mut unread = Vec::new();
    for (m, intended) in scope::tested_mailboxes(input) {
        let Some(c) = scope::test_cmdlet(input, &m) else {
            continue;
        };
        let rows = match cmdlets.invoke(c.name, c.parameters(None)).await {
            Ok(o) => o.rows,
            Err(e) => return could_not_read(&e),
        };
        let reached = match read_test(input.kind, &rows) {
            TestReading::InScope => true,
            TestReading::OutOfScope => false,
            TestReading::Unreadable(value) => {
                unread.push(format!("{m}: {value}"));
                continue;
            }
        };
        let said = if reached { "in scope" } else { "out of scope" };
        told.push(format!("{m} {said}"));
        if reached != intended {
            wrong.push(format!(
                "{m} is {said} but should be {}",
                if intended { "in" } else { "out" }
            ));
        }
    }
    if wrong.is_empty() && !unread.is_empty() {
        StepStatus::Unverified(format!(
            "Exchange's answer could not be read (neither in nor out of scope): {}",
            unread.join("; ")
        ))
    } else if wrong.is_empty() {
        StepStatus::Done(told.join(", "))
    } else {
        StepStatus::Failed(Diagnosis {
            summary: "Exchange's own test disagrees with the intended scope.".into(),
            evidence: wrong.join("; "),
            cause: "A step before was not run, an older policy or role assignment for this app grants or blocks more, or a mailbox is in the group by mistake.".into(),
            fix: "Check the steps before (esc), remove what is not wanted, and press enter to test again.".into(),
        })
    }
}

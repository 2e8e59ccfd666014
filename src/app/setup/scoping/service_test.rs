//! Exchange's own test of the scope (`Test-ServicePrincipalAuthorization`,
//! `Test-ApplicationAccessPolicy`) for every intended mailbox and the one outside; an answer it
//! cannot read is said to be so, never taken for access or a denial.

use serde_json::Value;

use super::Ctx;
use crate::app::setup::SetupError;
use crate::cloud::exchange_admin::Invoked;
use crate::model::Diagnosis;
use crate::model::ScopeKind;
use crate::model::StepStatus;
use crate::plan::StepKind;
use crate::scope::{self, ScopeInput};

/// How many of the service's tests run at once.
pub const TESTS_AT_ONCE: usize = 4;

/// `Test-ServicePrincipalAuthorization` / `Test-ApplicationAccessPolicy` for every intended
/// mailbox and the one outside.
pub(super) async fn service_test(ctx: &Ctx<'_, '_>, input: &ScopeInput) -> Result<(), SetupError> {
    let r = ctx.r;
    let tests: Vec<(String, bool, scope::Cmdlet)> = scope::tested_mailboxes(input)
        .into_iter()
        .filter_map(|(m, intended)| scope::test_cmdlet(input, &m).map(|c| (m, intended, c)))
        .collect();
    if tests.is_empty() {
        return Ok(());
    }
    let i = r.index(StepKind::ExchangeTest, None);
    r.emit(i, StepStatus::Running);
    let results: Vec<Result<Invoked, SetupError>> = {
        use futures_util::StreamExt;
        let calls: Vec<_> = tests
            .iter()
            .map(|(_, _, c)| {
                let (name, params) = (c.name, c.parameters(None));
                let doing = "testing the scope";
                async move {
                    ctx.invoke_waiting(i, name, params, ctx.fresh.principal, doing)
                        .await
                }
            })
            .collect();
        futures_util::stream::iter(calls)
            .buffered(TESTS_AT_ONCE)
            .collect()
            .await
    };
    let mut wrong = Vec::new();
    let mut told = Vec::new();
    for ((m, intended, _), res) in tests.iter().zip(results) {
        let out = res?;
        let reached = match read_test(input.kind, &out.rows) {
            TestReading::InScope => true,
            TestReading::OutOfScope => false,
            TestReading::Unreadable(raw) => {
                told.push(format!(
                    "{m}: Exchange's answer could not be read ({raw}); the checks test the access itself"
                ));
                continue;
            }
        };
        told.push(format!(
            "{m} {}",
            if reached { "in scope" } else { "out of scope" }
        ));
        if reached != *intended {
            wrong.push(format!(
                "{m} is {} but should be {}",
                if reached { "in scope" } else { "out of scope" },
                if *intended { "in" } else { "out" }
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: "Exchange's own test disagrees with the intended scope.".into(),
                evidence: wrong.join("; "),
                cause: "An older policy or role assignment for this app grants or blocks more than this setup did, or a mailbox is in the group by mistake.".into(),
                fix: "List what applies with Get-ManagementRoleAssignment -RoleAssignee <service principal> and Get-ApplicationAccessPolicy, remove what is not wanted, and run the setup again.".into(),
            },
        ));
    }
    r.emit(i, StepStatus::Done(told.join(", ")));
    Ok(())
}

/// What Exchange's own test said about one mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TestReading {
    InScope,
    OutOfScope,
    /// A value the wizard does not know (a translated one, say), as it came: never taken for
    /// a denial, nor for access.
    Unreadable(String),
}

/// Reads a test's rows: `InScope` True/False/"Not Run" for each role assignment (RBAC; in scope
/// when any says True), `AccessCheckResult` Granted/Denied (policy).
pub fn read_test(kind: ScopeKind, rows: &[Value]) -> TestReading {
    if kind == ScopeKind::Rbac {
        let mut unreadable = None;
        for r in rows {
            match &r["InScope"] {
                Value::Bool(true) => return TestReading::InScope,
                Value::Bool(false) => {}
                Value::String(s) if s.eq_ignore_ascii_case("true") => {
                    return TestReading::InScope;
                }
                Value::String(s)
                    if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("not run") => {}
                other => {
                    unreadable.get_or_insert_with(|| format!("InScope: {}", shown(other)));
                }
            }
        }
        return unreadable.map_or(TestReading::OutOfScope, TestReading::Unreadable);
    }
    let Some(r) = rows.first() else {
        return TestReading::Unreadable("no result".into());
    };
    match r["AccessCheckResult"].as_str() {
        Some(s) if s.eq_ignore_ascii_case("Granted") => TestReading::InScope,
        Some(s) if s.eq_ignore_ascii_case("Denied") => TestReading::OutOfScope,
        _ => TestReading::Unreadable(format!(
            "AccessCheckResult: {}",
            shown(&r["AccessCheckResult"])
        )),
    }
}

/// A value as the service sent it: text as it is, anything else as JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => crate::model::echo_safe(s),
        Value::Null => "(missing)".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn test_rows_are_read_in_every_form() {
        use TestReading::*;
        let rbac = |rows: &[Value]| read_test(ScopeKind::Rbac, rows);
        assert_eq!(rbac(&[json!({"InScope": true})]), InScope);
        assert_eq!(rbac(&[json!({"InScope": "True"})]), InScope);
        assert_eq!(rbac(&[json!({"InScope": "Not Run"})]), OutOfScope);
        assert_eq!(
            rbac(&[json!({"InScope": false}), json!({"InScope": "False"})]),
            OutOfScope
        );
        assert_eq!(rbac(&[]), OutOfScope);
        assert_eq!(
            rbac(&[json!({"InScope": false}), json!({"InScope": "Vrai"})]),
            Unreadable("InScope: Vrai".into())
        );
        assert_eq!(
            rbac(&[json!({"InScope": "Vrai"}), json!({"InScope": true})]),
            InScope,
            "one assignment in scope is enough"
        );
        let policy = |v: Value| read_test(ScopeKind::RestrictPolicy, &[v]);
        assert_eq!(policy(json!({"AccessCheckResult": "Granted"})), InScope);
        assert_eq!(
            read_test(
                ScopeKind::DenyPolicy,
                &[json!({"AccessCheckResult": "Denied"})]
            ),
            OutOfScope
        );
        assert_eq!(
            policy(json!({"AccessCheckResult": "Accordé"})),
            Unreadable("AccessCheckResult: Accordé".into()),
            "a translated answer is neither access nor a denial"
        );
        assert_eq!(
            policy(json!({"Result": "Granted"})),
            Unreadable("AccessCheckResult: (missing)".into())
        );
        assert_eq!(
            read_test(ScopeKind::RestrictPolicy, &[]),
            Unreadable("no result".into())
        );
    }
}

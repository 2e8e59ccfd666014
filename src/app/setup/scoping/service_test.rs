//! Exchange's own test of the scope (`Test-ServicePrincipalAuthorization`,
//! `Test-ApplicationAccessPolicy`) for every intended mailbox and the one outside.

use serde_json::Value;

use super::Ctx;
use crate::app::setup::SetupError;
use crate::cloud::CloudError;
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
    let results: Vec<Result<Invoked, CloudError>> = {
        use futures_util::StreamExt;
        let calls: Vec<_> = tests
            .iter()
            .map(|(_, _, c)| {
                let (name, params) = (c.name, c.parameters(None));
                async move { ctx.invoke(name, params).await }
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
        let out = res.map_err(|e| ctx.fail(i, &e, "testing the scope"))?;
        let reached = in_scope(input.kind, &out.rows);
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

/// Reads a test's rows: `InScope` True/False/"Not Run" (RBAC), `AccessCheckResult` (policy).
pub fn in_scope(kind: ScopeKind, rows: &[Value]) -> bool {
    match kind {
        ScopeKind::Rbac => rows.iter().any(|r| match &r["InScope"] {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }),
        _ => rows.iter().any(|r| {
            r["AccessCheckResult"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("Granted"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn test_rows_are_read_in_every_form() {
        assert!(in_scope(ScopeKind::Rbac, &[json!({"InScope": true})]));
        assert!(in_scope(ScopeKind::Rbac, &[json!({"InScope": "True"})]));
        assert!(!in_scope(ScopeKind::Rbac, &[json!({"InScope": "Not Run"})]));
        assert!(!in_scope(ScopeKind::Rbac, &[]));
        assert!(in_scope(
            ScopeKind::RestrictPolicy,
            &[json!({"AccessCheckResult": "Granted"})]
        ));
        assert!(!in_scope(
            ScopeKind::DenyPolicy,
            &[json!({"AccessCheckResult": "Denied"})]
        ));
    }
}

//! RBAC for Applications through Graph's Exchange role-management provider: the management
//! scope over the group, and the app's role assignments within it.

use super::{Ctx, Outcome};
use crate::app::setup::SetupError;
use crate::cloud::exchange_admin::RoleAssignment;
use crate::model::Diagnosis;
use crate::scope::{ExStep, ScopeInput};

/// The custom app scope of the group's members.
pub(super) async fn management_scope(
    ctx: &Ctx<'_, '_>,
    input: &ScopeInput,
    i: usize,
) -> Result<Outcome, SetupError> {
    let roles = ctx.roles();
    let name = input.scope_name();
    let found = roles
        .find_custom_scope(&name)
        .await
        .map_err(|err| ctx.fail(i, &err, "reading the management scopes"))?;
    if let Some(id) = found {
        return Ok(Outcome::Scope("already exists".into(), id));
    }
    let Some(dn) = ctx.r.journal.group_dn.clone().filter(|d| !d.is_empty()) else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: "The group's distinguished name is unknown.".into(),
                evidence: "the group step recorded no DN".into(),
                cause: "The group was not found or made in this run.".into(),
                fix: "Run the setup again; it looks the group up first.".into(),
            },
        ));
    };
    let filter = format!("MemberOfGroup -eq '{dn}'");
    let doing = "creating the management scope";
    let id = ctx
        .waiting(i, ctx.fresh.group, doing, || {
            roles.create_custom_scope(&name, &filter)
        })
        .await?;
    ctx.made.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(Outcome::Scope("created".into(), id))
}

/// One application role (the step's subject) for the app's service principal, within the
/// scope; the app's assignments are read once for all of them.
pub(super) async fn role_assignment(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    assigned: &mut Option<Vec<RoleAssignment>>,
) -> Result<Outcome, SetupError> {
    let roles = ctx.roles();
    let role = st.subject.clone().unwrap_or_default();
    let Some(scope_id) = ctx.r.journal.scope_id.clone() else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: "The management scope is unknown.".into(),
                evidence: "no scope id recorded".into(),
                cause: "The scope step did not finish.".into(),
                fix: "Run the setup again.".into(),
            },
        ));
    };
    let def = roles
        .role_definition(&role)
        .await
        .map_err(|err| ctx.fail(i, &err, "looking up the role"))?;
    let Some(def) = def else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: format!("Exchange Online has no role \"{role}\"."),
                evidence: "roleManagement/exchange/roleDefinitions found none".into(),
                cause: "The role name changed, or this cloud does not offer RBAC for Applications."
                    .into(),
                fix: "Use --scope restrict-policy, or the PowerShell path (--exchange powershell)."
                    .into(),
            },
        ));
    };
    if assigned.is_none() {
        *assigned = Some(
            roles
                .role_assignments(ctx.sp)
                .await
                .map_err(|err| ctx.fail(i, &err, "reading the role assignments"))?,
        );
    }
    let existing = assigned.as_deref().unwrap_or_default();
    if existing.iter().any(|a| {
        a.role_definition.eq_ignore_ascii_case(&def)
            && a.app_scope.as_deref() == Some(scope_id.as_str())
    }) {
        return Ok(Outcome::Done("already assigned".into()));
    }
    ctx.waiting(i, ctx.fresh.principal, "assigning the role", || {
        roles.create_role_assignment(&def, ctx.sp, &scope_id)
    })
    .await?;
    ctx.made.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(Outcome::Done("assigned within the scope".into()))
}

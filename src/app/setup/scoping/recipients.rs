//! The Exchange steps run through the admin API's cmdlets: the mailboxes, the mail-enabled
//! security group and its members, the app's Exchange service principal, application access
//! policies and mailbox permissions.

use serde_json::{Value, json};

use super::{Ctx, Outcome, Seen, not_found, texts};
use crate::app::setup::SetupError;
use crate::cloud::CloudError;
use crate::model::ScopeKind;
use crate::model::{ClientId, Diagnosis, ObjectId};
use crate::scope::{self, ExStep, ScopeInput};

/// Every named mailbox exists; the out-of-scope one to check is picked when none was named.
pub(super) async fn mailboxes(
    ctx: &Ctx<'_, '_>,
    input: &mut ScopeInput,
    i: usize,
) -> Result<Outcome, SetupError> {
    let named: Vec<String> = input
        .mailboxes
        .iter()
        .chain(input.deny_mailbox.iter())
        .cloned()
        .collect();
    let found = futures_util::future::join_all(
        named
            .iter()
            .map(|m| ctx.invoke("Get-Mailbox", json!({ "Identity": m }))),
    )
    .await;
    for (m, f) in named.iter().zip(found) {
        match f {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                let d = Diagnosis {
                    summary: format!("{m} is not a mailbox in this tenant."),
                    evidence: e.to_string(),
                    cause: "The address is mistyped, belongs to a group or a contact, or the mailbox has no Exchange Online licence.".into(),
                    fix: format!("Correct or remove {m} and run the setup again."),
                };
                return Err(ctx.r.refuse(i, d));
            }
            Err(e) => return Err(ctx.fail(i, &e, "looking up the mailboxes")),
        }
    }
    let everything = input.kind == ScopeKind::AllMailboxes && scope::scoped_by_group(&input.access);
    if input.deny_mailbox.is_none() && !everything {
        // Asked for user and shared mailboxes, and the answer filtered again: a system
        // mailbox has no Entra user for the Graph check to reach.
        let listing = scope::mailbox_listing();
        let all = ctx
            .invoke(listing.name, listing.parameters(None))
            .await
            .map_err(|e| ctx.fail(i, &e, "listing mailboxes"))?;
        input.deny_mailbox = scope::pick_deny_mailbox(&all.rows, &input.mailboxes);
    }
    Ok(Outcome::Done(match &input.deny_mailbox {
        Some(d) => format!(
            "{} found; {d} is checked as out of scope",
            input.mailboxes.join(", ")
        ),
        None => format!("{} found", input.mailboxes.join(", ")),
    }))
}

/// The group, reused when it is a mail-enabled security group, made when missing; who manages
/// an existing one goes into `seen.managed_by`, and whether this run made it into
/// `seen.group_made`.
pub(super) async fn group(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    seen: &mut Seen,
) -> Result<Outcome, SetupError> {
    match ctx.invoke(st.look.name, st.look.parameters(None)).await {
        Ok(found) if !found.rows.is_empty() => {
            let g = &found.rows[0];
            let security = g["GroupType"]
                .as_str()
                .is_some_and(|t| t.contains("SecurityEnabled"));
            if !security {
                return Err(ctx.r.refuse(
                    i,
                    Diagnosis {
                        summary: format!("{} is a group, but not a mail-enabled security group.", st.look.text_param("Identity").unwrap_or_default()),
                        evidence: format!("GroupType: {}", g["GroupType"].as_str().unwrap_or("?")),
                        cause: "Scopes and policies need a security principal; a distribution list or Microsoft 365 group is not one.".into(),
                        fix: "Name another group with --group (a new name makes a new mail-enabled security group).".into(),
                    },
                ));
            }
            let managers = managers(g);
            let text = format!("existing group reused, {}", whose(&managers));
            seen.managed_by = Some(managers);
            Ok(Outcome::Dn(text, distinguished_name(g)))
        }
        Err(e) if !not_found(&e) => Err(ctx.fail(i, &e, "looking up the group")),
        _ => {
            let made = make_group(ctx, st, i).await?;
            seen.group_made = true;
            Ok(made)
        }
    }
}

/// The group's `ManagedBy`: a list, or one name.
fn managers(group: &Value) -> Vec<String> {
    match &group["ManagedBy"] {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Value::String(s) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Whose group it is, in words.
fn whose(managers: &[String]) -> String {
    if managers.is_empty() {
        "which names no manager (ManagedBy is empty)".into()
    } else {
        format!("managed by {}", managers.join(", "))
    }
}

fn distinguished_name(group: &Value) -> String {
    group["DistinguishedName"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn make_group(ctx: &Ctx<'_, '_>, st: &ExStep, i: usize) -> Result<Outcome, SetupError> {
    let make = st.make.as_ref().expect("group step makes");
    match ctx.invoke(make.name, make.parameters(None)).await {
        Ok(out) => {
            ctx.made.store(true, std::sync::atomic::Ordering::Relaxed);
            let dn = out.rows.first().map(distinguished_name).unwrap_or_default();
            Ok(Outcome::Dn("created".into(), dn))
        }
        Err(CloudError::Graph(g)) if g.code.contains("AlreadyExists") || g.code.contains("ProxyAddressExists") => {
            Err(ctx.r.refuse(
                i,
                Diagnosis {
                    summary: "The group's name or address is taken by another recipient.".into(),
                    evidence: format!("{}: {}", g.code, g.message),
                    cause: "A mailbox, contact or group already uses it, so no new group can have it.".into(),
                    fix: "Give --group another name or address, or the name of an existing mail-enabled security group to reuse.".into(),
                },
            ))
        }
        Err(e) => Err(ctx.fail(i, &e, "creating the group")),
    }
}

/// One mailbox in the group; the members are read once for all of them. Added as the
/// Exchange administrator, whoever manages the group (`managed_by`, when the group existed).
pub(super) async fn member(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    members: &mut Option<Vec<String>>,
    managed_by: Option<&[String]>,
) -> Result<Outcome, SetupError> {
    if members.is_none() {
        let found = ctx
            .look(st, i, "listing the group's members", ctx.fresh.group)
            .await?;
        *members = Some(texts(&found.rows, "PrimarySmtpAddress"));
    }
    let m = st.subject.clone().unwrap_or_default().to_ascii_lowercase();
    if members.as_ref().is_some_and(|ms| ms.contains(&m)) {
        Ok(Outcome::Done("already a member".into()))
    } else {
        ctx.make(st, i, ctx.fresh.group).await?;
        Ok(Outcome::Done(match managed_by {
            Some(m) => format!("added to the group {}", whose(m)),
            None => "added".into(),
        }))
    }
}

/// The app's Exchange service principal, which must point at the app's service principal.
pub(super) async fn service_principal(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
) -> Result<Outcome, SetupError> {
    let sp = ctx.sp;
    match ctx.invoke(st.look.name, st.look.parameters(None)).await {
        Ok(found) if !found.rows.is_empty() => {
            let registered = found.rows[0]["ObjectId"].as_str().unwrap_or_default();
            if ObjectId::parse(registered).is_ok_and(|id| id == sp) {
                Ok(Outcome::Done("already registered".into()))
            } else {
                Err(ctx.r.refuse(
                    i,
                    Diagnosis {
                        summary: "Exchange knows this app under the wrong object id.".into(),
                        evidence: format!("registered ObjectId {registered}; the app's service principal is {sp}"),
                        cause: "It was registered with the app registration's object id (or another one) instead of the Enterprise application's: tokens are issued, mailbox access fails.".into(),
                        fix: format!("In Exchange Online PowerShell run Remove-ServicePrincipal -Identity {registered}, then run the setup again."),
                    },
                ))
            }
        }
        Err(e) if !not_found(&e) => {
            Err(ctx.fail(i, &e, "looking up the Exchange service principal"))
        }
        _ => {
            ctx.make(st, i, ctx.fresh.principal).await?;
            Ok(Outcome::Done("registered".into()))
        }
    }
}

/// An application access policy for the app with the step's access right.
pub(super) async fn access_policy(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
) -> Result<Outcome, SetupError> {
    let right = st
        .make
        .as_ref()
        .and_then(|m| m.text_param("AccessRight"))
        .unwrap_or_default();
    let app = ctx.app;
    let mine = |p: &Value| {
        p["AppId"]
            .as_str()
            .is_some_and(|a| ClientId::parse(a).is_ok_and(|a| a == app))
            && p["AccessRight"].as_str() == Some(right)
    };
    let made = format!("created ({right})");
    look_or_make(
        ctx,
        st,
        i,
        ctx.fresh.group.or(ctx.fresh.principal),
        "reading the access policies",
        mine,
        "a policy for this app exists",
        &made,
    )
    .await
}

/// FullAccess on one mailbox for the app's service principal.
pub(super) async fn mailbox_permission(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
) -> Result<Outcome, SetupError> {
    full_access(ctx, st, i, ctx.fresh.principal).await
}

/// A mailbox user's FullAccess on a shared mailbox (the delegated style): the user is an
/// existing directory object, so nothing is waited for.
pub(super) async fn user_full_access(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
) -> Result<Outcome, SetupError> {
    full_access(ctx, st, i, None).await
}

/// The step's FullAccess, looked for first; its cmdlets may name `new`.
async fn full_access(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    new: Option<&str>,
) -> Result<Outcome, SetupError> {
    let full = |p: &Value| {
        p["AccessRights"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("FullAccess")))
    };
    look_or_make(
        ctx,
        st,
        i,
        new,
        "reading the mailbox's permissions",
        full,
        "FullAccess already granted",
        "FullAccess granted",
    )
    .await
}

/// Looks with the step's cmdlet for a row that `has` accepts; makes it when there is none.
/// Both may name `new`, made moments before.
#[allow(clippy::too_many_arguments)]
async fn look_or_make(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    new: Option<&str>,
    reading: &str,
    has: impl Fn(&Value) -> bool,
    had: &str,
    made: &str,
) -> Result<Outcome, SetupError> {
    let found = ctx.look(st, i, reading, new).await?;
    if found.rows.iter().any(has) {
        Ok(Outcome::Done(had.into()))
    } else {
        ctx.make(st, i, new).await?;
        Ok(Outcome::Done(made.into()))
    }
}

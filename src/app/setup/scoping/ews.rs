//! The EWS step: EWS's switches read (the organisation's `EwsEnabled` and allow list, each
//! mailbox's `EwsEnabled`), and the app's ID added to the allow list where the organisation
//! enforces one, every existing ID kept (docs/ews.md). Switches that block EWS outright are
//! reported with the command an administrator would run, never changed.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use super::{Ctx, Outcome};
use crate::app::setup::SetupError;
use crate::model::{EWS_ENDS, EwsBlock, EwsReading, lists_app, parse_app_ids};
use crate::scope::{ScopeInput, allow_list_value, mailbox_ews_on, org_ews_on, quote};

/// A switch as read: `$true`, `$false`, or none for `$null` (also as text, as some answers
/// carry it).
fn switch(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// `EwsAllowedAppIDs` as read: a comma-separated text or a list.
fn app_ids(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => parse_app_ids(s),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .flat_map(parse_app_ids)
            .collect(),
        _ => Vec::new(),
    }
}

/// The organisation's switch and allow list.
async fn read_org(ctx: &Ctx<'_, '_>, i: usize) -> Result<(Option<bool>, Vec<String>), SetupError> {
    let params = json!({ "RetrieveEwsOperationAccessPolicy": true });
    let org = ctx
        .invoke_waiting(
            i,
            "Get-OrganizationConfig",
            params,
            None,
            "reading the organisation's EWS switch",
        )
        .await?;
    let row = org.rows.first().cloned().unwrap_or(Value::Null);
    Ok((
        switch(&row["EwsEnabled"]),
        app_ids(&row["EwsAllowedAppIDs"]),
    ))
}

/// Reads the switches and adds the app to an enforced allow list unless declined; what was
/// read goes into `reading`.
pub(super) async fn allow_list(
    ctx: &Ctx<'_, '_>,
    input: &ScopeInput,
    i: usize,
    reading: &mut Option<EwsReading>,
) -> Result<Outcome, SetupError> {
    let app = ctx.app.to_string();
    let (org, listed) = read_org(ctx, i).await?;
    let mut r = EwsReading {
        org_enabled: org,
        on_allow_list: lists_app(&listed, &app),
        allowed_app_ids: listed.clone(),
        declined: input.decline_ews_allow_list,
        ..EwsReading::default()
    };
    for m in input.mailboxes.iter().chain(input.deny_mailbox.iter()) {
        let cas = ctx
            .invoke_waiting(
                i,
                "Get-CASMailbox",
                json!({ "Identity": m }),
                None,
                "reading the mailbox's EWS switch",
            )
            .await?;
        let on = cas.rows.first().and_then(|row| switch(&row["EwsEnabled"]));
        r.mailboxes.insert(m.to_ascii_lowercase(), on);
    }
    let full = allow_list_value(&listed, &app);
    let mut said = Vec::new();
    match org {
        None => said.push("the organisation's EwsEnabled is not set ($null): EWS is allowed and the allow list has no effect; nothing changed".to_string()),
        Some(false) => said.push(format!(
            "EWS will fail: {} (EwsEnabled $false). The wizard leaves this tenant-wide switch alone; an administrator who wants EWS would run: {}",
            EwsBlock::Organisation.words(),
            org_ews_on(&full)
        )),
        Some(true) if r.on_allow_list => {
            said.push("already on the organisation's EWS allow list; nothing changed".into())
        }
        Some(true) if r.declined => said.push(format!(
            "EWS will fail: not on the organisation's EWS allow list (adding it was declined). To add it later, keeping every ID there ({}): Set-OrganizationConfig -EwsAllowedAppIDs {}",
            listed.len(),
            quote(&full)
        )),
        Some(true) => {
            add(ctx, i, &app, &full).await?;
            r.on_allow_list = true;
            said.push(format!(
                "added to the organisation's EWS allow list, every ID already there kept ({}): Set-OrganizationConfig -EwsAllowedAppIDs {}",
                listed.len(),
                quote(&full)
            ));
        }
    }
    for (m, on) in &r.mailboxes {
        if *on == Some(false) && org != Some(false) {
            let deny = input
                .deny_mailbox
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(m));
            let why = if deny {
                "its must-be-denied check cannot prove the scope"
            } else {
                "EWS will fail for it"
            };
            said.push(format!(
                "{m}: {} (EwsEnabled $false), {why}. The wizard leaves mailbox switches alone; an administrator would run: {}",
                EwsBlock::Mailbox.words(),
                mailbox_ews_on(m)
            ));
        }
    }
    said.push(format!(
        "EWS ends on {EWS_ENDS}: plan the move to Microsoft Graph under the same scope"
    ));
    let text = said.join(" · ");
    if said
        .iter()
        .any(|s| s.contains("will fail") || s.contains("cannot prove"))
    {
        tracing::warn!(app = %app, "EWS: {text}");
    }
    *reading = Some(r);
    Ok(Outcome::Done(text))
}

/// Writes the whole list back with the app on it; a lost answer is settled by reading the
/// list again.
async fn add(ctx: &Ctx<'_, '_>, i: usize, app: &str, full: &str) -> Result<(), SetupError> {
    let params = json!({ "EwsAllowedAppIDs": full });
    match ctx.invoke("Set-OrganizationConfig", params).await {
        Ok(_) => {}
        Err(e) => {
            let settled = match read_org(ctx, i).await {
                Ok((_, now)) => lists_app(&now, app),
                Err(_) => false,
            };
            if !settled {
                return Err(ctx.fail(i, &e, "adding the app to the EWS allow list"));
            }
            tracing::info!("the allow list's answer was lost; read again, it holds the app");
        }
    }
    ctx.made.store(true, Ordering::Relaxed);
    Ok(())
}

//! The switches of client protocols: `Get-`/`Set-CASMailbox` (EWS and SMTP AUTH per mailbox,
//! IMAP and POP), `Get-`/`Set-OrganizationConfig` (EWS for the organisation and its allow list
//! of application IDs, shown only with `-RetrieveEwsOperationAccessPolicy`) and
//! `Get-`/`Set-TransportConfig` (SMTP AUTH for the organisation). Changes apply at once, but for
//! a mailbox's SMTP AUTH switch, which the SMTP server sees only after the propagation delay
//! (`Get-CASMailbox` shows the stored value at once).

use serde_json::{Value, json};

use super::{Call, Rows, not_found};
use crate::sandbox::clock::now_ms;
use crate::sandbox::tenant::{Tenant, User};

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-CASMailbox" => get_cas_mailbox(t, call),
        "Set-CASMailbox" => set_cas_mailbox(t, call),
        "Get-OrganizationConfig" => Ok(vec![organization_row(t, call)]),
        "Set-OrganizationConfig" => set_organization(t, call),
        "Get-TransportConfig" => Ok(vec![json!({
            "Identity": "Transport Settings",
            "SmtpClientAuthenticationDisabled": t.switches.smtp_client_auth_disabled,
        })]),
        "Set-TransportConfig" => set_transport(t, call),
        _ => return None,
    })
}

fn cas_row(u: &User) -> Value {
    json!({
        "Identity": u.mail,
        "PrimarySmtpAddress": u.mail,
        "DisplayName": u.name,
        "ImapEnabled": u.imap_enabled,
        "PopEnabled": u.pop_enabled,
        "EwsEnabled": u.ews_enabled,
        "SmtpClientAuthenticationDisabled": u.smtp_client_auth_disabled,
    })
}

fn get_cas_mailbox(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity").filter(|i| !i.is_empty()) {
        Some(identity) => t
            .user(identity)
            .map(|u| vec![cas_row(u)])
            .ok_or_else(|| not_found(identity, t)),
        None => Ok(t.users.iter().map(cas_row).collect()),
    }
}

fn set_cas_mailbox(t: &mut Tenant, call: &Call) -> Rows {
    let identity = call.required("Identity")?;
    let ews = call.nullable_bool("EwsEnabled")?;
    let smtp = call.nullable_bool("SmtpClientAuthenticationDisabled")?;
    let imap = call.nullable_bool("ImapEnabled")?;
    let pop = call.nullable_bool("PopEnabled")?;
    let missing = not_found(identity, t);
    let user = t.user_mut(identity).ok_or(missing)?;
    if let Some(v) = ews {
        user.ews_enabled = v;
    }
    if let Some(v) = smtp {
        user.set_smtp_switch(v, now_ms().min(call.effective_ms), call.effective_ms);
    }
    if let Some(v) = imap {
        user.imap_enabled = v.unwrap_or(true);
    }
    if let Some(v) = pop {
        user.pop_enabled = v.unwrap_or(true);
    }
    Ok(Vec::new())
}

fn organization_row(t: &Tenant, call: &Call) -> Value {
    let mut row = json!({
        "Identity": t.display_name,
        "Name": t.domains.first(),
        "EwsEnabled": t.switches.ews_enabled,
    });
    if call.switch("RetrieveEwsOperationAccessPolicy") {
        row["EwsAllowedAppIDs"] = match &t.switches.ews_allowed_app_ids {
            Some(ids) => Value::String(ids.join(",")),
            None => Value::Null,
        };
    }
    row
}

fn set_organization(t: &mut Tenant, call: &Call) -> Rows {
    if let Some(v) = call.nullable_bool("EwsEnabled")? {
        t.switches.ews_enabled = v;
    }
    if call.params.contains_key("EwsAllowedAppIDs") {
        let ids = call.texts("EwsAllowedAppIDs");
        t.switches.ews_allowed_app_ids = (!ids.is_empty()).then_some(ids);
    }
    Ok(Vec::new())
}

fn set_transport(t: &mut Tenant, call: &Call) -> Rows {
    if let Some(v) = call.nullable_bool("SmtpClientAuthenticationDisabled")? {
        t.switches.smtp_client_auth_disabled = v.unwrap_or(false);
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn call(name: &str, params: Value) -> Call {
        Call {
            name: name.into(),
            params: params.as_object().cloned().unwrap_or_else(Map::new),
            effective_ms: 0,
            caller: "admin@contoso.example".into(),
            english: true,
            replicated_before: i64::MAX,
        }
    }

    /// The rows of a cmdlet that must succeed.
    fn rows(t: &mut Tenant, name: &str, params: Value) -> Vec<Value> {
        match run(t, &call(name, params)) {
            Some(Ok(rows)) => rows,
            _ => panic!("{name} was refused"),
        }
    }

    fn refused(t: &mut Tenant, name: &str, params: Value) -> bool {
        matches!(run(t, &call(name, params)), Some(Err(_)))
    }

    #[test]
    fn a_mailbox_switch_is_set_read_back_and_reset_to_null() {
        let mut t = Tenant::seed();
        let alice = "alice@contoso.example";
        let set = json!({"Identity": alice, "SmtpClientAuthenticationDisabled": false, "EwsEnabled": "$false"});
        rows(&mut t, "Set-CASMailbox", set);
        let read = rows(
            &mut t,
            "Get-CASMailbox",
            json!({"Identity": "Alice@contoso.example"}),
        );
        assert_eq!(read[0]["SmtpClientAuthenticationDisabled"], json!(false));
        assert_eq!(read[0]["EwsEnabled"], json!(false));
        rows(
            &mut t,
            "Set-CASMailbox",
            json!({"Identity": alice, "EwsEnabled": null}),
        );
        assert_eq!(t.user(alice).unwrap().ews_enabled, None);
        assert_eq!(
            t.user(alice).unwrap().smtp_client_auth_disabled,
            Some(false)
        );
    }

    #[test]
    fn a_bad_value_or_an_unknown_mailbox_is_refused() {
        let mut t = Tenant::seed();
        let bad = json!({"Identity": "alice@contoso.example", "EwsEnabled": "maybe"});
        assert!(refused(&mut t, "Set-CASMailbox", bad));
        let nobody = json!({"Identity": "nobody@contoso.example", "EwsEnabled": true});
        assert!(refused(&mut t, "Set-CASMailbox", nobody));
    }

    #[test]
    fn the_allow_list_is_shown_only_when_asked_for() {
        let mut t = Tenant::seed();
        let ids = "11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222";
        let set = json!({"EwsEnabled": true, "EwsAllowedAppIDs": ids.replace(',', ", ")});
        rows(&mut t, "Set-OrganizationConfig", set);
        let plain = rows(&mut t, "Get-OrganizationConfig", json!({}));
        assert_eq!(plain[0]["EwsEnabled"], json!(true));
        assert!(plain[0].get("EwsAllowedAppIDs").is_none());
        let asked = json!({"RetrieveEwsOperationAccessPolicy": true});
        let full = rows(&mut t, "Get-OrganizationConfig", asked);
        assert_eq!(full[0]["EwsAllowedAppIDs"], json!(ids));
        rows(
            &mut t,
            "Set-OrganizationConfig",
            json!({"EwsAllowedAppIDs": null}),
        );
        assert_eq!(t.switches.ews_allowed_app_ids, None);
    }

    #[test]
    fn the_transport_switch_is_set_and_read() {
        let mut t = Tenant::seed();
        let off = json!({"SmtpClientAuthenticationDisabled": true});
        rows(&mut t, "Set-TransportConfig", off);
        let read = rows(&mut t, "Get-TransportConfig", json!({}));
        assert_eq!(read[0]["SmtpClientAuthenticationDisabled"], json!(true));
    }
}

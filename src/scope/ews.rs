//! The EWS step of a setup (docs/ews.md): the organisation's EWS switch and allow list are
//! read, and where the organisation enforces the list (`EwsEnabled` `$true`) the app's ID is
//! written back onto it with every existing ID kept.

use super::cmdlet::{Cmdlet, quote};
use super::steps::{ExKind, ExStep, ScopeInput};
use crate::model::{EWS_ENDS, EWS_PHASED_FROM};

/// How an administrator reads the switches by hand.
pub const EWS_READ: &str = "Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsEnabled,EwsAllowedAppIDs";

/// The retirement and the way out, for the plan and the handover.
pub fn ews_notes() -> String {
    format!(
        "EWS in Exchange Online is switched off tenant by tenant since {EWS_PHASED_FROM} and ends for good on {EWS_ENDS}. The same scope serves Microsoft Graph: graph-read or graph-send (Application Mail.Read / Mail.Send in the same RBAC scope, or under the same access policy) replace EWS and reach the same mailboxes."
    )
}

/// What an administrator runs to let EWS reach `mailbox` again (the wizard never does).
pub fn mailbox_ews_on(mailbox: &str) -> String {
    Cmdlet::new("Set-CASMailbox")
        .text("Identity", mailbox)
        .boolean("EwsEnabled", true)
        .powershell()
}

/// What an administrator runs to switch EWS back on for the organisation with `list` as its
/// allow list (the wizard never does).
pub fn org_ews_on(list: &str) -> String {
    let on = Cmdlet::new("Set-OrganizationConfig").boolean("EwsEnabled", true);
    let list = Cmdlet::new("Set-OrganizationConfig").text("EwsAllowedAppIDs", list);
    format!("{}; {}", on.powershell(), list.powershell())
}

/// The `-EwsAllowedAppIDs` value: `existing` with `app` added, comma-separated.
pub fn allow_list_value(existing: &[String], app: &str) -> String {
    crate::model::with_app(existing, app).join(",")
}

/// The step: read only when the administrator declined the change.
pub(super) fn allow_list(i: &ScopeInput) -> ExStep {
    let look = Cmdlet::new("Get-OrganizationConfig").switch("RetrieveEwsOperationAccessPolicy");
    let app = quote(&i.client_id);
    let mailboxes: Vec<String> = i
        .mailboxes
        .iter()
        .chain(i.deny_mailbox.iter())
        .map(|m| {
            format!(
                "Get-CASMailbox -Identity {} | Format-List Identity,EwsEnabled",
                quote(m)
            )
        })
        .collect();
    let switches = "Where EWS is disabled for the organisation or for a mailbox (EwsEnabled $false), EWS will fail: the setup says so with the command an administrator would run, and leaves those switches alone.";
    if i.decline_ews_allow_list {
        let mut st = ExStep::new(
            ExKind::EwsAllowList,
            "Read EWS's switches; the organisation's EWS allow list is left alone (declined)"
                .into(),
            format!(
                "nothing (read only). Where the organisation enforces its allow list (EwsEnabled $true), EWS will fail: not on the organisation's EWS allow list. {switches} {}",
                ews_notes()
            ),
            look,
        );
        st.prelude = mailboxes;
        return st;
    }
    let list = format!(
        "((@($org.EwsAllowedAppIDs -split ',' | Where-Object {{ $_.Trim() }}) + {app}) -join ',')"
    );
    let mut st = ExStep::new(
        ExKind::EwsAllowList,
        "Add the app to the organisation's EWS allow list where it is enforced".into(),
        format!(
            "where the organisation's EwsEnabled is $true, the app's ID joins EwsAllowedAppIDs. Set-OrganizationConfig -EwsAllowedAppIDs replaces the whole list: the setup reads it and writes back \"<existing ids>,<this app id>\", every existing ID kept. Where EwsEnabled is $null the list has no effect and nothing changes. {switches} {}",
            ews_notes()
        ),
        look,
    )
    .found_when(format!(
        "$found.EwsEnabled -ne $true -or (($found.EwsAllowedAppIDs -split ',' | ForEach-Object {{ $_.Trim() }}) -contains {app})"
    ))
    .made_by(Cmdlet::new("Set-OrganizationConfig").expr("EwsAllowedAppIDs", list));
    st.prelude = mailboxes;
    st.prelude
        .push("$org = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy".into());
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessChoice, ScopeKind};

    fn input(decline: bool) -> ScopeInput {
        ScopeInput {
            kind: ScopeKind::Rbac,
            access: vec![AccessChoice::Ews],
            app_name: "Helpdesk".into(),
            client_id: "11111111-1111-4111-8111-111111111111".into(),
            sp_object_id: "22222222-2222-4222-8222-222222222222".into(),
            group: None,
            mailboxes: vec!["alice@contoso.example".into()],
            deny_mailbox: None,
            decline_ews_allow_list: decline,
        }
    }

    #[test]
    fn the_change_keeps_the_existing_ids_and_says_it_replaces_the_list() {
        let st = allow_list(&input(false));
        let ps = st.commands().join("\n");
        assert!(
            ps.starts_with("Get-CASMailbox -Identity 'alice@contoso.example' | Format-List Identity,EwsEnabled\n$org = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy\nSet-OrganizationConfig -EwsAllowedAppIDs ((@($org.EwsAllowedAppIDs -split ','"),
            "{ps}"
        );
        assert!(
            ps.contains("+ '11111111-1111-4111-8111-111111111111'"),
            "{ps}"
        );
        assert!(st.changes.contains("replaces the whole list"));
        assert!(st.changes.contains("1 April 2027") && st.changes.contains("Microsoft Graph"));
        assert_eq!(
            allow_list_value(&["a".into(), "b".into()], "c"),
            "a,b,c",
            "existing IDs first"
        );
    }

    #[test]
    fn declined_it_only_reads_and_says_ews_will_fail() {
        let st = allow_list(&input(true));
        assert!(st.make.is_none());
        assert!(
            st.changes
                .contains("EWS will fail: not on the organisation's EWS allow list")
        );
        assert_eq!(
            st.commands(),
            [
                "Get-CASMailbox -Identity 'alice@contoso.example' | Format-List Identity,EwsEnabled",
                "Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy"
            ]
        );
    }
}

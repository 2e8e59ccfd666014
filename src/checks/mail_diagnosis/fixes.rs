//! The Exchange Online PowerShell a fix names, with the app's and the mailbox's values filled in.

use super::MailContext;
use crate::model::CheckKind;

pub(super) fn new_sp(ctx: &MailContext) -> String {
    format!(
        "New-ServicePrincipal -AppId {} -ObjectId {} -DisplayName <name>",
        ctx.client_id, ctx.sp_object_id
    )
}

pub(super) fn check_sp(ctx: &MailContext) -> String {
    format!(
        "Get-ServicePrincipal | Where-Object AppId -eq '{}' | Format-List ObjectId — it must show {} (the Enterprise application's object ID, the token's oid), not the App registration's object ID",
        ctx.client_id, ctx.sp_object_id
    )
}

pub(super) fn full_access(ctx: &MailContext) -> String {
    format!(
        "Add-MailboxPermission -Identity {} -User {} -AccessRights FullAccess",
        ctx.mailbox, ctx.sp_object_id
    )
}

pub(super) fn cas_switch(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Imap => "-ImapEnabled $true",
        CheckKind::Pop => "-PopEnabled $true",
        _ => "-SmtpClientAuthenticationDisabled $false",
    }
}

//! The setup as a Microsoft Graph and Exchange Online PowerShell script that can run again and again.

use std::fmt::Write;

use super::{Input, mailboxes, secret_place, uses};
use crate::model::{AccessChoice, Profile};
use crate::scope::quote;

pub(super) fn powershell(i: &Input) -> String {
    let p = i.profile;
    let tenant = p.tenant_id.to_string();
    let client = p.client_id.to_string();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# m365-mail-wizard: the setup of profile {} ({}), as a script that can run again and again.",
        p.name,
        i.today()
    );
    let _ = writeln!(
        t,
        "# Each step looks first and changes only what is missing. {} is not part of it:\n# it is in the keyring entry {}.",
        if p.credential.is_secret() {
            "The client secret"
        } else {
            "The certificate's private key"
        },
        secret_place(i)
    );
    let _ = writeln!(t, "#Requires -Modules Microsoft.Graph.Applications");
    let _ = writeln!(t, "$ErrorActionPreference = 'Stop'");
    let _ = writeln!(
        t,
        "Connect-MgGraph -TenantId {} -Scopes 'Application.ReadWrite.All','AppRoleAssignment.ReadWrite.All','DelegatedPermissionGrant.ReadWrite.All'",
        quote(&tenant)
    );
    let _ = writeln!(
        t,
        "$app = Get-MgApplication -Filter \"appId eq '{client}'\"\nif (-not $app) {{ throw 'No app with client ID {client} in this tenant: register it first (m365-mail-wizard setup).' }}"
    );
    let _ = writeln!(
        t,
        "$sp = Get-MgServicePrincipal -Filter \"appId eq '{client}'\"\nif (-not $sp) {{ $sp = New-MgServicePrincipal -AppId $app.AppId }}"
    );
    consents(&mut t, p);
    delegated_app(&mut t, p);
    exchange(&mut t, p);
    delegated_exchange(&mut t, p);
    let _ = writeln!(
        t,
        "Write-Host 'Done: run m365-mail-wizard check {} to verify.'",
        p.name
    );
    t
}

/// Admin consent for each application permission, and for the delegated ones.
fn consents(t: &mut String, p: &Profile) {
    for (resource, names) in crate::plan::permissions(
        &p.access,
        &p.scope
            .as_ref()
            .map(|s| s.omitted(&p.access))
            .unwrap_or_default(),
    ) {
        let _ = writeln!(
            t,
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"  # {}",
            resource.app_id, resource.name
        );
        for n in names {
            let _ = writeln!(
                t,
                "$role = ($res.AppRoles | Where-Object Value -eq {}).Id\nif (-not (Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id | Where-Object {{ $_.ResourceId -eq $res.Id -and $_.AppRoleId -eq $role }})) {{\n    New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $res.Id -PrincipalId $sp.Id -ResourceId $res.Id -AppRoleId $role | Out-Null\n}}",
                quote(&n)
            );
        }
    }
    if let Some((resource, scopes)) =
        crate::plan::delegated(&p.access, p.delegated.as_ref().is_some_and(|d| d.openid))
    {
        let _ = writeln!(
            t,
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"\nif (-not (Get-MgOauth2PermissionGrant -Filter \"clientId eq '$($sp.Id)'\" | Where-Object ResourceId -eq $res.Id)) {{\n    New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType AllPrincipals -ResourceId $res.Id -Scope {} | Out-Null\n}}",
            resource.app_id,
            quote(&scopes.join(" "))
        );
    }
}

/// The Exchange Online part: the mailbox scope when the profile has one, otherwise the service
/// principal and FullAccess for IMAP, POP and SMTP.
fn exchange(t: &mut String, p: &Profile) {
    let exchange_mail = [AccessChoice::Imap, AccessChoice::Pop, AccessChoice::Smtp]
        .iter()
        .any(|c| uses(p, *c));
    if let Some(scope) = &p.scope {
        let input = scope.script_input(
            &p.access,
            &p.mailboxes
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>(),
            p.deny_mailbox.as_ref().map(|m| m.as_str()),
        );
        let _ = writeln!(
            t,
            "# Exchange Online: the mailbox scope ({}).\nConnect-ExchangeOnline -Organization {}",
            scope.kind.label(),
            quote(&p.tenant)
        );
        t.push_str(&crate::scope::script_steps(&input));
    } else if exchange_mail {
        let list: Vec<String> = mailboxes(p).iter().map(|m| quote(m)).collect();
        let _ = writeln!(
            t,
            "# Exchange Online: the service principal (with the Enterprise application's object ID) and FullAccess per mailbox.\nConnect-ExchangeOnline -Organization {}\nif (-not (Get-ServicePrincipal -Identity $sp.Id -ErrorAction SilentlyContinue)) {{\n    New-ServicePrincipal -AppId $app.AppId -ObjectId $sp.Id -DisplayName $app.DisplayName | Out-Null\n}}\nforeach ($m in @({})) {{\n    if (-not (Get-MailboxPermission -Identity $m -User $sp.Id -ErrorAction SilentlyContinue)) {{\n        Add-MailboxPermission -Identity $m -User $sp.Id -AccessRights FullAccess | Out-Null\n    }}\n}}",
            quote(&p.tenant),
            list.join(", ")
        );
    }
}

/// The delegated part, when the profile has the style.
fn delegated_part(p: &Profile) -> Option<&crate::model::DelegatedPart> {
    p.delegated
        .as_ref()
        .filter(|_| uses(p, AccessChoice::Delegated))
}

/// The delegated style's app settings: public client flows, or the redirect URI, added to what
/// the app has.
fn delegated_app(t: &mut String, p: &Profile) {
    let Some(d) = delegated_part(p) else {
        return;
    };
    if d.sign_in.needs_public_client() {
        let _ = writeln!(
            t,
            "# The consuming application signs its user in without a secret ({}): allow public client flows.\nif (-not $app.IsFallbackPublicClient) {{\n    Update-MgApplication -ApplicationId $app.Id -IsFallbackPublicClient\n}}",
            d.sign_in.key()
        );
    }
    if let Some(uri) = d.sign_in.redirect_uri() {
        let _ = writeln!(
            t,
            "# The consuming application's redirect URI (authorization-code flow), beside the app's others.\nif ($app.Web.RedirectUris -notcontains {uri}) {{\n    Update-MgApplication -ApplicationId $app.Id -Web @{{RedirectUris = @($app.Web.RedirectUris) + {uri}}}\n}}",
            uri = quote(uri)
        );
    }
}

/// The delegated style's Exchange part: each user's FullAccess on each shared mailbox, SMTP AUTH
/// for the users' and shared mailboxes where it is off.
fn delegated_exchange(t: &mut String, p: &Profile) {
    let Some(d) = delegated_part(p) else {
        return;
    };
    let users: Vec<String> = d.users.iter().map(|m| m.to_string()).collect();
    let shared: Vec<String> = d.shared.iter().map(|m| m.to_string()).collect();
    let steps = crate::scope::delegated_steps(&users, &shared);
    if steps.is_empty() {
        return;
    }
    let connect = if p.scope.is_some() || exchange_mail(p) {
        String::new()
    } else {
        format!(
            "Connect-ExchangeOnline -Organization {}\n",
            quote(&p.tenant)
        )
    };
    let _ = write!(
        t,
        "# Exchange Online: the delegated users' FullAccess on the shared mailboxes, and SMTP AUTH\n# allowed where it is off for the mailboxes they sign in to SMTP as.\n{connect}{}",
        crate::scope::looked_steps(&steps)
    );
}

fn exchange_mail(p: &Profile) -> bool {
    [AccessChoice::Imap, AccessChoice::Pop, AccessChoice::Smtp]
        .iter()
        .any(|c| uses(p, *c))
}

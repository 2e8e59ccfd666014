//! What an identity platform (AADSTS) error means for a token request or a tenant look-up.

use super::{Context, Stage, d};
use crate::cloud::error::AadError;
use crate::model::Diagnosis;

fn app_page(ctx: &Context) -> String {
    format!(
        "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/{}",
        ctx.portal.trim_end_matches('/'),
        ctx.client_id
    )
}

pub(super) fn aad(a: &AadError, ctx: &Context) -> Diagnosis {
    if let Some(known) = super::credentials::aad(a, ctx) {
        return known;
    }
    let ev = a.short_description().to_string();
    let code = |c| a.has_code(c);
    if code(7000215) {
        d(
            "The client secret was refused.",
            ev,
            "The secret is wrong. Most often the Secret ID (a GUID) was copied instead of the secret's Value, or the Value was cut short when pasted.",
            format!(
                "In Entra admin center › App registrations › the app › Certificates & secrets, create a new client secret and copy its Value (shown only once), then store it again. App: {}",
                app_page(ctx)
            ),
        )
    } else if code(7000222) {
        d(
            "The client secret has expired.",
            ev,
            "Every secret of this app registration that was tried is past its expiry date.",
            "Run `m365-mail-wizard renew PROFILE` (an administrator signs in; the new secret is stored and proven), or `renew PROFILE --guided` to make it in the portal (Certificates & secrets › New client secret); then switch the consuming application to it.",
        )
    } else if code(700016) {
        d(
            "The tenant does not know this client ID.",
            ev,
            format!(
                "Either the client ID {} belongs to an app registered in another tenant, or the app's Object ID was copied instead of its Application (client) ID — the Overview page shows both.",
                ctx.client_id
            ),
            "Copy the \"Application (client) ID\" from the app's Overview page in Entra admin center › App registrations, and check that the tenant is the one the app was registered in.",
        )
    } else if code(90002) {
        d(
            format!("Tenant \"{}\" was not found.", ctx.tenant),
            ev,
            "The tenant ID or domain has a typo, the domain is not a verified domain of any tenant, or the tenant lives in another national cloud (GCC High, DoD, China).",
            "Check the tenant ID on Entra admin center › Overview (\"Tenant ID\"), or pick the cloud the tenant lives in.",
        )
    } else if code(900023) {
        d(
            format!("\"{}\" is not a tenant identifier.", ctx.tenant),
            ev,
            "A tenant is named by its GUID or by one of its verified domains; this is neither.",
            "Type the tenant ID (a GUID, from Entra admin center › Overview) or a verified domain such as contoso.onmicrosoft.com.",
        )
    } else if code(65001) {
        d(
            "Admin consent has not been granted.",
            ev,
            "The app's permissions were added but an administrator never granted consent for the tenant.",
            format!(
                "In Entra admin center › App registrations › the app › API permissions, press \"Grant admin consent for <tenant>\". App: {}",
                app_page(ctx)
            ),
        )
    } else if code(7000218) {
        d(
            "The token request carried no credential.",
            ev,
            "No client secret reached the token endpoint (it may be empty in the keyring), or the consuming tool uses a public-client flow that is not allowed for this app.",
            "Store the secret again. For tools that sign in without a secret, set \"Allow public client flows\" to Yes under Authentication.",
        )
    } else if code(500011) {
        d(
            "The resource is not available in this tenant.",
            ev,
            "The tenant has no service principal for the requested API — for example no Exchange Online licence, or the wrong national cloud.",
            "Check that the tenant has Exchange Online and that the cloud chosen matches the tenant.",
        )
    } else if code(700024) {
        d(
            "The client assertion is outside its valid time.",
            ev,
            "This machine's clock is off, or a certificate credential's assertion was built with the wrong times.",
            "Synchronise this machine's clock (NTP) and try again.",
        )
    } else if code(53003) {
        d(
            "Conditional Access blocked the sign-in.",
            ev,
            "A Conditional Access policy for workload identities applies to this app (for example a location restriction).",
            "In Entra admin center › Protection › Conditional Access, exclude this app's service principal or allow this network.",
        )
    } else {
        let stage = match ctx.stage {
            Stage::Discovery => "Looking up the tenant failed.",
            _ => "The token request was refused.",
        };
        d(
            stage,
            ev,
            format!("Microsoft answered \"{}\".", a.error),
            "Search the AADSTS code in the evidence on Microsoft's error-code page (login.microsoftonline.com/error) for the exact meaning.",
        )
    }
}

//! What a mailbox user's sign-in to the app means when it fails or gives too little: public
//! client flows off, consent missing, MFA against the password flow, a wrong password, a token
//! without a mail scope, or another account signed in. No fix widens the app's access.

use super::{Context, Stage, d, diagnose};
use crate::cloud::error::CloudError;
use crate::model::Diagnosis;

/// The sign-in being judged: whose, with which app, for which scopes, and how.
pub struct UserContext<'a> {
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub user: &'a str,
    /// The delegated scopes asked for, short names (`IMAP.AccessAsUser.All`, …).
    pub scopes: &'a [&'a str],
    pub password_flow: bool,
    pub portal: &'a str,
}

impl UserContext<'_> {
    fn app_page(&self, blade: &str) -> String {
        format!(
            "{}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/{blade}/appId/{}",
            self.portal.trim_end_matches('/'),
            self.client_id
        )
    }
}

/// Why the mailbox user's sign-in failed.
pub fn user_sign_in(e: &CloudError, ctx: &UserContext) -> Diagnosis {
    let CloudError::Aad(a) = e else {
        return generic(e, ctx);
    };
    let ev = a.short_description().to_string();
    let u = ctx.user;
    if a.has_code(7000218) {
        d(
            "The app does not allow public client flows.",
            ev,
            "The consuming application signs its users in without a client secret (device code or password flow), which Microsoft Entra ID refuses unless the app registration allows public client flows (isFallbackPublicClient).",
            format!(
                "Entra admin center › App registrations › the app › Authentication › Advanced settings › \"Allow public client flows\": Yes, then Save. App: {}",
                ctx.app_page("Authentication")
            ),
        )
    } else if a.has_code(65001) {
        d(
            format!("Nobody consented to the app's delegated permissions for {u}."),
            ev,
            format!(
                "The app asks for {} on the user's behalf, and no admin consent (an oauth2PermissionGrant for all users, or for {u}) covers them; the user cannot consent interactively here.",
                ctx.scopes.join(", ")
            ),
            format!(
                "Entra admin center › App registrations › the app › API permissions: check the delegated permissions {} are listed, then press \"Grant admin consent for <tenant>\". App: {}",
                ctx.scopes.join(", "),
                ctx.app_page("CallAnAPI")
            ),
        )
    } else if a.has_code(50076) || a.has_code(50079) {
        d(
            format!("{u} must use multifactor authentication, which the password flow cannot do."),
            ev,
            "The resource-owner password flow sends only a name and a password: any account that Conditional Access, security defaults or per-user MFA requires a second factor of is refused. Microsoft recommends not using this flow.",
            "Sign the user in with the device code (run the check without --password-flow; in the wizard, choose the device code) or in the browser, and have the consuming application do the same; do not exempt the account from MFA.",
        )
    } else if a.has_code(50126) {
        d(
            format!("The password of {u} was refused."),
            ev,
            "The user name or the password is wrong (the password flow does not accept leading or trailing spaces).",
            "Check the account and type its password again; or run the check without --password-flow (in the wizard, choose the device code), so that the user signs in with a device code.",
        )
    } else if a.has_code(50034) {
        d(
            format!("{u} is not a user of this tenant."),
            ev,
            "The directory has no account with that name.",
            "Name the mailbox user's sign-in name (UPN) with --as-user.",
        )
    } else {
        generic(e, ctx)
    }
}

fn generic(e: &CloudError, ctx: &UserContext) -> Diagnosis {
    diagnose(
        e,
        &Context {
            stage: Stage::Token,
            tenant: ctx.tenant,
            client_id: ctx.client_id,
            mailbox: Some(ctx.user),
            portal: ctx.portal,
        },
    )
}

/// The user's token lacks the delegated scopes in `missing` (its `scp` is `scp`).
pub fn scopes_missing(missing: &[&str], scp: &str, ctx: &UserContext) -> Diagnosis {
    let names = missing.join(", ");
    d(
        format!("The user's token has no {names}."),
        format!("token scp: {scp}"),
        format!(
            "The app registration does not list {names} as a delegated permission of Microsoft Graph, or its admin consent does not include it: the identity platform issues only what was consented."
        ),
        format!(
            "Entra admin center › App registrations › the app › API permissions › Add a permission › Microsoft Graph › Delegated permissions › {names}; then \"Grant admin consent for <tenant>\". App: {}",
            ctx.app_page("CallAnAPI")
        ),
    )
}

/// Another account than the one asked for signed in.
pub fn other_account(signed_in: &str, ctx: &UserContext) -> Diagnosis {
    d(
        format!("{signed_in} signed in, not {}.", ctx.user),
        format!("token upn: {signed_in}"),
        "The device code was approved with another account (a browser already signed in to it, say).",
        format!(
            "Run the check again and approve the code as {}: use a private browser window, or pick that account on the sign-in page.",
            ctx.user
        ),
    )
}

/// The sign-in gave no refresh token.
pub fn no_refresh_token(ctx: &UserContext) -> Diagnosis {
    d(
        "The sign-in gave no refresh token.",
        "token answer without refresh_token",
        "offline_access was not granted: without it the consuming application must make the user sign in again every hour.",
        format!(
            "Entra admin center › App registrations › the app › API permissions › Add a permission › Microsoft Graph › Delegated permissions › offline_access; then \"Grant admin consent for <tenant>\". App: {}",
            ctx.app_page("CallAnAPI")
        ),
    )
}

//! A mailbox user's sign-in to the app itself, as its consuming application does it (the
//! delegated style's check): a device code or the password flow with the app's own client ID,
//! or the browser sign-in (authorization code with PKCE) on a loopback redirect the app
//! registration lists. The session lives only as long as the caller keeps it.

use super::Env;
use crate::cloud::CloudError;
use crate::cloud::browser::{self, BrowserError, BrowserSignIn};
use crate::cloud::device::{AdminSession, DeviceCode, DeviceFlow};
use crate::model::{ClientId, Endpoints, TenantId};

/// What a mailbox user's sign-in to the app has to show on its way.
pub enum UserNews<'a> {
    /// A device code for `user` to enter, requested with the app's own client ID.
    Code { user: &'a str, code: &'a DeviceCode },
    /// The password flow signs `user` in: discouraged by Microsoft, and refused for MFA.
    PasswordFlow { user: &'a str },
    /// The URL of `user`'s browser sign-in, always shown; whether a browser could be started.
    Browser {
        user: &'a str,
        url: &'a str,
        opened: &'a Result<(), String>,
    },
}

/// A mailbox user's sign-in to the app itself, as its consuming application does it (the
/// delegated style's check).
pub struct UserAsk<'a> {
    pub endpoints: &'a Endpoints,
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    /// The app's secret, for a confidential consuming application; none signs in as a
    /// public client.
    pub secret: Option<&'a crate::model::Secret>,
    pub user: &'a str,
    pub scope: &'a str,
    /// The user's password: the resource-owner password flow instead of the device code.
    pub password: Option<&'a crate::model::Secret>,
}

impl UserAsk<'_> {
    fn flow<'a>(&'a self, env: &'a Env) -> DeviceFlow<'a> {
        DeviceFlow::new(&env.http, self.endpoints, self.tenant_id, self.client_id)
            .with_secret(self.secret)
    }

    /// The user's sign-in: the password flow when a password is given, otherwise a device
    /// code shown through `show`. The session lives only as long as the caller keeps it.
    pub async fn sign_in(
        &self,
        env: &Env,
        mut show: impl FnMut(UserNews<'_>),
    ) -> Result<AdminSession, CloudError> {
        let flow = self.flow(env);
        if let Some(password) = self.password {
            show(UserNews::PasswordFlow { user: self.user });
            return flow.password(self.user, password, self.scope).await;
        }
        let code = flow.start_for(self.scope).await?;
        show(UserNews::Code {
            user: self.user,
            code: &code,
        });
        flow.wait(&code).await
    }

    /// The session's refresh token redeemed once for the same scope.
    pub async fn refresh(&self, env: &Env, s: &AdminSession) -> Result<AdminSession, CloudError> {
        self.flow(env).refresh_for(s, self.scope).await
    }

    /// The user's browser sign-in, redirected to `redirect_uri`, the loopback URI the app
    /// registration lists (the identity platform ignores a localhost port; its port is tried
    /// first): the URL shown (and a browser started on it), the redirect awaited on the
    /// loopback, the code redeemed with the PKCE verifier (and the secret, for a confidential
    /// consuming application).
    pub async fn in_browser(
        &self,
        env: &Env,
        redirect_uri: &str,
        mut show: impl FnMut(UserNews<'_>),
    ) -> Result<AdminSession, BrowserError> {
        let port = reqwest::Url::parse(redirect_uri)
            .ok()
            .and_then(|u| u.port())
            .unwrap_or(env.sign_in.port);
        let (e, t, c) = (self.endpoints, self.tenant_id, self.client_id);
        let started = BrowserSignIn::start(e, t, c, self.scope, port).await?;
        let opened = browser::opener::open(&started.url);
        show(UserNews::Browser {
            user: self.user,
            url: &started.url,
            opened: &opened,
        });
        let wait = match env.sign_in.browser_wait.is_zero() {
            true => super::sign_in::BROWSER_WAIT,
            false => env.sign_in.browser_wait,
        };
        started.finish_with(&env.http, e, wait, self.secret).await
    }
}

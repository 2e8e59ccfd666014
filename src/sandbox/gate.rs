//! Who is calling: the bearer token every API checks, and the opening every call of a signed-in
//! administrator shares (token, tenant, user, and saving what the call changed).

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::MutexGuard;

use super::Shared;
use super::responses::{Answer, Refused, collection, denied, unauthorized};
use super::tenant::{Tenant, User};

/// What a valid token says about its caller.
pub struct Caller {
    pub appid: String,
    /// The service principal's object id, or the signed-in user's.
    pub oid: String,
    pub roles: Vec<String>,
    /// Delegated scopes: set only for a user's token.
    pub scp: Option<String>,
}

impl Caller {
    /// Whether the delegated scopes include `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scp
            .as_deref()
            .is_some_and(|scp| scp.split_whitespace().any(|s| s == scope))
    }
}

/// The token of an `Authorization: Bearer …` header, trimmed; empty when there is none.
pub fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map_or("", str::trim)
}

impl Shared {
    /// Checks a token's signature, audience, tenant and lifetime; the reason when refused.
    pub fn verify_token(
        &self,
        token: &str,
        audience: &str,
        tenant_id: &str,
    ) -> Result<Caller, &'static str> {
        let claims = self
            .signer
            .verify(token)
            .ok_or("Access token validation failure. Invalid signature.")?;
        if claims["aud"].as_str() != Some(audience) {
            return Err("Access token validation failure. Invalid audience.");
        }
        if claims["tid"].as_str() != Some(tenant_id) {
            return Err("Access token validation failure. Invalid issuer.");
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if claims["exp"].as_i64().unwrap_or(0) <= now {
            return Err("Lifetime validation failed, the token is expired.");
        }
        let text = |k: &str| claims[k].as_str().unwrap_or_default().to_string();
        Ok(Caller {
            appid: text("appid"),
            oid: text("oid"),
            roles: claims["roles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(String::from))
                .collect(),
            scp: claims["scp"].as_str().map(String::from),
        })
    }
}

/// A Graph caller of any kind; a missing token is refused as Graph refuses it.
pub fn graph_caller(s: &Shared, headers: &HeaderMap, tenant_id: &str) -> Result<Caller, Refused> {
    let token = bearer(headers);
    if token.is_empty() {
        return Err(unauthorized("Access token is empty.").into());
    }
    s.verify_token(token, &s.graph_resource, tenant_id)
        .map_err(|reason| unauthorized(reason).into())
}

/// Which signed-in users a call lets through.
pub type Allowed = fn(&Caller, &User) -> bool;

/// Any user signed in to the tenant.
pub fn any_user(_: &Caller, _: &User) -> bool {
    true
}

/// A Global Administrator.
pub fn administrator(_: &Caller, user: &User) -> bool {
    user.admin
}

/// Reads app registrations: a user whose token holds `Application.Read.All` or
/// `Application.ReadWrite.All` (Microsoft's "Get application" and "List applications").
pub fn reads_applications(c: &Caller, _: &User) -> bool {
    c.has_scope("Application.Read.All") || c.has_scope("Application.ReadWrite.All")
}

/// Changes app registrations (create, PATCH `keyCredentials`, addPassword, removePassword; on
/// Microsoft also addKey and removeKey): an administrator whose token holds
/// `Application.ReadWrite.All`.
pub fn writes_applications(c: &Caller, user: &User) -> bool {
    user.admin && c.has_scope("Application.ReadWrite.All")
}

/// A request's shared state and headers: what every signed-in call starts from.
pub struct Gate {
    pub s: Arc<Shared>,
    headers: HeaderMap,
}

impl FromRequestParts<Arc<Shared>> for Gate {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<Shared>) -> Result<Gate, Infallible> {
        Ok(Gate {
            s: s.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl Gate {
    /// A user signed in (a delegated Graph token; the sandbox grants applications no directory
    /// permissions) whom `allowed` lets through, with the tenant locked; or the refusal.
    async fn signed_in(
        &self,
        allowed: Allowed,
    ) -> Result<(MutexGuard<'_, Tenant>, User), Response> {
        let s = &self.s;
        let t = s.tenant.lock().await;
        let caller = s
            .verify_token(bearer(&self.headers), &s.graph_resource, &t.tenant_id)
            .map_err(unauthorized)?;
        let user = caller
            .scp
            .as_ref()
            .and_then(|_| t.user(&caller.oid))
            .filter(|u| allowed(&caller, u))
            .cloned()
            .ok_or_else(denied)?;
        Ok((t, user))
    }

    /// Answers a call that reads the tenant.
    pub async fn read(
        &self,
        allowed: Allowed,
        answer: impl FnOnce(&Tenant, &User) -> Response,
    ) -> Response {
        match self.signed_in(allowed).await {
            Ok((t, user)) => answer(&t, &user),
            Err(refused) => refused,
        }
    }

    /// Answers a call that lists objects of the tenant, as a Graph collection.
    pub async fn list(
        &self,
        allowed: Allowed,
        objects: impl FnOnce(&Tenant) -> Vec<Value>,
    ) -> Response {
        self.read(allowed, |t, _| collection(objects(t))).await
    }

    /// Answers a call that changes the tenant: `Ok` is the answer once the change is saved,
    /// `Err` a refusal that changed nothing.
    pub async fn change(
        &self,
        allowed: Allowed,
        apply: impl FnOnce(&mut Tenant) -> Answer,
    ) -> Response {
        let (mut t, _) = match self.signed_in(allowed).await {
            Ok(signed_in) => signed_in,
            Err(refused) => return refused,
        };
        let outcome = apply(&mut t);
        drop(t);
        self.s.saved(outcome).await
    }
}

impl Shared {
    /// The answer to a change: saved first when it was made (`Ok`).
    pub async fn saved(&self, outcome: Answer) -> Response {
        match outcome {
            Ok(answer) => {
                self.persist().await;
                answer
            }
            Err(refused) => refused.into_response(),
        }
    }
}

//! `audit`: every service principal of a tenant with mail access, read with an administrator's
//! read-only sign-in (Graph) and, where the administrator may, Exchange Online's view; each
//! classified and the findings ranked (`model::audit`, docs/audit.md). Reads are paged and run
//! concurrently, bounded; the front end is told the progress.

mod entra;
mod exchange;
mod file;

pub use file::write as write_file;

use std::collections::HashMap;

use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::AdminSession;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::audit::{self, Audit, LastSignIn, PrincipalFacts};
use crate::model::{Diagnosis, Endpoints, TenantId};

/// Reads in flight at once (sign-in activity per app, mailbox permissions per mailbox).
pub const IN_FLIGHT: usize = 16;

/// Where the audit has got to, for a progress line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A part of the tenant being read.
    Reading(&'static str),
    /// `done` of `total` items of a part read.
    Counted {
        what: &'static str,
        done: usize,
        total: usize,
    },
}

/// The tenant the audit reads, and how.
pub struct Target<'a> {
    pub endpoints: &'a Endpoints,
    pub tenant_id: TenantId,
    /// As the administrator named it.
    pub tenant: &'a str,
}

/// Why the audit did not come to an end.
#[derive(Debug)]
pub struct AuditError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
}

fn failed(what: &str, err: &CloudError) -> AuditError {
    let refused = matches!(err, CloudError::Graph(g) if g.status == 401 || g.status == 403);
    AuditError {
        diagnosis: Diagnosis {
            summary: format!("The audit could not read {what}."),
            evidence: err.to_string(),
            cause: if refused {
                "The signed-in account may not read the directory.".into()
            } else if err.is_unavailable() {
                "Microsoft's service did not answer.".into()
            } else {
                "Microsoft Graph answered with an error.".into()
            },
            fix: if refused {
                "Sign in as an administrator with Global Reader (or Application Administrator) and consent to Application.Read.All and AuditLog.Read.All, then run the audit again.".into()
            } else {
                "Run the audit again.".into()
            },
        },
        unavailable: err.is_unavailable(),
    }
}

/// Reads the tenant and classifies what it holds. `exchange` is the Exchange Online sign-in,
/// or why there is none: without it the Entra half runs and the rest is named as missing.
pub async fn run(
    env: &Env,
    target: &Target<'_>,
    session: &AdminSession,
    exchange: Result<&ExchangeAdmin, String>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Audit, AuditError> {
    let graph = GraphAdmin::new(&env.http, target.endpoints, &session.token);
    let cmdlets = exchange.as_ref().ok().map(|ex| {
        Cmdlets::new(
            &env.http,
            target.endpoints,
            target.tenant_id,
            &ex.token,
            &ex.upn,
        )
    });
    // Exchange Online is read while the Entra ID half and the sign-ins of the apps it found
    // are; the sign-ins of apps only Exchange grants anything follow.
    let exchange_read = async {
        match (&cmdlets, &exchange) {
            (Some(c), _) => exchange::read(c, progress).await,
            (None, Err(why)) => Err(exchange::missing(why)),
            (None, Ok(_)) => Err(exchange::missing("no sign-in")),
        }
    };
    let entra_read = async {
        let mut read = entra::read(graph, progress).await?;
        let mail: Vec<&mut PrincipalFacts> = read
            .facts
            .values_mut()
            .filter(|f| f.has_mail_access())
            .collect();
        let signed_in = entra::sign_ins(graph, mail, progress).await;
        Ok::<_, AuditError>((read, signed_in))
    };
    let (entra_read, exchange_read) = tokio::join!(entra_read, exchange_read);
    let (mut read, signed_in) = entra_read?;
    let mut missing = Vec::new();
    let exchange_facts = match exchange_read {
        Ok(f) => Some(f),
        Err(why) => {
            missing.push(why);
            None
        }
    };
    if let Some(x) = &exchange_facts {
        x.add_to(&mut read.facts);
    }
    let rest: Vec<&mut PrincipalFacts> = read
        .facts
        .values_mut()
        .filter(|f| f.has_mail_access() && f.last_sign_in.is_none())
        .collect();
    match signed_in {
        Ok(()) => {
            if let Err(why) = entra::sign_ins(graph, rest, progress).await {
                missing.push(why);
            }
        }
        Err(why) => {
            for f in rest {
                f.last_sign_in = Some(LastSignIn::Unknown { why: why.clone() });
            }
            missing.push(why);
        }
    }
    let facts: Vec<PrincipalFacts> = read.facts.into_values().collect();
    let mut a = audit::audit(
        target.tenant,
        read.principals,
        facts,
        missing,
        time::OffsetDateTime::now_utc(),
    );
    a.exchange_read = exchange_facts.is_some();
    Ok(a)
}

/// The facts by service principal object ID, lower case.
type ByPrincipal = HashMap<String, PrincipalFacts>;

//! The Entra ID half of the audit through Microsoft Graph: service principals, app
//! registrations, the consents given on Microsoft Graph and Office 365 Exchange Online, and each
//! mail app's latest sign-in.

use futures_util::{StreamExt, stream};

use super::{ByPrincipal, IN_FLIGHT, Progress, failed};
use crate::catalog::{EXCHANGE, GRAPH, catalog};
use crate::cloud::CloudError;
use crate::cloud::admin::{Application, GraphAdmin, ServicePrincipal};
use crate::model::ClientId;
use crate::model::audit::{
    CredentialFacts, EXCHANGE_MAIL_ROLES, LastSignIn, PrincipalFacts, is_mail_graph_role,
};

pub(super) struct Read {
    pub facts: ByPrincipal,
    pub principals: usize,
}

fn end_of(text: Option<&str>) -> Option<time::OffsetDateTime> {
    text.and_then(|t| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    })
}

fn credentials(app: &Application) -> Vec<CredentialFacts> {
    let secrets = app.password_credentials.iter().map(|p| CredentialFacts {
        kind: "secret",
        name: p
            .display_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| p.key_id.clone()),
        ends: end_of(p.end_date_time.as_deref()),
    });
    let certificates = app.key_credentials.iter().map(|k| CredentialFacts {
        kind: "certificate",
        name: k
            .display_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| k.key_id.clone()),
        ends: end_of(k.end_date_time.as_deref()),
    });
    secrets.chain(certificates).collect()
}

/// The resource's service principal in the tenant, by its application ID in the catalog.
async fn resource(
    graph: GraphAdmin<'_>,
    key: &str,
) -> Result<Option<ServicePrincipal>, CloudError> {
    let app_id = &catalog().resource(key).app_id;
    let Ok(id) = ClientId::parse(app_id) else {
        return Ok(None);
    };
    graph.find_service_principal(id).await
}

pub(super) async fn read(
    graph: GraphAdmin<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Read, super::AuditError> {
    progress(Progress::Reading(
        "service principals and app registrations",
    ));
    let (principals, apps, graph_sp, exchange_sp) = tokio::join!(
        graph.every_principal(),
        graph.every_application(),
        resource(graph, GRAPH),
        resource(graph, EXCHANGE),
    );
    let principals = principals.map_err(|e| failed("the service principals", &e))?;
    let apps = apps.map_err(|e| failed("the app registrations", &e))?;
    let graph_sp = graph_sp.map_err(|e| failed("Microsoft Graph's service principal", &e))?;
    let exchange_sp =
        exchange_sp.map_err(|e| failed("Office 365 Exchange Online's service principal", &e))?;
    progress(Progress::Reading(
        "consents on Microsoft Graph and Exchange Online",
    ));
    let on = |sp: &Option<ServicePrincipal>| sp.as_ref().map(|s| graph.consents_on(s.id));
    let (graph_consents, exchange_consents) = tokio::join!(
        async {
            match on(&graph_sp) {
                Some(f) => f.await,
                None => Ok(Vec::new()),
            }
        },
        async {
            match on(&exchange_sp) {
                Some(f) => f.await,
                None => Ok(Vec::new()),
            }
        },
    );
    let graph_consents =
        graph_consents.map_err(|e| failed("the consents on Microsoft Graph", &e))?;
    let exchange_consents =
        exchange_consents.map_err(|e| failed("the consents on Exchange Online", &e))?;
    let by_app_id: std::collections::HashMap<String, &Application> = apps
        .iter()
        .map(|a| (a.app_id.to_string().to_ascii_lowercase(), a))
        .collect();
    let mut facts = ByPrincipal::new();
    for p in &principals {
        let app = by_app_id.get(&p.app_id.to_ascii_lowercase()).copied();
        facts.insert(
            p.id.to_ascii_lowercase(),
            PrincipalFacts {
                sp_id: p.id.to_ascii_lowercase(),
                app_id: p.app_id.to_ascii_lowercase(),
                name: p.display_name.clone(),
                credentials: app.map(credentials),
                ..PrincipalFacts::default()
            },
        );
    }
    let named = |sp: &Option<ServicePrincipal>, role: &str| {
        sp.as_ref().and_then(|s| {
            s.app_roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(role))
                .map(|r| r.value.clone())
        })
    };
    for c in &graph_consents {
        let Some(role) = named(&graph_sp, &c.app_role_id).filter(|r| is_mail_graph_role(r)) else {
            continue;
        };
        if let Some(f) = facts.get_mut(&c.principal_id.to_ascii_lowercase()) {
            f.graph_roles.push(role);
        }
    }
    for c in &exchange_consents {
        let Some(role) = named(&exchange_sp, &c.app_role_id)
            .filter(|r| EXCHANGE_MAIL_ROLES.contains(&r.as_str()))
        else {
            continue;
        };
        if let Some(f) = facts.get_mut(&c.principal_id.to_ascii_lowercase()) {
            f.exchange_roles.push(role);
        }
    }
    Ok(Read {
        facts,
        principals: principals.len(),
    })
}

/// Each mail app's latest sign-in, `IN_FLIGHT` at a time; when the report cannot be read,
/// every app's is unknown and the reason comes back.
pub(super) async fn sign_ins(
    graph: GraphAdmin<'_>,
    mut mail: Vec<&mut PrincipalFacts>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(), String> {
    let total = mail.len();
    let ids: Vec<Option<ClientId>> = mail
        .iter()
        .map(|f| ClientId::parse(&f.app_id).ok())
        .collect();
    let mut answers: Vec<(usize, Result<Option<time::OffsetDateTime>, CloudError>)> =
        Vec::with_capacity(total);
    let mut reads = stream::iter(ids.into_iter().enumerate())
        .map(|(i, id)| async move {
            match id {
                Some(id) => (i, graph.last_sign_in(id).await),
                None => (i, Ok(None)),
            }
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some(answer) = reads.next().await {
        let refused =
            matches!(&answer.1, Err(CloudError::Graph(g)) if g.status == 403 || g.status == 401);
        answers.push(answer);
        progress(Progress::Counted {
            what: "sign-in activity",
            done: answers.len(),
            total,
        });
        if refused {
            break;
        }
    }
    drop(reads);
    let refusal = answers.iter().find_map(|(_, a)| match a {
        Err(e @ CloudError::Graph(g)) if g.status == 403 || g.status == 401 => Some(e.to_string()),
        _ => None,
    });
    if let Some(why) = refusal {
        let why = format!(
            "the sign-in activity report could not be read ({why}): last sign-ins are unknown. It needs AuditLog.Read.All, a role that reads reports (Reports Reader, Security Reader or Global Reader) and a Microsoft Entra ID P1 or P2 licence"
        );
        for f in mail.iter_mut() {
            f.last_sign_in = Some(LastSignIn::Unknown { why: why.clone() });
        }
        return Err(why);
    }
    for (i, a) in answers {
        mail[i].last_sign_in = Some(match a {
            Ok(Some(at)) => LastSignIn::At { at },
            Ok(None) => LastSignIn::Never,
            Err(e) => LastSignIn::Unknown { why: e.to_string() },
        });
    }
    Ok(())
}

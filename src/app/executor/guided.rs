//! The guided path's read-backs: as the signed-in administrator when there is one (with a
//! second sign-in for Exchange Online, kept for the steps after it), else as the app itself.

use tokio::sync::mpsc;

use super::AdminSlot;
use super::admin::{endpoints_for, exchange_admin, kept_for};
use crate::app::Env;
use crate::app::guided::{PastedApp, Readers, StepToRead, read_back};
use crate::model::{AdminPurpose, ObjectId, StepStatus};
use crate::plan::StepKind;
use crate::wizard::{GuideVerdict, GuidedCheck, Msg};

/// Seconds before its expiry that a kept Exchange Online token is renewed.
const EXPIRY_MARGIN_SECS: i64 = 120;

pub(super) async fn verify(
    env: &Env,
    slot: &AdminSlot,
    c: GuidedCheck,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Msg {
    let endpoints = endpoints_for(env, c.order.cloud);
    let app = PastedApp {
        endpoints: &endpoints,
        tenant: &c.order.tenant,
        tenant_id: c.order.tenant_id,
        client_id: c.client_id,
        sp_object_id: c
            .sp_object_id
            .as_deref()
            .and_then(|s| ObjectId::parse(s).ok()),
        secret: c.secret.as_ref().map(|b| &b.0),
    };
    let step = StepToRead {
        kind: c.plan_step.kind,
        permission: c.plan_step.permission.as_deref(),
        resource: c.plan_step.resource.as_deref(),
        answers: &c.order.answers,
    };
    let verdict = |status: StepStatus| {
        Msg::GuideChecked(
            c.step,
            GuideVerdict {
                status,
                sp_object_id: None,
            },
        )
    };
    let session = slot.session.lock().await;
    let admin = kept_for(session.as_ref(), AdminPurpose::Setup).filter(|_| c.as_admin);
    let mut exchange = slot.exchange.lock().await;
    let reads_exchange = matches!(step.kind, StepKind::Exchange | StepKind::ExchangeTest);
    if let Some(a) = admin
        && reads_exchange
    {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if exchange
            .as_ref()
            .is_none_or(|ex| ex.token.claims.exp < now + EXPIRY_MARGIN_SECS)
        {
            match exchange_admin(env, &endpoints, c.order.tenant_id, a, tx).await {
                Ok(ex) => *exchange = Some(ex),
                Err(d) => {
                    return verdict(StepStatus::Unverified(format!(
                        "the Exchange Online sign-in did not succeed ({})",
                        d.summary
                    )));
                }
            }
        }
    }
    let readers = Readers {
        graph: admin.map(|a| &a.token),
        exchange: exchange.as_ref().filter(|_| admin.is_some()),
    };
    let rb = read_back(env, &app, &step, readers).await;
    Msg::GuideChecked(
        c.step,
        GuideVerdict {
            status: rb.status,
            sp_object_id: rb.sp_object_id.map(|id| id.to_string()),
        },
    )
}

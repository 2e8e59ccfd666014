//! The delegated style's Exchange Online steps: each mailbox user's FullAccess on each shared
//! mailbox, and SMTP AUTH for each mailbox signed in to SMTP as where it is off, each looked for
//! first, made when missing, and journaled like the scope's steps; or, with `--exchange
//! powershell`, written into the setup's script for the administrator to run.

use std::sync::atomic::Ordering;

use super::{Ctx, ExchangeAdmin, Fresh, recipients, record_outcome, smtp_auth, write_text};
use crate::app::setup::SetupError;
use crate::app::setup::run::{Run, crash_point};
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::{ClientId, Diagnosis, ObjectId, StepStatus};
use crate::plan::StepKind;
use crate::scope;

/// Gives each user FullAccess on each shared mailbox of the answers' delegated part, and allows
/// SMTP AUTH for the users' and shared mailboxes where it is off.
pub(in crate::app::setup) async fn apply(
    r: &mut Run<'_>,
    client_id: ClientId,
    sp: ObjectId,
    ex: Option<&ExchangeAdmin>,
) -> Result<(), SetupError> {
    let steps = r.req.answers.delegated_steps();
    let Some(first) = steps.first() else {
        return Ok(());
    };
    if r.req.answers.delegated_script {
        // A scope written as a script holds these steps already (`write_script`).
        let path = match r.req.answers.scope.as_ref().filter(|s| s.script_only) {
            Some(_) => super::super::script_path(r.env, &r.req.name),
            None => write_text(r, &scope::delegated_script(&steps, &r.req.tenant))?,
        };
        for st in &steps {
            let i = r.index(StepKind::Exchange, Some(&st.key()));
            r.emit(
                i,
                StepStatus::Done(format!("in the script {}", path.display())),
            );
        }
        return Ok(());
    }
    let Some(ex) = ex else {
        let i = r.index(StepKind::Exchange, Some(&first.key()));
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: "No Exchange Online sign-in for the delegated users' Exchange steps.".into(),
                evidence: "the setup has no Exchange administration token".into(),
                cause: "Add-MailboxPermission and Set-CASMailbox need an Exchange administrator's sign-in.".into(),
                fix: "Run the setup again and sign in when asked, or run the steps' commands in Exchange Online PowerShell.".into(),
            },
        ));
    };
    let (env, req) = (r.env, r.req);
    let cmdlets = Cmdlets::new(&env.http, &req.endpoints, req.tenant_id, &ex.token, &ex.upn);
    for st in steps {
        let key = st.key();
        let i = r.index(StepKind::Exchange, Some(&key));
        if r.journal.exchange_done.contains(&key) {
            r.emit(i, StepStatus::Done("done in an earlier run".into()));
            continue;
        }
        r.emit(i, StepStatus::Running);
        let ctx = Ctx::new(r, cmdlets, client_id, sp, Fresh::default());
        let done = match st.kind {
            scope::ExKind::SmtpAuth => smtp_auth::allow(&ctx, &st, i).await?,
            _ => recipients::user_full_access(&ctx, &st, i).await?,
        };
        if ctx.made.load(Ordering::Relaxed) {
            r.made(format!("exchange:{key}"));
        }
        let text = record_outcome(r, i, done)?;
        r.journal.exchange_done.push(key.clone());
        r.save()?;
        crash_point(&format!("exchange:{key}"));
        r.emit(i, StepStatus::Done(text));
    }
    Ok(())
}

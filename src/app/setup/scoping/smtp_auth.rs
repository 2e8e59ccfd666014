//! SMTP AUTH for one mailbox an SMTP app sends from: the organisation's switch and the
//! mailbox's are read, and where SMTP AUTH is off it is allowed for that mailbox only
//! (`Set-CASMailbox`), never for the organisation (docs/smtp.md). A lost answer is settled by
//! reading again: the change is the same whether it ran once or twice.

use serde_json::{Value, json};

use super::{Ctx, Outcome};
use crate::app::setup::SetupError;
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::scope::{ExStep, smtp_auth_off};

/// The two switches as Exchange shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmtpAuthState {
    /// `Get-TransportConfig`'s `SmtpClientAuthenticationDisabled`.
    pub tenant_disabled: bool,
    /// `Get-CASMailbox`'s `SmtpClientAuthenticationDisabled`; none is `$null`.
    pub mailbox_disabled: Option<bool>,
}

impl SmtpAuthState {
    pub fn off(self) -> bool {
        smtp_auth_off(self.tenant_disabled, self.mailbox_disabled)
    }

    /// The state in words.
    pub fn words(self) -> String {
        let mailbox = match self.mailbox_disabled {
            None => "not set ($null: the organisation's switch applies)",
            Some(true) => "off ($true)",
            Some(false) => "allowed ($false)",
        };
        let tenant = if self.tenant_disabled {
            "off"
        } else {
            "allowed"
        };
        format!("organisation: {tenant}; mailbox: {mailbox}")
    }
}

fn flag(row: Option<&Value>) -> Option<bool> {
    row.and_then(|r| r["SmtpClientAuthenticationDisabled"].as_bool())
}

/// Reads the organisation's switch and `mailbox`'s.
pub async fn read(cmdlets: &Cmdlets<'_>, mailbox: &str) -> Result<SmtpAuthState, CloudError> {
    let transport = cmdlets.invoke("Get-TransportConfig", json!({})).await?;
    let cas = cmdlets
        .invoke("Get-CASMailbox", json!({ "Identity": mailbox }))
        .await?;
    Ok(SmtpAuthState {
        tenant_disabled: flag(transport.rows.first()).unwrap_or(false),
        mailbox_disabled: flag(cas.rows.first()),
    })
}

/// The step: SMTP AUTH allowed for its mailbox, changed only where it is off.
pub(super) async fn allow(ctx: &Ctx<'_, '_>, st: &ExStep, i: usize) -> Result<Outcome, SetupError> {
    let m = st.subject.clone().unwrap_or_default();
    let state = read(&ctx.cmdlets, &m)
        .await
        .map_err(|e| ctx.fail(i, &e, "reading the SMTP AUTH switches"))?;
    if !state.off() {
        return Ok(Outcome::Done(format!(
            "SMTP AUTH already allowed for {m} ({})",
            state.words()
        )));
    }
    ctx.make(st, i, None).await?;
    Ok(Outcome::Done(format!(
        "SMTP AUTH allowed for {m} only; it was off ({})",
        state.words()
    )))
}

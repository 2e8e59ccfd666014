//! The Exchange Online part of a scope as a PowerShell script, safe to run twice.

use super::cmdlet::quote;
use super::roles::scoped_by_group;
use super::steps::{ExKind, ExStep, ScopeInput, steps, test_cmdlet, tested_mailboxes};

/// Stand-ins for the app's client id and service principal id, which [`script_steps`] turns into
/// the script's `$app.AppId` and `$sp.Id`.
pub(super) const APP_VAR: &str = "\u{1}app";
pub(super) const SP_VAR: &str = "\u{1}sp";

/// The steps of [`script`] alone, with `$app.AppId` / `$sp.Id` where a `script_input` holds
/// the app's variables.
pub fn script_steps(i: &ScopeInput) -> String {
    variables(&steps_text(i))
}

/// `text` with the stand-ins of an input made by `ScopeSpec::input_or_variables` (or
/// `ScopeRecord::script_input`) written as the script's `$app.AppId` and `$sp.Id`.
pub fn variables(text: &str) -> String {
    text.replace(&quote(APP_VAR), "$app.AppId")
        .replace(&quote(SP_VAR), "$sp.Id")
}

/// The Exchange Online part as one PowerShell script (Exchange Online module), safe to run
/// twice: each change is made only when its `Get-` finds nothing.
pub fn script(i: &ScopeInput, tenant: &str) -> String {
    let mut s = String::new();
    s.push_str("# Exchange Online part of the mailbox scope, made by m365-mail-wizard.\n");
    s.push_str(&format!(
        "# Scope: {} ({}).\n# Safe to run twice: every change is made only when its Get- finds nothing.\n",
        i.kind.key(),
        i.kind.label()
    ));
    if !i.kind.uses_group() && scoped_by_group(&i.access) {
        s.push_str("# WARNING: the app's Graph/EWS permission reaches every mailbox of the organisation.\n");
    }
    s.push_str("$ErrorActionPreference = 'Stop'\n");
    s.push_str(&format!(
        "Connect-ExchangeOnline -Organization {} -ShowBanner:$false\n",
        quote(tenant)
    ));
    s.push_str(&steps_text(i));
    s
}

/// The delegated style's Exchange Online part alone (each user's FullAccess on each shared
/// mailbox, SMTP AUTH where it is off) as one PowerShell script, safe to run twice.
pub fn delegated_script(steps: &[ExStep], tenant: &str) -> String {
    let mut s = String::new();
    s.push_str(
        "# Exchange Online part of the delegated style, made by m365-mail-wizard.
",
    );
    s.push_str(
        "# Safe to run twice: every change is made only when its Get- finds nothing.
",
    );
    s.push_str(
        "$ErrorActionPreference = 'Stop'
",
    );
    s.push_str(&format!(
        "Connect-ExchangeOnline -Organization {} -ShowBanner:$false
",
        quote(tenant)
    ));
    s.push_str(&delegated_part(steps));
    s
}

/// The script a setup writes: the scope's (`scope`, when it is written as a script) followed
/// by the delegated part's steps, or those steps alone; none when there is nothing to write.
pub fn setup_script(
    scope: Option<&ScopeInput>,
    delegated: &[ExStep],
    tenant: &str,
) -> Option<String> {
    match (scope, delegated.is_empty()) {
        (Some(i), true) => Some(script(i, tenant)),
        (Some(i), false) => Some(script(i, tenant) + &delegated_part(delegated)),
        (None, false) => Some(delegated_script(delegated, tenant)),
        (None, true) => None,
    }
}

/// The delegated style's steps to follow a scope's script.
pub fn delegated_part(steps: &[ExStep]) -> String {
    format!(
        "\n# The delegated style: the mailbox users' FullAccess on the shared mailboxes, and SMTP AUTH\n# allowed where it is off for the mailboxes they sign in to SMTP as (never the organisation's switch).\n{}",
        looked_steps(steps)
    )
}

/// Steps that each look before they make, as script lines (the delegated style's steps).
pub fn looked_steps(steps: &[ExStep]) -> String {
    let mut s = String::new();
    for st in steps {
        let Some(make) = &st.make else { continue };
        let cond = st.found_when.clone().unwrap_or_else(|| "$found".into());
        s.push_str(&format!(
            "# {}\n$found = {} -ErrorAction SilentlyContinue\nif (-not ({cond})) {{\n    {}\n}}\n",
            st.title,
            st.look.powershell(),
            make.powershell()
        ));
    }
    s
}

fn steps_text(i: &ScopeInput) -> String {
    let mut s = String::new();
    for (n, st) in steps(i).iter().enumerate() {
        s.push_str(&format!("\n# {}. {}\n", n + 1, st.title));
        let Some(make) = &st.make else {
            if st.kind != ExKind::Mailboxes {
                s.push_str(&format!("{}\n", st.look.powershell()));
                continue;
            }
            let named: Vec<String> = i
                .mailboxes
                .iter()
                .chain(i.deny_mailbox.iter())
                .map(|m| quote(m))
                .collect();
            s.push_str(&format!(
                "foreach ($m in @({})) {{ Get-Mailbox -Identity $m | Out-Null }}\n",
                named.join(", ")
            ));
            continue;
        };
        s.push_str(&format!(
            "$found = {} -ErrorAction SilentlyContinue\n",
            st.look.powershell()
        ));
        if st.kind == ExKind::Group {
            s.push_str("if ($found) { Write-Host \"Reusing the existing group, managed by: $($found.ManagedBy -join ', ')\" }\n");
        }
        let cond = st.found_when.clone().unwrap_or_else(|| "$found".into());
        for line in &st.prelude {
            s.push_str(line);
            s.push('\n');
        }
        s.push_str(&format!(
            "if (-not ({cond})) {{\n    {}\n}}\n",
            make.powershell()
        ));
    }
    let tests: Vec<(String, bool)> = tested_mailboxes(i);
    if tests.iter().any(|(m, _)| test_cmdlet(i, m).is_some()) {
        s.push_str(
            "\n# Verify with the service's own test: intended mailboxes in scope, the other not.\n",
        );
        s.push_str("# Changes can take up to two hours to reach every server; the test itself is immediate.\n");
        for (m, intended) in tests {
            if let Some(t) = test_cmdlet(i, &m) {
                s.push_str(&format!(
                    "{}   # expected: {}\n",
                    t.powershell(),
                    if intended { "in scope" } else { "out of scope" }
                ));
            }
        }
    }
    s
}

//! `audit`: an administrator signs in read-only, the tenant's service principals with mail
//! access are read and classified; printed as a table or JSON, and written as a report for the
//! customer when asked. A progress line on a terminal while the tenant is read.

use std::io::IsTerminal;

use super::sign_in;
use crate::app::audit::{self, Progress, Target};
use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::{Code, diagnosis_error, failed, print_json, usage};
use crate::cli::settings::{AuditSettings, ReportFormat};
use crate::export::audit_report;
use crate::model::audit::Audit;
use crate::model::{AdminPurpose, TenantInput, printable};

pub async fn audit(env: &Env, s: AuditSettings) -> Exit {
    if let Some((path, _)) = &s.report
        && let Some(problem) = crate::store::output_problem(path, s.force)
    {
        return usage(problem.replace("--output", "--report"));
    }
    let cloud = s.cloud.cloud(env);
    let tenant = match (&s.tenant, &env.sandbox) {
        (Some(t), _) => t.clone(),
        (None, Some(link)) => match TenantInput::parse(&link.tenant_domain) {
            Ok(t) => t,
            Err(e) => return usage(e),
        },
        (None, None) => return usage("audit needs --tenant"),
    };
    let (info, _) =
        match app::resolve_tenant(&env.http, &cloud.endpoints, cloud.kind, &tenant).await {
            Ok(x) => x,
            Err((d, unavailable)) => {
                let (code, exit) = if unavailable {
                    (Code::Unavailable, Exit::Unavailable)
                } else {
                    (Code::Usage, Exit::Usage)
                };
                return diagnosis_error(code, exit, &d, Default::default());
            }
        };
    let e = &cloud.endpoints;
    let label = tenant.to_string();
    let session = match sign_in::admin(
        env,
        e,
        info.id,
        &label,
        s.admin_client_id,
        AdminPurpose::Audit,
    )
    .await
    {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let exchange = sign_in::exchange(
        env,
        e,
        info.id,
        s.admin_client_id,
        s.exchange_client_id,
        &session,
    )
    .await
    .map_err(|err| format!("{} {}", err.diagnosis.summary, err.diagnosis.evidence));
    eprintln!("Signed in as {}. Reading the tenant…", session.who());
    let terminal = std::io::stderr().is_terminal();
    let progress = move |p: Progress| {
        if terminal {
            eprint!("\r\x1b[2K{}", progress_text(&p));
        }
    };
    let target = Target {
        endpoints: e,
        tenant_id: info.id,
        tenant: &label,
    };
    let read = audit::run(
        env,
        &target,
        &session,
        exchange.as_ref().map_err(String::clone),
        &progress,
    )
    .await;
    if terminal {
        eprint!("\r\x1b[2K");
    }
    let a = match read {
        Ok(a) => a,
        Err(err) => return failed(&err.diagnosis, err.unavailable),
    };
    for m in &a.missing {
        eprintln!("warning: {}", printable(m));
    }
    if let Some((path, format)) = &s.report {
        let text = match format {
            ReportFormat::Markdown => audit_report::audit_markdown(&a),
            ReportFormat::Html => audit_report::audit_html(&a),
        };
        if let Err(err) = crate::store::write_private(path, text.as_bytes()) {
            return usage(format!("{}: {err}", path.display()));
        }
        eprintln!("Wrote the report {} (no secret in it).", path.display());
    }
    if s.json {
        print_json(&audit_report::audit_json_value(&a));
    } else {
        print_table(&a);
    }
    Exit::Ok
}

fn progress_text(p: &Progress) -> String {
    match p {
        Progress::Reading(what) => format!("reading {what}…"),
        Progress::Counted { what, done, total } => format!("reading {what}: {done}/{total}…"),
    }
}

fn print_table(a: &Audit) {
    println!(
        "Tenant {}: {} service principals, {} with access to mail (riskiest first).",
        printable(&a.tenant),
        a.principals,
        a.rows.len()
    );
    println!(
        "{:>4}  {:<24}  {:<40}  FINDINGS",
        "RISK", "REACH", "APPLICATION"
    );
    for r in &a.rows {
        let name: String = printable(&r.facts.name).chars().take(40).collect();
        println!(
            "{:>4}  {:<24}  {:<40}  {}",
            r.risk,
            r.reach.label(),
            name,
            audit_report::findings(r)
        );
    }
}

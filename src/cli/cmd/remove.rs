//! `remove PROFILE --from-tenant`: the plan printed, or with `--yes` carried out after an
//! administrator's sign-in (Exchange Online too when the setup made Exchange objects).

use serde_json::json;

use super::{load, sign_in};
use crate::app::Env;
use crate::app::offboard::{self, Done, OffboardError, Plan, plan_json};
use crate::cli::Exit;
use crate::cli::output::{failed, print_json, usage};
use crate::cli::settings::RemoveSettings;
use crate::model::AdminPurpose;

pub async fn remove(env: &Env, s: RemoveSettings) -> Exit {
    let p = match load(env, &s.profile) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let (journal, plan) = match offboard::prepare(env, &p) {
        Ok(x) => x,
        Err(err) => return stopped(&err),
    };
    if !s.yes {
        print_plan(&plan, s.json);
        return Exit::Ok;
    }
    let e = env.endpoints(&p);
    let session = match sign_in::admin(
        env,
        &e,
        p.tenant_id,
        &p.tenant,
        s.admin_client_id,
        AdminPurpose::Offboard,
    )
    .await
    {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let exchange = if plan.needs_exchange() {
        let signed_in = sign_in::exchange(
            env,
            &e,
            p.tenant_id,
            s.admin_client_id,
            s.exchange_client_id,
            &session,
        );
        match signed_in.await {
            Ok(x) => Some(x),
            Err(err) => return sign_in::sign_in_failed(err),
        }
    } else {
        None
    };
    eprintln!("Signed in as {}. Removing…", session.who());
    let told = |r: &offboard::Removal, d: &Done| {
        let how = match d {
            Done::Removed => "removed".to_string(),
            Done::AlreadyGone => "already gone".to_string(),
            Done::Kept(why) => format!("kept: {why}"),
        };
        eprintln!("✔ {} — {how}", r.title);
    };
    let record =
        match offboard::run(env, &p, &journal, &plan, &session, exchange.as_ref(), told).await {
            Ok(r) => r,
            Err(err) => return stopped(&err),
        };
    for l in &record.left {
        eprintln!("Left: {} — {}", l.what, l.why);
    }
    if let Some(note) = &record.app_restore {
        eprintln!("The app registration is {note}.");
    }
    eprintln!("{}", record.local);
    if let Some(path) = &record.path {
        eprintln!("Offboarding record: {path}");
    }
    let refused = matches!(record.token, Some(Ok(_)));
    match &record.token {
        Some(Ok(answer)) => eprintln!("The client can no longer get a token: {answer}"),
        Some(Err(why)) => {
            eprintln!("error: the refusal of the client's token is not proven: {why}")
        }
        None => {}
    }
    if s.json {
        print_json(&json!({
            "record": record,
            "path": record.path,
        }));
    }
    if refused { Exit::Ok } else { Exit::CheckFailed }
}

fn print_plan(plan: &Plan, json_out: bool) {
    if json_out {
        print_json(&json!({ "plan": plan_json(plan) }));
        return;
    }
    println!("The removal (nothing is changed until you run it with --yes):");
    for (i, r) in plan.removals.iter().enumerate() {
        println!("{:>2}. {}", i + 1, r.title);
        println!("      PowerShell: {}", r.powershell);
    }
    println!(
        "{:>2}. Prove the client can no longer get a token; forget the profile and its keyring entry; write the offboarding record",
        plan.removals.len() + 1
    );
    for l in &plan.left {
        println!("Left as it is: {} — {}", l.what, l.why);
    }
}

fn stopped(err: &OffboardError) -> Exit {
    if err.refused {
        let d = &err.diagnosis;
        usage(format!("{} {} {}", d.summary, d.cause, d.fix))
    } else {
        failed(&err.diagnosis, err.unavailable)
    }
}

//! `expiry`: when the profile's secret or certificate expires, read from the app registration
//! and recorded.

use super::upkeep::{finish, signed_in_for};
use crate::app::Env;
use crate::app::renew::read_expiry;
use crate::cli::Exit;
use crate::model::{AdminPurpose, ClientId, ProfileName};

pub async fn expiry(env: &Env, name: &ProfileName, admin_client_id: ClientId) -> Exit {
    let next = "Reading the app registration…";
    let (mut p, session) =
        match signed_in_for(env, name, admin_client_id, AdminPurpose::ReadApps, next).await {
            Ok(x) => x,
            Err(exit) => return exit,
        };
    finish(read_expiry(env, &mut p, &session.token).await, |r| {
        eprintln!("{}", r.note);
        println!("{}", r.expires);
    })
}

//! The terminal front end.

use crate::cli::Exit;
use crate::ops::Env;

pub async fn run(_env: Env) -> Exit {
    Exit::Usage
}

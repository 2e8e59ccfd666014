//! Graph's server-side paging of a directory collection: `$top` from 1 to 999 (default 100),
//! and an `@odata.nextLink` carrying an opaque `$skiptoken` while more remain.

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::responses::graph_error;

/// The page size Graph uses for directory objects when `$top` is not given.
pub const DEFAULT_TOP: usize = 100;

/// The page of `all` the query asks for, as Graph answers it; `link` is the collection's URL
/// without a query, to which the next link adds the query's own parameters.
pub fn page(all: Vec<Value>, q: &HashMap<String, String>, link: &str) -> Response {
    let top = match q.get("$top").map(|t| t.parse::<usize>()) {
        None => DEFAULT_TOP,
        Some(Ok(n)) if (1..=999).contains(&n) => n,
        Some(_) => {
            let given = q.get("$top").cloned().unwrap_or_default();
            return graph_error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                &format!(
                    "Invalid page size specified: '{given}'. Must be between 1 and 999 inclusive."
                ),
            );
        }
    };
    let skip = match q.get("$skiptoken").map(|t| skip_of(t)) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "The specified page token value has expired or is invalid.",
            );
        }
    };
    let total = all.len();
    let value: Vec<Value> = all.into_iter().skip(skip).take(top).collect();
    let mut out = json!({ "value": value });
    if skip + top < total {
        let mut u = reqwest::Url::parse(link).expect("the sandbox's own URL");
        {
            let mut pairs = u.query_pairs_mut();
            let mut kept: Vec<(&String, &String)> =
                q.iter().filter(|(k, _)| *k != "$skiptoken").collect();
            kept.sort();
            for (k, v) in kept {
                pairs.append_pair(k, v);
            }
            pairs.append_pair("$skiptoken", &token_of(skip + top));
        }
        out["@odata.nextLink"] = Value::String(u.to_string());
    }
    Json(out).into_response()
}

/// Opaque enough that a client cannot build one: the offset behind a fixed prefix, in hex.
fn token_of(skip: usize) -> String {
    format!("X'4453{skip:08X}'")
}

fn skip_of(token: &str) -> Option<usize> {
    let hex = token.strip_prefix("X'4453")?.strip_suffix('\'')?;
    usize::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pages_follow_each_other_and_sizes_beyond_graphs_are_refused() {
        let all: Vec<Value> = (0..250).map(|i| json!(i)).collect();
        let link = "http://127.0.0.1:1/graph/v1.0/servicePrincipals";
        let first = page(all.clone(), &query(&[("$select", "id")]), link);
        assert_eq!(first.status(), StatusCode::OK);
        let q = query(&[("$select", "id"), ("$skiptoken", &token_of(200))]);
        assert_eq!(page(all.clone(), &q, link).status(), StatusCode::OK);
        for bad in ["0", "1000", "x"] {
            let r = page(all.clone(), &query(&[("$top", bad)]), link);
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let r = page(all, &query(&[("$skiptoken", "200")]), link);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn tokens_read_back_and_others_do_not() {
        assert_eq!(skip_of(&token_of(1234)), Some(1234));
        assert_eq!(skip_of("1234"), None);
    }
}

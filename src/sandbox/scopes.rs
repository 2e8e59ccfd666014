//! What a token request's scopes ask for: Exchange Online, or Graph permissions a refresh
//! token's sign-in did not hold.

use super::Shared;
use super::facts::EXCHANGE_ADMIN_CLIENT_ID;

/// A Graph permission `scope` asks for that the sign-in's `signed_in` scope did not hold
/// (other resources are judged on their own).
pub(super) fn beyond(scope: &str, signed_in: &str) -> Option<String> {
    let held: Vec<&str> = signed_in.split_whitespace().collect();
    scope
        .split_whitespace()
        .filter(|x| x.contains("graph.") && !x.ends_with("/.default"))
        .find(|x| !held.contains(x))
        .map(String::from)
}

pub(super) fn wants_exchange(s: &Shared, scope: &str) -> bool {
    scope
        .split_whitespace()
        .any(|x| x.starts_with(s.exchange_resource.trim_end_matches('/')))
}

pub(super) fn exchange_client(_s: &Shared, client_id: &str) -> bool {
    client_id.eq_ignore_ascii_case(EXCHANGE_ADMIN_CLIENT_ID)
}

/// The delegated scopes of a request, without the resource prefix and the OpenID ones.
pub(super) fn delegated_scopes(scope: &str, graph_resource: &str) -> Vec<String> {
    scope
        .split_whitespace()
        .map(|s| {
            s.strip_prefix(graph_resource)
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(s)
        })
        .filter(|s| {
            !matches!(
                *s,
                "openid" | "profile" | "offline_access" | "email" | ".default"
            )
        })
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_lose_their_resource_and_openid() {
        assert_eq!(
            delegated_scopes(
                "https://graph.microsoft.com/Application.ReadWrite.All offline_access openid https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All",
                "https://graph.microsoft.com"
            ),
            [
                "Application.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All"
            ]
        );
    }
}

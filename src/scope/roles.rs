//! Which RBAC for Applications roles the access choices need, and which Entra permissions a
//! scope must leave out.

use crate::model::{AccessChoice, ScopeKind};

/// RBAC for Applications roles for the choices (REFERENCE.md 1.4, 4.2; SMTP: docs/smtp.md).
pub fn rbac_roles(access: &[AccessChoice]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for a in access {
        let role = match a {
            AccessChoice::GraphRead => "Application Mail.Read",
            AccessChoice::GraphReadWrite => "Application Mail.ReadWrite",
            AccessChoice::GraphSend => "Application Mail.Send",
            AccessChoice::Ews => "Application EWS.AccessAsApp",
            AccessChoice::Smtp => "Application SMTP.SendAsApp",
            _ => continue,
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    out
}

/// The Entra application permission an RBAC role stands in for.
pub fn entra_permission_of(rbac_role: &str) -> Option<&'static str> {
    match rbac_role {
        "Application Mail.Read" => Some("Mail.Read"),
        "Application Mail.ReadWrite" => Some("Mail.ReadWrite"),
        "Application Mail.Send" => Some("Mail.Send"),
        "Application EWS.AccessAsApp" => Some("full_access_as_app"),
        "Application SMTP.SendAsApp" => Some("SMTP.SendAsApp"),
        _ => None,
    }
}

/// IMAP and POP are scoped by FullAccess on each mailbox, whatever the scope kind: RBAC for
/// Applications has no role for them. SMTP is too, except under RBAC, where the role
/// `Application SMTP.SendAsApp` in the scope replaces it (docs/smtp.md).
pub fn needs_mailbox_permission(kind: ScopeKind, access: &[AccessChoice]) -> bool {
    !full_access_protocols(kind, access).is_empty()
}

/// The protocols that reach a mailbox through FullAccess under this scope kind, as names.
pub fn full_access_protocols(kind: ScopeKind, access: &[AccessChoice]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (choice, name) in [
        (AccessChoice::Imap, "IMAP"),
        (AccessChoice::Pop, "POP"),
        (AccessChoice::Smtp, "SMTP"),
    ] {
        let by_role = choice == AccessChoice::Smtp && kind == ScopeKind::Rbac;
        if access.contains(&choice) && !by_role {
            out.push(name);
        }
    }
    out
}

/// What a scope kind restricts by its group: Graph and EWS always, and SMTP under RBAC.
pub fn scoped_by_group_under(kind: ScopeKind, access: &[AccessChoice]) -> bool {
    scoped_by_group(access) || (kind == ScopeKind::Rbac && access.contains(&AccessChoice::Smtp))
}

/// Graph and EWS are what group scopes and policies restrict.
pub fn scoped_by_group(access: &[AccessChoice]) -> bool {
    access
        .iter()
        .any(|a| a.uses_graph() || *a == AccessChoice::Ews)
}

/// Entra application permissions the plan must not grant: under RBAC they would reach every
/// mailbox regardless of the scope.
pub fn bypassing_permissions(kind: ScopeKind, access: &[AccessChoice]) -> Vec<&'static str> {
    if kind != ScopeKind::Rbac {
        return Vec::new();
    }
    rbac_roles(access)
        .into_iter()
        .filter_map(entra_permission_of)
        .collect()
}

/// The Entra permissions a scope leaves out, as names.
pub fn omitted(kind: ScopeKind, access: &[AccessChoice]) -> Vec<String> {
    bypassing_permissions(kind, access)
        .into_iter()
        .map(String::from)
        .collect()
}

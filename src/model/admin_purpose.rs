//! What an administrator's sign-in is for, and so which delegated Microsoft Graph permissions
//! it asks for (docs/permissions.md): each operation asks only for what it needs.

/// The operation an administrator signs in for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AdminPurpose {
    /// A whole setup: the app, its permissions and consent, and the mailbox scoping.
    #[default]
    Setup,
    /// Reading an app registration (when its credential expires); nothing is changed.
    ReadApps,
    /// A new secret or certificate on an existing app registration.
    WriteApps,
    /// The second phase of a renewal: the old credential removed, after the tenant's sign-in
    /// logs tell when it was last used.
    FinishRenewal,
    /// `remove --from-tenant`: the app registration the setup made is deleted (its Exchange
    /// objects go through the Exchange Online sign-in).
    Offboard,
    /// `audit`: every service principal with mail access and its sign-ins, read only.
    Audit,
    /// `migrate APP --to rbac`: the app's tenant-wide admin consents revoked (and put back on
    /// undo); its Exchange objects go through the Exchange Online sign-in.
    Migrate,
}

/// The delegated Graph permissions a setup uses; the last one scopes mailboxes through
/// Graph's Exchange role-management provider.
pub const SETUP_SCOPES: [&str; 4] = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "RoleManagement.ReadWrite.Exchange",
];

impl AdminPurpose {
    /// The delegated Graph permissions the sign-in asks for.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            AdminPurpose::Setup => &SETUP_SCOPES,
            AdminPurpose::ReadApps => &["Application.Read.All"],
            AdminPurpose::WriteApps => &["Application.ReadWrite.All"],
            // Microsoft's "List signIns": AuditLog.Read.All (docs/renewal.md).
            AdminPurpose::FinishRenewal => &["Application.ReadWrite.All", "AuditLog.Read.All"],
            // Microsoft's "Delete application": Application.ReadWrite.All (docs/offboarding.md).
            AdminPurpose::Offboard => &["Application.ReadWrite.All"],
            // "List servicePrincipals", "List appRoleAssignedTo", "List applications":
            // Application.Read.All; "List servicePrincipalSignInActivities": AuditLog.Read.All
            // (docs/audit.md).
            AdminPurpose::Audit => &["Application.Read.All", "AuditLog.Read.All"],
            // Microsoft's "Delete appRoleAssignment" and "Grant an appRoleAssignment":
            // AppRoleAssignment.ReadWrite.All with Application.Read.All (docs/migration.md).
            AdminPurpose::Migrate => &["Application.Read.All", "AppRoleAssignment.ReadWrite.All"],
        }
    }

    /// Why these permissions, in a few words.
    pub fn why(self) -> &'static str {
        match self {
            AdminPurpose::Setup => {
                "to create the app, grant its permissions and scope it to the chosen mailboxes"
            }
            AdminPurpose::ReadApps => "to read the app's secret expiry — nothing is changed",
            AdminPurpose::WriteApps => {
                "to add a new secret or certificate to the app; the old one stays until you remove it"
            }
            AdminPurpose::FinishRenewal => {
                "to remove the old secret or certificate from the app, and to read the tenant's sign-in logs for when it was last used"
            }
            AdminPurpose::Migrate => {
                "to read the app's admin consents and revoke its tenant-wide mail roles once RBAC for Applications is proved (undo grants them again)"
            }
            AdminPurpose::Offboard => {
                "to delete the app registration the setup made (restorable for 30 days); nothing else in the directory is changed"
            }
            AdminPurpose::Audit => {
                "to list the service principals with access to mail, their consents, credentials and last sign-ins — nothing is changed"
            }
        }
    }

    /// One line for the person signing in: which permissions are asked for, and why.
    pub fn asks(self) -> String {
        format!("Asks for {}: {}.", self.scopes().join(", "), self.why())
    }

    /// Whether a sign-in for `self` holds every permission `needed` asks for, so that it may be
    /// reused for it.
    pub fn covers(self, needed: AdminPurpose) -> bool {
        let granted = self.scopes();
        needed.scopes().iter().all(|p| {
            granted.contains(p)
                // Microsoft: ReadWrite includes what Read allows.
                || (*p == "Application.Read.All" && granted.contains(&"Application.ReadWrite.All"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AdminPurpose::{self, *};

    #[test]
    fn a_sign_in_is_reused_only_for_what_its_permissions_cover() {
        let all = [Setup, ReadApps, WriteApps, FinishRenewal];
        let covered = |a: AdminPurpose| all.iter().filter(|b| a.covers(**b)).count();
        assert_eq!(covered(Setup), 3);
        assert_eq!(covered(WriteApps), 2);
        assert_eq!(covered(FinishRenewal), 3);
        assert!(!Setup.covers(FinishRenewal) && !WriteApps.covers(FinishRenewal));
        assert!(WriteApps.covers(ReadApps) && !WriteApps.covers(Setup));
        assert!(ReadApps.covers(ReadApps) && !ReadApps.covers(WriteApps));
        assert!(!ReadApps.covers(Setup));
    }

    #[test]
    fn reading_asks_for_the_read_permission_only() {
        assert_eq!(ReadApps.scopes(), ["Application.Read.All"]);
        assert_eq!(
            ReadApps.asks(),
            "Asks for Application.Read.All: to read the app's secret expiry — nothing is changed."
        );
        assert_eq!(WriteApps.scopes(), ["Application.ReadWrite.All"]);
        assert_eq!(Setup.scopes().len(), 4);
    }
}

/// How an administrator signs in: a device code entered on any device, or the browser on this
/// machine (authorization code with PKCE on a loopback redirect, docs/browser-sign-in.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignInMethod {
    #[default]
    DeviceCode,
    Browser,
}

impl SignInMethod {
    /// As `--sign-in` names it.
    pub fn flag(self) -> &'static str {
        match self {
            SignInMethod::DeviceCode => "device-code",
            SignInMethod::Browser => "browser",
        }
    }
}

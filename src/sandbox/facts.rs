//! Microsoft's facts the simulated tenant answers with, copied from REFERENCE.md and kept apart
//! from the product's catalog: when the product assumes something else, a test fails.

/// Microsoft Graph (REFERENCE.md 1.1).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Office 365 Exchange Online (REFERENCE.md 1.2).
pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";

/// The Exchange Online PowerShell module's public client (REFERENCE.md 3), pre-authorised for
/// Exchange administration.
pub const EXCHANGE_ADMIN_CLIENT_ID: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";

/// Microsoft Graph Command Line Tools (REFERENCE.md 3): the public client admin tooling signs
/// in with.
pub const GRAPH_CLI_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Directory role template id of Global Administrator, carried in `wids`.
pub const GLOBAL_ADMIN_ROLE: &str = "62e90394-69f5-4237-9190-012177145e10";

/// A resource application and the permissions it exposes.
pub struct ResourceFacts {
    pub app_id: &'static str,
    pub display_name: &'static str,
    /// One permission a line: name, application role id, delegated scope id (`-` for none).
    table: &'static str,
}

/// One permission of a resource: the ids it has as an application role and as a delegated scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PermissionFacts {
    pub name: &'static str,
    pub role: Option<&'static str>,
    pub scope: Option<&'static str>,
}

/// The resources in the order their service principals are seeded.
pub const RESOURCES: [ResourceFacts; 2] = [
    ResourceFacts {
        app_id: GRAPH_APP_ID,
        display_name: "Microsoft Graph",
        // `openid` is not in REFERENCE.md's table (1.4 names it as a delegated Graph
        // permission without its id); the id is the one Microsoft Graph publishes.
        table: "
            Mail.Read              810c84a8-4a9e-49e6-bf7d-12d183f40d01  570282fd-fa5c-430d-a7fd-fc8dc98a9dca
            Mail.ReadBasic         6be147d2-ea4f-4b5a-a3fa-3eab6f3c140a  a4b8392a-d8d1-4954-a029-8e668a39a170
            Mail.ReadBasic.All     693c5e45-0940-467d-9b8a-1022fb9d42ef  -
            Mail.ReadWrite         e2a3a72e-5f79-4c64-b1b1-878b674786c9  024d486e-b451-40bb-833d-3e66d98c5c73
            Mail.Send              b633e1c5-b582-4048-a93e-9f11b44c7e96  e383f46e-2787-4529-855e-0e479a3ffac0
            MailboxSettings.Read   40f97065-369a-49f4-947c-6a255697ae91  87f447af-9fa4-4c32-9dfa-4a57a73d18ce
            User.Read.All          df021288-bdef-4463-88db-98f22de89214  a154be20-db9c-4678-8ab7-66f6cc099a59
            User.Read              -                                     e1fe6dd8-ba31-4d61-89e7-88639da4683d
            IMAP.AccessAsUser.All  -                                     652390e4-393a-48de-9484-05f9b1212954
            POP.AccessAsUser.All   -                                     d7b7f2d9-0f45-4ea1-9d42-e50810c06991
            SMTP.Send              -                                     258f6531-6087-4cc4-bb90-092c5fb3ed3f
            offline_access         -                                     7427e0e9-2fba-42fe-b0c0-848c9e6a8182
            openid                 -                                     37f7f235-527c-4136-accd-4a02d197296e
        ",
    },
    ResourceFacts {
        app_id: EXCHANGE_APP_ID,
        display_name: "Office 365 Exchange Online",
        table: "
            full_access_as_app     dc890d15-9560-4a4c-9b7f-a736ec74ec40  -
            IMAP.AccessAsApp       5e5addcd-3e8d-4e90-baf5-964efab2b20a  -
            POP.AccessAsApp        cb842b43-da6e-4506-86fe-bb12199c656d  -
            SMTP.SendAsApp         7146a1f0-8703-45b3-9eae-527a64c00995  -
            Exchange.ManageAsApp   dc50a0fb-09a3-484d-be87-e023b12c6440  -
        ",
    },
];

impl ResourceFacts {
    /// The permissions in table order.
    pub fn permissions(&self) -> impl Iterator<Item = PermissionFacts> {
        self.table.lines().filter_map(|row| {
            let mut cells = row.split_whitespace();
            let name = cells.next()?;
            let id = |cell: Option<&'static str>| cell.filter(|c| *c != "-");
            Some(PermissionFacts {
                name,
                role: id(cells.next()),
                scope: id(cells.next()),
            })
        })
    }
}

/// The application roles of RBAC for Applications the sandbox knows (REFERENCE.md 4.2 and 8);
/// their position makes their role definition id.
pub const APPLICATION_ROLES: [&str; 8] = [
    "Application Mail.Read",
    "Application Mail.ReadBasic",
    "Application Mail.ReadWrite",
    "Application Mail.Send",
    "Application EWS.AccessAsApp",
    "Application SMTP.SendAsApp",
    "Application MailboxSettings.Read",
    "Application MailboxSettings.ReadWrite",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_three_cells_and_every_id_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in &RESOURCES {
            for row in r.table.lines().filter(|l| !l.trim().is_empty()) {
                assert_eq!(row.split_whitespace().count(), 3, "{row}");
            }
            for p in r.permissions() {
                assert!(p.role.is_some() || p.scope.is_some(), "{}", p.name);
                for id in p.role.iter().chain(p.scope.iter()) {
                    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
                    assert!(seen.insert(*id), "{id} twice");
                }
            }
        }
    }

    #[test]
    fn reference_values() {
        let graph = RESOURCES[0].permissions().collect::<Vec<_>>();
        let mail_read = graph.iter().find(|p| p.name == "Mail.Read").unwrap();
        assert_eq!(mail_read.role, Some("810c84a8-4a9e-49e6-bf7d-12d183f40d01"));
        let user_read = graph.iter().find(|p| p.name == "User.Read").unwrap();
        assert_eq!(user_read.role, None, "User.Read is delegated only");
        let exchange = RESOURCES[1].permissions().collect::<Vec<_>>();
        assert_eq!(exchange.len(), 5);
        assert!(exchange.iter().all(|p| p.scope.is_none()));
    }

    /// The product's catalog and the simulator's copy of REFERENCE.md agree: an id the
    /// product gets wrong fails here (and against the sandbox) instead of passing mirrored.
    #[test]
    fn the_products_catalog_agrees_with_these_facts() {
        let catalog = crate::catalog::catalog();
        assert_eq!(catalog.resources.len(), RESOURCES.len());
        for (theirs, ours) in catalog.resources.iter().zip(&RESOURCES) {
            assert_eq!(
                (theirs.app_id.as_str(), theirs.name.as_str()),
                (ours.app_id, ours.display_name)
            );
            let mine: Vec<PermissionFacts> = ours.permissions().collect();
            assert_eq!(
                theirs.permissions.len(),
                mine.len(),
                "{}",
                ours.display_name
            );
            for (p, q) in theirs.permissions.iter().zip(&mine) {
                assert_eq!(
                    (p.name.as_str(), p.role.as_deref(), p.scope.as_deref()),
                    (q.name, q.role, q.scope)
                );
            }
        }
    }
}

//! The Exchange Online half of the audit through the admin API (read-only `Get-` cmdlets):
//! Exchange's service principals, RBAC for Applications role assignments and their management
//! scopes, application access policies, and the mailbox permissions held by service principals.

use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use super::{ByPrincipal, IN_FLIGHT, Progress};
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::audit::{PolicyGrant, RbacGrant};

/// An Exchange service principal as `Get-ServicePrincipal` lists it.
struct ExchangePrincipal {
    app_id: String,
    object_id: String,
    name: String,
}

/// What Exchange Online told, ready to be added to the Entra facts.
pub(super) struct Facts {
    principals: Vec<ExchangePrincipal>,
    /// (assignee as Exchange names it, grant)
    rbac: Vec<(String, RbacGrant)>,
    /// (application ID, policy)
    policies: Vec<(String, PolicyGrant)>,
    /// (user as Exchange names it, mailbox)
    permissions: Vec<(String, String)>,
}

fn text(row: &Value, field: &str) -> String {
    row[field].as_str().unwrap_or_default().to_string()
}

/// What the audit leaves out without Exchange Online (`why`: the sign-in's failure).
pub(super) fn missing(why: &str) -> String {
    format!(
        "Exchange Online could not be read ({why}): RBAC for Applications assignments, application access policies and mailbox permissions are not in this audit. The administrator needs an Exchange role that may view them (View-Only Organization Management, or Global Reader)."
    )
}

async fn rows(x: &Cmdlets<'_>, cmdlet: &str, params: Value) -> Result<Vec<Value>, String> {
    x.invoke(cmdlet, params)
        .await
        .map(|i| i.rows)
        .map_err(|e| missing(&format!("{cmdlet}: {e}")))
}

pub(super) async fn read(
    x: &Cmdlets<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Facts, String> {
    progress(Progress::Reading(
        "Exchange Online's service principals, roles, scopes and policies",
    ));
    // The mailboxes' permissions are read as soon as the mailboxes are listed; which of them
    // belong to service principals is told once those are listed too.
    let (principals, assignments, scopes, policies, permissions) = tokio::join!(
        rows(x, "Get-ServicePrincipal", json!({})),
        rows(
            x,
            "Get-ManagementRoleAssignment",
            json!({"RoleAssigneeType": "ServicePrincipal"})
        ),
        rows(x, "Get-ManagementScope", json!({})),
        rows(x, "Get-ApplicationAccessPolicy", json!({})),
        async {
            let mailboxes = rows(
                x,
                "Get-Mailbox",
                json!({"ResultSize": "Unlimited", "RecipientTypeDetails": "UserMailbox,SharedMailbox"}),
            )
            .await?;
            mailbox_permissions(x, &mailboxes, progress).await
        },
    );
    let (principals, assignments, scopes, policies, permissions) =
        (principals?, assignments?, scopes?, policies?, permissions?);
    let principals: Vec<ExchangePrincipal> = principals
        .iter()
        .map(|r| ExchangePrincipal {
            app_id: text(r, "AppId").to_ascii_lowercase(),
            object_id: text(r, "ObjectId").to_ascii_lowercase(),
            name: text(r, "DisplayName"),
        })
        .collect();
    let filter_of = |name: &str| {
        scopes
            .iter()
            .find(|s| text(s, "Name").eq_ignore_ascii_case(name))
            .map(|s| text(s, "RecipientFilter"))
    };
    let rbac = assignments
        .iter()
        .filter(|r| {
            r["RoleAssigneeType"]
                .as_str()
                .is_none_or(|t| t == "ServicePrincipal")
        })
        .map(|r| {
            let scope = r["CustomResourceScope"].as_str().map(String::from);
            let scope_filter = scope.as_deref().and_then(filter_of);
            (
                text(r, "RoleAssignee"),
                RbacGrant {
                    role: text(r, "Role"),
                    scope,
                    scope_filter,
                },
            )
        })
        .collect();
    let policies = policies
        .iter()
        .map(|r| {
            let group = r["ScopeIdentity"]
                .as_str()
                .or(r["ScopeName"].as_str())
                .unwrap_or("(a group that no longer exists)")
                .to_string();
            (
                text(r, "AppId").to_ascii_lowercase(),
                PolicyGrant {
                    access_right: text(r, "AccessRight"),
                    group,
                },
            )
        })
        .collect();
    let permissions = permissions
        .into_iter()
        .filter(|(user, _)| find(&principals, user).is_some())
        .collect();
    Ok(Facts {
        principals,
        rbac,
        policies,
        permissions,
    })
}

/// Every mailbox permission granted (to whom, on which mailbox) but denials, one mailbox per
/// read, `IN_FLIGHT` reads at once.
async fn mailbox_permissions(
    x: &Cmdlets<'_>,
    mailboxes: &[Value],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(String, String)>, String> {
    let addresses: Vec<String> = mailboxes
        .iter()
        .map(|m| text(m, "PrimarySmtpAddress"))
        .filter(|m| !m.is_empty())
        .collect();
    let total = addresses.len();
    // Owned addresses: a stream over borrowed ones could not run on a spawned task.
    let mut reads = stream::iter(addresses)
        .map(|m| async move {
            let asked = x
                .invoke("Get-MailboxPermission", json!({"Identity": &m}))
                .await;
            (m, asked)
        })
        .buffer_unordered(IN_FLIGHT);
    let mut out = Vec::new();
    let mut done = 0;
    while let Some((mailbox, asked)) = reads.next().await {
        done += 1;
        progress(Progress::Counted {
            what: "mailbox permissions",
            done,
            total,
        });
        let found = match asked {
            Ok(i) => i.rows,
            // Gone between the list and the read.
            Err(CloudError::Graph(g)) if g.status == 404 => continue,
            Err(e) => return Err(missing(&format!("Get-MailboxPermission: {e}"))),
        };
        for r in found {
            let denied = r["Deny"].as_bool().unwrap_or(false);
            let user = text(&r, "User");
            if !denied && !user.is_empty() {
                out.push((user, mailbox.to_ascii_lowercase()));
            }
        }
    }
    Ok(out)
}

/// An Exchange service principal by the name Exchange gives it in a listing: its object ID,
/// application ID or display name.
fn find<'p>(principals: &'p [ExchangePrincipal], key: &str) -> Option<&'p ExchangePrincipal> {
    let k = key.to_ascii_lowercase();
    principals
        .iter()
        .find(|p| p.object_id == k || p.app_id == k || p.name.eq_ignore_ascii_case(key))
}

impl Facts {
    /// Adds what Exchange told to the Entra facts: matched by the service principal's object
    /// ID (Exchange's registration) or application ID (policies).
    pub(super) fn add_to(&self, facts: &mut ByPrincipal) {
        let sp_of = |key: &str| {
            find(&self.principals, key)
                .map(|p| p.object_id.clone())
                .unwrap_or_else(|| key.to_ascii_lowercase())
        };
        for p in &self.principals {
            if let Some(f) = facts.get_mut(&p.object_id) {
                f.exchange_principal = true;
            }
        }
        for (assignee, grant) in &self.rbac {
            if let Some(f) = facts.get_mut(&sp_of(assignee)) {
                f.rbac.push(grant.clone());
            }
        }
        let sp_of_app: std::collections::HashMap<String, String> = facts
            .values()
            .map(|f| (f.app_id.clone(), f.sp_id.clone()))
            .collect();
        for (app_id, policy) in &self.policies {
            if let Some(f) = sp_of_app.get(app_id).and_then(|sp| facts.get_mut(sp)) {
                f.policies.push(policy.clone());
            }
        }
        for (user, mailbox) in &self.permissions {
            if let Some(f) = facts.get_mut(&sp_of(user))
                && !f.mailbox_permissions.contains(mailbox)
            {
                f.mailbox_permissions.push(mailbox.clone());
            }
        }
    }
}

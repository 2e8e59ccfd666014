//! `audit`'s settings: the tenant and its cloud, the outputs, the sign-ins.

use std::path::PathBuf;

use super::profile::{CloudChoice, cloud_of};
use super::{Invalid, Result, admin_client};
use crate::cli::audit_args::AuditArgs;
use crate::model::{ClientId, TenantInput};

/// The report's format, by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
}

pub struct AuditSettings {
    /// None with --sandbox: the sandbox tenant.
    pub tenant: Option<TenantInput>,
    pub cloud: CloudChoice,
    pub json: bool,
    pub report: Option<(PathBuf, ReportFormat)>,
    pub force: bool,
    pub admin_client_id: ClientId,
    pub exchange_client_id: ClientId,
}

impl AuditSettings {
    pub(super) fn new(a: AuditArgs, sandbox: bool) -> Result<AuditSettings> {
        let tenant = match (&a.tenant, sandbox) {
            (Some(t), _) => Some(TenantInput::parse(t).map_err(Invalid::new)?),
            (None, true) => None,
            (None, false) => {
                return Err(Invalid::new(
                    "audit needs --tenant: the tenant ID or one of its verified domains (with --sandbox, the sandbox tenant is audited)",
                ));
            }
        };
        let report = match &a.report {
            None => None,
            Some(path) => {
                let ext = path
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase());
                let format = match ext.as_deref() {
                    Some("md" | "markdown") => ReportFormat::Markdown,
                    Some("html" | "htm") => ReportFormat::Html,
                    _ => {
                        return Err(Invalid::new(format!(
                            "--report {}: name the file .md (Markdown) or .html (HTML)",
                            path.display()
                        )));
                    }
                };
                Some((path.clone(), format))
            }
        };
        let cloud = if sandbox {
            CloudChoice::Sandbox
        } else {
            CloudChoice::Given(Box::new(cloud_of(&a.cloud, a.cloud_file.as_deref())?))
        };
        Ok(AuditSettings {
            tenant,
            cloud,
            json: a.json,
            report,
            force: a.force,
            admin_client_id: admin_client(&a.admin_client_id)?,
            exchange_client_id: ClientId::parse(&a.exchange_client_id).map_err(|_| {
                Invalid::new(format!(
                    "--exchange-client-id {}: not a GUID",
                    a.exchange_client_id
                ))
            })?,
        })
    }
}

//! What a failed setup reports: the step, the diagnosis of a directory or Exchange call, and
//! whether running it again may get further.

use crate::cloud::CloudError;
use crate::cloud::diagnose::{self, Context, Stage};
use crate::model::{ClientId, Diagnosis};

#[derive(Clone, Debug)]
pub struct SetupError {
    /// The plan step that failed (its index).
    pub step: Option<u32>,
    pub diagnosis: Diagnosis,
    /// The network or the service failed; running the setup again resumes it.
    pub unavailable: bool,
    /// Another app already has the display name asked for (its client ID): the setup can use
    /// it (`SetupRequest::reuse_existing`) or go on under another name.
    pub name_taken: Option<Box<ClientId>>,
    /// A file on this machine (the journal, the profile, the script) could not be read or
    /// written: a configuration error (exit 2), not the service's.
    pub local: bool,
    /// The tenant forbids client secrets and no certificate was agreed to ([`Self::policy`]
    /// names the policy). The same setup with `SetupRequest::certificate_if_secrets_forbidden`
    /// goes on with a certificate.
    pub secrets_forbidden: bool,
}

impl SetupError {
    /// When the tenant forbids client secrets: the policy named in one sentence, or why it
    /// could not be.
    pub fn policy(&self) -> Option<&str> {
        let cause = self.diagnosis.cause.as_str();
        self.secrets_forbidden.then(|| {
            cause
                .strip_prefix(super::certificate::FORBIDS)
                .unwrap_or(cause)
        })
    }

    /// A failure on this machine (a file, the journal, a sign-in), before or after the steps.
    pub fn local(diagnosis: Diagnosis) -> SetupError {
        SetupError {
            step: None,
            diagnosis,
            unavailable: false,
            name_taken: None,
            local: true,
            secrets_forbidden: false,
        }
    }
}

/// The diagnosis of a failed directory call.
pub fn graph_diagnosis(e: &CloudError, tenant: &str, portal: &str) -> Diagnosis {
    match e {
        CloudError::Graph(g) if g.status == 403 => Diagnosis {
            summary: "The signed-in account may not make this change.".into(),
            evidence: format!("HTTP 403 {}: {}", g.code, g.message),
            cause: "Creating apps and granting consent need an administrator role (Global Administrator, or Application Administrator plus Privileged Role Administrator for consent).".into(),
            fix: "Sign in as such an administrator and run the setup again: it resumes where it stopped.".into(),
        },
        // Every object a setup's directory call names is an app, a service principal or a
        // consent: never a mailbox.
        CloudError::Graph(g) if g.status == 404 => Diagnosis {
            summary: "Microsoft Entra ID does not know an object this step names.".into(),
            evidence: format!("HTTP 404 {}: {}", g.code, g.message),
            cause: "The app registration or its service principal was deleted meanwhile, or it was made moments ago and has not reached every copy of the directory yet.".into(),
            fix: "Run the setup again in a few minutes: it resumes, finds what exists and makes what is missing.".into(),
        },
        _ => diagnose::diagnose(
            e,
            &Context {
                stage: Stage::Token,
                tenant,
                client_id: "",
                mailbox: None,
                portal,
            },
        ),
    }
}

/// The diagnosis of a failed Exchange administration call.
pub fn exchange_diagnosis(e: &CloudError, what: &str) -> Diagnosis {
    match e {
        CloudError::Graph(g) if g.status == 401 || g.status == 403 => Diagnosis {
            summary: format!("Exchange Online refused {what}."),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "The signed-in account has no Exchange administrator role (Exchange Administrator or Global Administrator), or the role is new and not yet in effect.".into(),
            fix: "Sign in as an Exchange administrator and run the setup again (it resumes), or run the setup with --exchange powershell and hand the script to one.".into(),
        },
        CloudError::Graph(g) if g.message.contains("application access policies") => Diagnosis {
            summary: "The tenant has no room for another application access policy.".into(),
            evidence: format!("{}: {}", g.code, g.message),
            cause: "Policies share a fixed amount of space (about 300 with short descriptions).".into(),
            fix: "Use --scope rbac (RBAC for Applications, which Microsoft recommends instead), or remove policies no app uses any more (Get-ApplicationAccessPolicy).".into(),
        },
        CloudError::Graph(g) if g.status == 429 || g.message.contains("concurrent") => Diagnosis {
            summary: "Exchange Online is throttling the administration calls.".into(),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "Too many requests, or too many at once, for this tenant.".into(),
            fix: "Wait a few minutes and run the setup again: it resumes where it stopped.".into(),
        },
        CloudError::Graph(g) => Diagnosis {
            summary: format!("Exchange Online could not do this: {what}."),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "The service's message above says why.".into(),
            fix: "Correct what it names and run the setup again; it resumes. The same step in PowerShell is in the plan (setup without --yes).".into(),
        },
        CloudError::Redirected {
            location, allowed, ..
        } => Diagnosis {
            summary: format!(
                "Exchange Online's admin API redirected the request ({what}) to a host outside this cloud's Exchange Online; the wizard did not follow it."
            ),
            evidence: e.to_string(),
            cause: format!(
                "Only {allowed} may receive the administrator's token; {location} is not one of them. A proxy or filter on the network may be answering in Microsoft's place, or the endpoints (--cloud, --cloud-file) name the wrong Exchange host."
            ),
            fix: "Check the cloud and any proxy between this machine and Microsoft, then run the setup again (it resumes); or use --exchange powershell.".into(),
        },
        other => Diagnosis {
            summary: format!("Exchange Online could not be reached for {what}."),
            evidence: other.to_string(),
            cause: "The network or the service failed.".into(),
            fix: "Run the setup again: it resumes where it stopped.".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(status: u16, code: &str, message: &str) -> CloudError {
        CloudError::Graph(crate::cloud::GraphError {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    #[test]
    fn a_directory_404_is_never_a_missing_mailbox() {
        let d = graph_diagnosis(
            &graph(
                404,
                "Request_ResourceNotFound",
                "Resource '1b2c' does not exist or one of its queried reference-property objects are not present.",
            ),
            "contoso.example",
            "https://entra.microsoft.com",
        );
        assert!(!d.summary.to_lowercase().contains("mailbox"), "{d:?}");
        assert!(
            d.summary.contains("Microsoft Entra ID") && d.fix.contains("resumes"),
            "{d:?}"
        );
    }

    #[test]
    fn a_redirect_elsewhere_is_named_with_where_it_pointed() {
        let d = exchange_diagnosis(
            &CloudError::Redirected {
                status: 302,
                location: "https://login.evil.example/adminapi".into(),
                allowed: "outlook.office365.com or *.outlook.office365.com".into(),
            },
            "listing mailboxes",
        );
        assert!(d.summary.contains("did not follow"), "{d:?}");
        assert!(
            d.evidence.contains("https://login.evil.example/adminapi")
                && d.evidence.contains("the token was not sent"),
            "{d:?}"
        );
        assert!(d.cause.contains("*.outlook.office365.com"), "{d:?}");
    }

    #[test]
    fn exchange_refusals_say_what_to_do() {
        let d = exchange_diagnosis(
            &graph(
                403,
                "AuthorizationException",
                "The user isn't assigned to any management roles.",
            ),
            "x",
        );
        assert!(
            d.cause.contains("Exchange administrator role")
                && d.fix.contains("--exchange powershell"),
            "{d:?}"
        );
        let d = exchange_diagnosis(
            &graph(
                400,
                "TaskArgumentException",
                "The total size of all application access policies in the organization exceeds the limit.",
            ),
            "x",
        );
        assert!(d.fix.contains("--scope rbac"), "{d:?}");
        let d = exchange_diagnosis(
            &graph(
                400,
                "ThrottlingException",
                "Maximum number of concurrent requests reached.",
            ),
            "x",
        );
        assert!(
            d.summary.contains("throttling") && d.fix.contains("resumes"),
            "{d:?}"
        );
    }
}

//! The credential step when the tenant forbids client secrets: the policy named, and — with
//! the administrator's consent — a certificate instead (docs/credential-policies.md): a key
//! pair made here, the certificate registered on the app, the private key in the keyring as
//! `cert` keeps it. The journal notes the certificate before it is registered, so a run
//! stopped anywhere removes a certificate whose key was never stored and makes another.

use super::SetupError;
use super::run::{Run, crash_point};
use crate::app::renew::certificate_label;
use crate::cloud::admin::{Application, GraphAdmin, PolicyNames};
use crate::cloud::device::DeviceFlow;
use crate::cloud::error::GraphError;
use crate::model::{ClientId, Diagnosis, ObjectId, Secret, StepStatus, Thumbprints};
use crate::store::JournalCertificate;

/// Graph's `addPassword` error code when a policy forbids client secrets.
pub const SECRETS_FORBIDDEN: &str = "CredentialTypeNotAllowedAsPerAppPolicy";

/// How the diagnosis's cause starts; the policy's sentence follows.
pub(super) const FORBIDS: &str = "An app management policy forbids adding client secrets. ";

/// The flag that gives the consent on the command line.
pub const CONSENT_FLAG: &str = "--certificate-if-secrets-forbidden";

/// `addPassword` was refused by a policy: the policy named, then a certificate when the
/// administrator agreed, or a stop that says how to agree.
pub(super) async fn secrets_forbidden(
    r: &mut Run<'_>,
    i: usize,
    object_id: ObjectId,
    client_id: ClientId,
    g: &GraphError,
) -> Result<(), SetupError> {
    let mut names = r.graph.secret_policies(object_id).await;
    if names.named.is_empty()
        && !names.unread.is_empty()
        && let Some(read) = read_with_policy_rights(r, object_id).await
    {
        names = read;
    }
    let named = names.sentence();
    if !r.req.certificate_if_secrets_forbidden {
        let d = Diagnosis {
            summary: "The tenant forbids client secrets for this app: the setup can give it a certificate instead.".into(),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: format!("{FORBIDS}{named}"),
            fix: format!(
                "Agree to a certificate: answer yes when the setup asks (c in the wizard), or run the same command again with {CONSENT_FLAG}. The wizard then makes a key pair, registers the certificate on the app and keeps its private key in the keyring; no secret is made. The app and what was made so far are kept."
            ),
        };
        let mut err = r.refuse(i, d);
        err.secrets_forbidden = true;
        return Err(err);
    }
    r.journal.certificate = true;
    r.save()?;
    certificate(r, i, client_id, Some(&named)).await
}

/// The policies read again with `Policy.Read.All`, which the setup's sign-in does not ask
/// for: a token for it from the sign-in's refresh token, where the identity platform gives one
/// (an administrator consented it for the sign-in's client before); none otherwise.
async fn read_with_policy_rights(r: &Run<'_>, app: ObjectId) -> Option<PolicyNames> {
    let e = &r.req.endpoints;
    let client = ClientId::parse(&r.session.token.claims.appid).ok()?;
    let flow = DeviceFlow::new(&r.env.http, e, r.req.tenant_id, client);
    let scope = format!("{}/Policy.Read.All", e.graph_resource.trim_end_matches('/'));
    let reader = flow.refresh_for(r.session, &scope).await.ok()?;
    Some(
        GraphAdmin::new(&r.env.http, e, &reader.token)
            .secret_policies(app)
            .await,
    )
}

/// Registers a new certificate on the app and stores its private key, unless the one an
/// earlier run registered is still on the app and in the keyring.
pub(super) async fn certificate(
    r: &mut Run<'_>,
    i: usize,
    client_id: ClientId,
    why: Option<&str>,
) -> Result<(), SetupError> {
    let mut app = on_app(r, i, client_id).await?;
    if let Some(c) = r.journal.cert.clone().filter(|c| c.stored)
        && registered(&app, &c)
        && key_stored(r).await
    {
        r.certificate = Some(thumbprints(&c));
        r.secret_end = Some(c.end.clone());
        r.emit(
            i,
            StepStatus::Done(format!(
                "certificate (SHA-1 {}) already registered; its private key is in the keyring",
                c.sha1
            )),
        );
        return Ok(());
    }
    // A certificate an earlier run registered whose key is not in the keyring: it goes.
    let mut replaced = String::new();
    if let Some(c) = r.journal.cert.take() {
        if registered(&app, &c) {
            r.graph
                .remove_certificate(&app, Some(&c.sha1), &[])
                .await
                .map_err(|err| r.fail(i, err))?;
            replaced = "; replaced the certificate an interrupted run never stored".into();
            app = on_app(r, i, client_id).await?;
        }
        r.save()?;
    }
    let name = r.req.name.to_string();
    let months = r.req.answers.secret_months;
    let cn = format!("m365-mail-wizard {name}");
    let made = tokio::task::spawn_blocking(move || crate::credential::generate(&cn, months))
        .await
        .map_err(|err| err.to_string())
        .and_then(|made| made);
    let cert = made.map_err(|err| {
        r.refuse(
            i,
            Diagnosis {
                summary: "The key pair could not be made.".into(),
                evidence: err,
                cause: "An internal error.".into(),
                fix: "Run the setup again: it resumes.".into(),
            },
        )
    })?;
    let noted = JournalCertificate {
        sha256: cert.thumbprint.clone(),
        sha1: cert.sha1.clone(),
        end: cert.not_after.date().to_string(),
        stored: false,
    };
    r.journal.cert = Some(noted.clone());
    r.save()?;
    let label = certificate_label(&name, &cert.thumbprint);
    r.graph
        .add_certificate(&app, &cert.der, &label)
        .await
        .map_err(|err| r.fail(i, err))?;
    crash_point("add-certificate");
    let (key, n) = (cert.private_key.clone(), name.clone());
    r.env
        .with_vault(r.req.keyring, move |v| v.set(&n, &key))
        .await
        .map_err(|err| {
            r.failed(
                i,
                Diagnosis {
                    summary: "The certificate's private key could not be stored in the keyring.".into(),
                    evidence: err.to_string(),
                    cause: "No keyring is available to this session.".into(),
                    fix: "Unlock or start the keyring and run the setup again: the unstored certificate is removed and a new one made.".into(),
                },
                true,
            )
        })?;
    r.journal.cert = Some(JournalCertificate {
        stored: true,
        ..noted.clone()
    });
    r.save()?;
    r.certificate = Some(thumbprints(&noted));
    r.secret_end = Some(noted.end.clone());
    let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
    r.emit(
        i,
        StepStatus::Done(format!(
            "no client secret: a certificate instead{why}; x5t#S256 {}, SHA-1 {}, valid until {}, registered on the app; its private key is in the keyring{replaced}",
            noted.sha256, noted.sha1, noted.end
        )),
    );
    Ok(())
}

fn thumbprints(c: &JournalCertificate) -> Thumbprints {
    Thumbprints {
        sha256: c.sha256.clone(),
        sha1: Some(c.sha1.clone()),
    }
}

fn registered(app: &Application, c: &JournalCertificate) -> bool {
    app.key_credentials
        .iter()
        .any(|k| k.is_one_of(Some(&c.sha1), &[]))
}

/// Whether the keyring holds a private key under the profile's name.
async fn key_stored(r: &Run<'_>) -> bool {
    let n = r.req.name.to_string();
    r.env
        .with_vault(r.req.keyring, move |v| v.get(&n))
        .await
        .is_ok_and(|k: Secret| k.expose().contains("PRIVATE KEY"))
}

/// The app as the directory shows it now.
async fn on_app(r: &Run<'_>, i: usize, client_id: ClientId) -> Result<Application, SetupError> {
    match r.graph.find_application(client_id).await {
        Ok(Some(app)) => Ok(app),
        Ok(None) => Err(r.failed(
            i,
            Diagnosis {
                summary: format!("The app with client ID {client_id} is not listed by the directory yet."),
                evidence: format!("GET /applications?$filter=appId eq '{client_id}' found none"),
                cause: "A new app takes a moment to reach every copy of the directory (directory replication), or it was deleted.".into(),
                fix: "Run the same command again in a minute: the setup resumes and keeps what it made.".into(),
            },
            true,
        )),
        Err(err) => Err(r.fail(i, err)),
    }
}

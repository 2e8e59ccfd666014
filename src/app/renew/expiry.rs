//! Reading when the profile's credential expires off its app registration, and recording it.

use super::certificate::certificate_label;
use super::{RenewError, failed, held, refused, registered_app};
use crate::app::Env;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::identity::AccessToken;
use crate::model::{Credential, Profile};

/// A profile's expiry as read from its app registration.
#[derive(Debug)]
pub struct ExpiryRead {
    /// YYYY-MM-DD.
    pub expires: String,
    /// What was found, in a sentence.
    pub note: String,
}

/// The earliest end date (YYYY-MM-DD) among the credentials that match the profile's.
fn earliest(ends: &[Option<&str>]) -> Option<String> {
    ends.iter()
        .flatten()
        .filter_map(|end| {
            let day = end.get(..10)?;
            time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
            .map(|_| day.to_string())
        })
        .min()
}

/// Reads from the app registration when the credential the profile signs in with expires
/// (the secret is told by Graph's `hint`, its first characters; a certificate by its SHA-1
/// thumbprint, Graph's `customKeyIdentifier`, or the name the wizard gave it) and records it
/// in the profile.
pub async fn read_expiry(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
) -> Result<ExpiryRead, RenewError> {
    let e = env.endpoints(p);
    let graph = GraphAdmin::new(&env.http, &e, admin_token);
    let app = registered_app(&graph, p, |err| {
        let forbidden = matches!(&err, CloudError::Graph(g) if g.status == 403);
        let mut r = failed(err, p, &e);
        if forbidden {
            r.diagnosis.cause = "Reading app registrations needs a directory role such as Application Administrator, Cloud Application Administrator or Global Reader.".into();
            r.diagnosis.fix =
                "Sign in as such an administrator and run it again; nothing was changed.".into();
        }
        r
    })
    .await?;
    let (what, ends, others): (&str, Vec<Option<&str>>, usize) = match &p.credential {
        Credential::Secret => {
            // Only the secret tells which of the app's secrets is the profile's.
            let secret = held(
                env,
                p,
                "secret",
                "Store the current secret again (`add --force …`); the app registration lists every secret's expiry in the portal.",
            )
            .await?;
            let hint: String = secret.expose().chars().take(3).collect();
            let (mine, rest): (Vec<_>, Vec<_>) = app
                .password_credentials
                .iter()
                .partition(|c| c.hint.as_deref() == Some(hint.as_str()));
            (
                "secret",
                mine.iter().map(|c| c.end_date_time.as_deref()).collect(),
                rest.len(),
            )
        }
        Credential::Certificate { thumbprint } => {
            let label = certificate_label(p.name.as_str(), thumbprint);
            let (mine, rest): (Vec<_>, Vec<_>) = app
                .key_credentials
                .iter()
                .partition(|k| k.is_one_of(thumbprint.sha1.as_deref(), &[&label]));
            (
                "certificate",
                mine.iter().map(|k| k.end_date_time.as_deref()).collect(),
                rest.len(),
            )
        }
    };
    let Some(expires) = earliest(&ends) else {
        return Err(if ends.is_empty() {
            refused(
                format!(
                    "The app lists no {what} like the one in the keyring for {}.",
                    p.name
                ),
                format!(
                    "GET /applications: {} {what}(s) on the app, none matching",
                    others
                ),
                "It was removed from the app (then sign-ins fail), or the keyring holds another app's credential.",
                "Run `check`; if the sign-in fails, renew the credential or store the right one (`add --force`).",
            )
        } else {
            refused(
                format!("The app's {what} lists no end date."),
                "endDateTime missing in passwordCredentials/keyCredentials",
                "An unusual answer from Microsoft Graph.",
                "Read the expiry off the portal (Certificates & secrets) and record it with `add --force --secret-expires`.",
            )
        });
    };
    let several = if ends.len() > 1 {
        format!(
            " ({} on the app look like it; the earliest expiry is recorded)",
            ends.len()
        )
    } else {
        String::new()
    };
    let rest = match others {
        0 => String::new(),
        n => format!("; the app holds {n} other {what}(s)"),
    };
    // The sign-in may have taken minutes: only the expiry is new in the file.
    let store = env.profiles();
    let now = store.load(&p.name).map_err(|err| {
        refused(
            "The expiry was read but the profile is no longer there to hold it.",
            err.to_string(),
            "It was forgotten or damaged while the administrator signed in.",
            "Add the profile again, then read the expiry again.",
        )
    })?;
    if now.credential != p.credential {
        return Err(refused(
            "The profile's credential changed while the administrator signed in: nothing recorded.",
            "the profile file names another secret or certificate than the one read",
            "A renewal or a new certificate ran meanwhile.",
            "Read the expiry again.",
        ));
    }
    let saved = {
        let mut now = now;
        now.secret_expires = Some(expires.clone());
        store.save(&now).map(|()| now)
    };
    saved.map(|now| *p = now).map_err(|err| {
        refused(
            "The expiry was read but the profile could not be saved.",
            err.to_string(),
            "The config directory is not writable.",
            "Fix the directory and run the command again.",
        )
    })?;
    Ok(ExpiryRead {
        note: format!(
            "{}: the {what} in use expires {expires}, as the app registration says{several}{rest}.",
            p.name
        ),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::earliest;

    #[test]
    fn the_earliest_valid_end_date_wins() {
        assert_eq!(
            earliest(&[
                Some("2027-05-26T10:00:00Z"),
                None,
                Some("2026-12-01T00:00:00Z"),
                Some("garbage"),
            ]),
            Some("2026-12-01".into())
        );
        assert_eq!(earliest(&[None, Some("soon")]), None);
        assert_eq!(earliest(&[]), None);
    }
}

//! What a profile is made of, as `add` and `setup` both ask it, and `add`'s own settings.

use super::{Invalid, Result, profile_name};
use crate::cli::args::{AddArgs, ProfileArgs};
use crate::model::{
    AccessChoice, ClientId, Cloud, CloudKind, DelegatedPart, Endpoints, Mailbox, ProfileName,
    TenantInput, parse_access_list,
};

/// The endpoints a new profile's tenant is looked up at.
pub enum CloudChoice {
    /// The sandbox tenant's (`--sandbox`): `--cloud` and `--cloud-file` are not read.
    Sandbox,
    Given(Box<Cloud>),
}

pub struct ProfileSettings {
    pub name: ProfileName,
    pub tenant: TenantInput,
    pub access: Vec<AccessChoice>,
    /// At least one, each once, in the order given.
    pub mailboxes: Vec<Mailbox>,
    /// Never one of `mailboxes`.
    pub deny_mailbox: Option<Mailbox>,
    pub cloud: CloudChoice,
    pub send_test: bool,
    pub force: bool,
}

impl ProfileSettings {
    pub(super) fn new(a: &ProfileArgs, sandbox: bool) -> Result<ProfileSettings> {
        let name = profile_name(&a.profile)?;
        let tenant = TenantInput::parse(&a.tenant).map_err(Invalid::new)?;
        let access =
            parse_access_list(&a.access).map_err(|e| Invalid::new(format!("--access: {e}")))?;
        let delegated_only =
            !access.is_empty() && access.iter().all(|x| *x == AccessChoice::Delegated);
        let mailboxes = mailboxes(&a.mailboxes, delegated_only)?;
        let deny_mailbox = a
            .deny_mailbox
            .as_deref()
            .map(Mailbox::parse)
            .transpose()
            .map_err(|e| Invalid::new(format!("--deny-mailbox: {e}")))?;
        if let Some(d) = &deny_mailbox
            && mailboxes.contains(d)
        {
            return Err(Invalid::new(format!(
                "--deny-mailbox: {d} is also given with --mailbox; a mailbox cannot be both reachable and denied"
            )));
        }
        let cloud = if sandbox {
            CloudChoice::Sandbox
        } else {
            CloudChoice::Given(Box::new(cloud(a)?))
        };
        Ok(ProfileSettings {
            name,
            tenant,
            access,
            mailboxes,
            deny_mailbox,
            cloud,
            send_test: a.send_test,
            force: a.force,
        })
    }
}

/// Each `--mailbox` may itself be a comma-separated list; none only for the delegated style
/// alone, whose mailboxes are its users'.
fn mailboxes(given: &[String], delegated_only: bool) -> Result<Vec<Mailbox>> {
    let out = mailbox_list("--mailbox", given)?;
    if delegated_only && !out.is_empty() {
        return Err(Invalid::new(
            "--mailbox names mailboxes the app reaches with its own sign-in, which delegated-imap-smtp alone does not: name the mailbox users with --delegated-user (or add app-only access for a hybrid app)",
        ));
    }
    if out.is_empty() && !delegated_only {
        return Err(Invalid::new(
            "--mailbox: give at least one mailbox the application must reach",
        ));
    }
    Ok(out)
}

/// The mailboxes of a repeatable `flag`, each maybe a comma-separated list, each once.
pub(super) fn mailbox_list(flag: &str, given: &[String]) -> Result<Vec<Mailbox>> {
    let mut out: Vec<Mailbox> = Vec::new();
    for m in given {
        let list = Mailbox::parse_list(m).map_err(|e| Invalid::new(format!("{flag}: {e}")))?;
        for x in list {
            if !out.contains(&x) {
                out.push(x);
            }
        }
    }
    Ok(out)
}

/// `--cloud-file` read and parsed, or the named `--cloud`.
fn cloud(a: &ProfileArgs) -> Result<Cloud> {
    cloud_of(&a.cloud, a.cloud_file.as_deref())
}

/// The cloud a command's `--cloud` and `--cloud-file` name.
pub(super) fn cloud_of(named: &str, file: Option<&std::path::Path>) -> Result<Cloud> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Invalid::new(format!("--cloud-file {}: {e}", path.display())))?;
            let endpoints =
                Endpoints::from_toml(&path.display().to_string(), &text).map_err(Invalid::new)?;
            Ok(Cloud::custom(endpoints))
        }
        None => named
            .parse::<CloudKind>()
            .map(Cloud::named)
            .map_err(|e| Invalid::new(format!("--cloud: {e}"))),
    }
}

pub struct AddSettings {
    pub profile: ProfileSettings,
    pub client_id: ClientId,
    /// YYYY-MM-DD.
    pub secret_expires: Option<String>,
    /// The delegated style's part, for an app that has it.
    pub delegated: Option<DelegatedPart>,
}

impl AddSettings {
    pub(super) fn new(a: AddArgs, sandbox: bool) -> Result<AddSettings> {
        let client_id =
            ClientId::parse(&a.client_id).map_err(|e| Invalid::new(format!("--client-id: {e}")))?;
        let profile = ProfileSettings::new(&a.common, sandbox)?;
        let today = time::OffsetDateTime::now_utc().date();
        let secret_expires =
            crate::model::parse_expiry(a.secret_expires.as_deref().unwrap_or(""), today)
                .map_err(|e| Invalid::new(format!("--secret-expires: {e}")))?;
        let delegated = super::setup::delegated_part(&a.delegated, None, &profile)?;
        Ok(AddSettings {
            profile,
            client_id,
            secret_expires,
            delegated,
        })
    }
}

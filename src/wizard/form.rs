//! Everything typed in the form of the two journeys, and what a draft keeps of it.

use super::{Input, SandboxView};
use crate::model::{
    AccessChoice, ClientId, CloudKind, ConsumerSignIn, Draft, ScopeKind, TenantId,
    looks_like_secret,
};
use crate::plan::SECRET_MONTHS;

/// Which journey the form serves: check an existing app (3), or set one up (1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Journey {
    #[default]
    Check,
    Setup,
}

/// Which field of the mailboxes step has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailboxField {
    Reach,
    Deny,
}

/// Everything typed in the form. The secret lives only in `secret` (masked) until saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub cloud: CloudKind,
    pub tenant: Input,
    /// Set once discovery resolved what `tenant` says; cleared when it is edited.
    pub tenant_id: Option<TenantId>,
    pub client_id: Input,
    pub secret: Input,
    pub access: Vec<AccessChoice>,
    pub send_test: bool,
    /// Row under the cursor on the access step (the choices, then the send-test option).
    pub access_cursor: usize,
    pub mailboxes: Input,
    pub deny: Input,
    pub mailbox_field: MailboxField,
    pub name: Input,
    pub journey: Journey,
    /// Setup by hand in the portal (journey 2, `g` on the home screen): the answers lead to
    /// the guided steps, without an administrator's sign-in first.
    pub guided: bool,
    /// Setup: the new app's display name (empty: "m365-mail-wizard <profile>").
    pub app_name: Input,
    /// Setup: index into `plan::SECRET_MONTHS`.
    pub months: usize,
    /// Setup: which field of the app step has the cursor (0 name, 1 lifetime).
    pub app_field: usize,
    /// Guided setup: the tenant ID pasted back from the app's Overview page.
    pub guide_tenant: Input,
    /// Guided setup: which field of the app or secret step has the cursor.
    pub guide_field: usize,
    /// Guided setup: the secret's expiry as the portal shows it.
    pub guide_expires: Input,
    /// Setup: index into `ScopeKind::ALL` (RBAC for Applications first, the default).
    pub scope_kind: usize,
    /// Setup: the group that names the mailboxes in scope (empty: m365mw-<profile>).
    pub group: Input,
    /// Setup: "all mailboxes" typed to confirm that scope.
    pub confirm_all: Input,
    /// Setup: which field of the scope step has the cursor (0 kind, 1 group or confirmation).
    pub scope_field: usize,
    /// Setup: the Exchange Online part is written as a PowerShell script for an Exchange
    /// administrator instead of done after a second sign-in.
    pub exchange_script: bool,
    /// Setup: the administrator declined adding the app to the organisation's EWS allow list.
    pub decline_ews_allow_list: bool,
    /// Setup: an existing app of the same display name is used instead of a new one.
    pub reuse_app: bool,
    /// Setup, delegated style: index into `ConsumerSignIn::KEYS` (device code first).
    pub sign_in: usize,
    /// Setup, delegated style: the authorization-code flow's redirect URI.
    pub redirect_uri: Input,
    /// Setup, delegated style: the mailbox users who sign in.
    pub delegated_users: Input,
    /// Setup, delegated style: shared mailboxes the users get FullAccess on.
    pub shared: Input,
    /// Setup, delegated style: openid and User.Read asked too.
    pub openid: bool,
    /// Setup: which field of the delegated step has the cursor (0 the flow, 1 the redirect
    /// URI, 2 the users, 3 the shared mailboxes).
    pub delegated_field: usize,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            cloud: CloudKind::Global,
            tenant: Input::default(),
            tenant_id: None,
            client_id: Input::default(),
            secret: Input::masked(),
            access: vec![AccessChoice::GraphRead],
            send_test: false,
            access_cursor: 0,
            mailboxes: Input::default(),
            deny: Input::default(),
            mailbox_field: MailboxField::Reach,
            name: Input::default(),
            journey: Journey::Check,
            guided: false,
            app_name: Input::default(),
            months: 1,
            app_field: 0,
            guide_tenant: Input::default(),
            guide_field: 0,
            guide_expires: Input::default(),
            scope_kind: 0,
            group: Input::default(),
            confirm_all: Input::default(),
            scope_field: 0,
            exchange_script: false,
            decline_ews_allow_list: false,
            reuse_app: false,
            sign_in: 0,
            redirect_uri: Input::default(),
            delegated_users: Input::default(),
            shared: Input::default(),
            openid: false,
            delegated_field: 0,
        }
    }
}

/// What a typed confirmation of the all-mailboxes scope must say.
pub const CONFIRM_ALL: &str = "all mailboxes";

impl Form {
    /// An empty form; in the sandbox, its tenant already filled in.
    pub fn fresh(sandbox: Option<&SandboxView>) -> Form {
        let mut form = Form::default();
        if let Some(sb) = sandbox {
            form.cloud = CloudKind::Custom;
            form.tenant = Input::new(&sb.tenant_domain);
        }
        form
    }

    /// The delegated style's sign-in flow as `ConsumerSignIn::KEYS` names it.
    pub fn sign_in_key(&self) -> &'static str {
        ConsumerSignIn::KEYS[self.sign_in.min(ConsumerSignIn::KEYS.len() - 1)]
    }

    /// The delegated step's field `by` fields on (wrapping); the redirect URI only for the
    /// authorization-code flow.
    pub fn next_delegated_field(&self, by: i32) -> usize {
        let fields: &[usize] = if self.sign_in_key() == "authorization-code" {
            &[0, 1, 2, 3]
        } else {
            &[0, 2, 3]
        };
        let at = fields
            .iter()
            .position(|f| *f == self.delegated_field)
            .unwrap_or(0) as i32;
        let n = fields.len() as i32;
        fields[((at + by).rem_euclid(n)) as usize]
    }

    pub fn scope(&self) -> ScopeKind {
        ScopeKind::ALL[self.scope_kind.min(ScopeKind::ALL.len() - 1)]
    }

    /// Whether anything was typed that a draft should keep.
    pub fn touched(&self) -> bool {
        !(self.tenant.text().is_empty()
            && self.client_id.text().is_empty()
            && self.mailboxes.text().is_empty()
            && self.deny.text().is_empty()
            && self.name.text().is_empty()
            && self.app_name.text().is_empty()
            && self.group.text().is_empty()
            && self.delegated_users.text().is_empty())
    }

    /// The answers a draft keeps: never the secret, nor anything that looks like one. Where the
    /// wizard was left is the caller's to add.
    pub fn draft(&self) -> Draft {
        // A draft is a plain file: a secret pasted into the wrong field must not reach it.
        let secret = self.secret.text().trim();
        let keep = |text: &str| -> String {
            text.split_inclusive([',', ';', ' '])
                .filter(|w| {
                    let w = w.trim_end_matches([',', ';', ' ']);
                    !looks_like_secret(w) && (secret.is_empty() || w.trim() != secret)
                })
                .collect()
        };
        // Only an id is kept where one is asked: whatever else was typed might be a secret.
        let id = |text: &str| {
            ClientId::parse(text)
                .map(|c| c.to_string())
                .unwrap_or_default()
        };
        Draft {
            cloud: self.cloud.key().to_string(),
            tenant: keep(self.tenant.text()),
            client_id: id(self.client_id.text()),
            access: self.access.iter().map(|a| a.key().to_string()).collect(),
            mailboxes: keep(self.mailboxes.text()),
            deny_mailbox: keep(self.deny.text()),
            name: keep(self.name.text()),
            journey: match self.journey {
                Journey::Check => "check",
                Journey::Setup if self.guided => "guided",
                Journey::Setup => "setup",
            }
            .into(),
            tenant_id: self.tenant_id.map(|t| t.to_string()).unwrap_or_default(),
            send_test: self.send_test,
            scope: self.scope().key().into(),
            group: keep(self.group.text()),
            confirm_all: keep(self.confirm_all.text()),
            exchange_script: self.exchange_script,
            app_name: keep(self.app_name.text()),
            secret_months: SECRET_MONTHS[self.months.min(SECRET_MONTHS.len() - 1)],
            reuse_app: self.reuse_app,
            guide_tenant: id(self.guide_tenant.text()),
            guide_expires: keep(self.guide_expires.text()),
            sign_in: self.sign_in_key().into(),
            redirect_uri: keep(self.redirect_uri.text()),
            delegated_users: keep(self.delegated_users.text()),
            shared_mailboxes: keep(self.shared.text()),
            openid: self.openid,
            ..Draft::default()
        }
    }

    pub fn from_draft(d: &Draft) -> Form {
        let access: Vec<AccessChoice> = d.access.iter().filter_map(|a| a.parse().ok()).collect();
        let mut form = Form {
            cloud: d.cloud.parse().unwrap_or(CloudKind::Global),
            tenant: Input::new(&d.tenant),
            tenant_id: TenantId::parse(&d.tenant_id).ok(),
            client_id: Input::new(&d.client_id),
            access: if access.is_empty() {
                vec![AccessChoice::GraphRead]
            } else {
                access
            },
            send_test: d.send_test,
            mailboxes: Input::new(&d.mailboxes),
            deny: Input::new(&d.deny_mailbox),
            name: Input::new(&d.name),
            app_name: Input::new(&d.app_name),
            guide_tenant: Input::new(&d.guide_tenant),
            guide_expires: Input::new(&d.guide_expires),
            group: Input::new(&d.group),
            confirm_all: Input::new(&d.confirm_all),
            exchange_script: d.exchange_script,
            reuse_app: d.reuse_app,
            sign_in: ConsumerSignIn::KEYS
                .iter()
                .position(|k| *k == d.sign_in)
                .unwrap_or(0),
            redirect_uri: Input::new(&d.redirect_uri),
            delegated_users: Input::new(&d.delegated_users),
            shared: Input::new(&d.shared_mailboxes),
            openid: d.openid,
            ..Form::default()
        };
        if let Ok(kind) = ScopeKind::parse(&d.scope) {
            form.scope_kind = ScopeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        }
        if let Some(i) = SECRET_MONTHS.iter().position(|m| *m == d.secret_months) {
            form.months = i;
        }
        form.set_journey(match d.journey.as_str() {
            "setup" | "guided" => Journey::Setup,
            _ => Journey::Check,
        });
        form.guided = d.journey == "guided";
        form
    }

    /// Rows of the access step: each choice, then the send-test option.
    pub fn access_rows(&self) -> usize {
        self.choices().len() + 1
    }

    /// Switches to `journey`, leaving out choices it does not offer.
    pub fn set_journey(&mut self, journey: Journey) {
        self.journey = journey;
        let offered = self.choices();
        self.access.retain(|a| offered.contains(a));
        if self.access.is_empty() {
            self.access.push(AccessChoice::GraphRead);
        }
        self.access_cursor = self.access_cursor.min(self.access_rows() - 1);
    }

    /// The access choices this journey offers: checking an existing app lists only what its
    /// checks can prove (a delegated sign-in needs the mailbox user, so it is set up only).
    pub fn choices(&self) -> &'static [AccessChoice] {
        match self.journey {
            Journey::Check => &AccessChoice::ALL[..AccessChoice::ALL.len() - 1],
            Journey::Setup => &AccessChoice::ALL,
        }
    }
}

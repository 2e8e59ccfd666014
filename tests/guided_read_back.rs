//! The guided path's read-backs against the sandbox tenant: a wrong secret is refused by the
//! tenant and the right one signs in; consents are read from the app's token or as the
//! administrator; each Exchange Online step is read back by its `Get-`/`Test-` cmdlet when an
//! administrator signed in, and is "not verified" when nobody did.

use m365_mail_wizard::app::Env;
use m365_mail_wizard::app::guided::{PastedApp, ReadBack, Readers, StepToRead, read_back};
use m365_mail_wizard::app::setup::ExchangeAdmin;
use m365_mail_wizard::app::sign_in::{self, AdminSession};
use m365_mail_wizard::cloud::admin::GraphAdmin;
use m365_mail_wizard::cloud::exchange_admin::Cmdlets;
use m365_mail_wizard::model::{
    AccessChoice, ClientId, Endpoints, KeyringBackend, ObjectId, ScopeKind, Secret, StepStatus,
    TenantId,
};
use m365_mail_wizard::plan::{self, KnownIds, PlanStep, SetupAnswers, StepKind};
use m365_mail_wizard::sandbox::{Sandbox, SandboxInfo, SandboxOptions};
use m365_mail_wizard::scope::{GroupRef, ScopeSpec};
use m365_mail_wizard::store::Dirs;

/// A sandbox that approves every device code as its administrator, and an environment on it.
struct World {
    sandbox: Sandbox,
    env: Env,
    _dirs: tempfile::TempDir,
}

impl World {
    async fn start() -> World {
        World::with(SandboxOptions::default()).await
    }

    async fn with(options: SandboxOptions) -> World {
        let sandbox = Sandbox::start(SandboxOptions {
            auto_approve: Some("admin".into()),
            ..options
        })
        .await
        .unwrap();
        let dirs = tempfile::tempdir().unwrap();
        let env = Env::new(
            Dirs {
                config: dirs.path().join("config"),
                data: dirs.path().join("data"),
            },
            Some(sandbox.info().link()),
            KeyringBackend::Os,
        );
        World {
            sandbox,
            env,
            _dirs: dirs,
        }
    }

    fn info(&self) -> &SandboxInfo {
        self.sandbox.info()
    }

    fn endpoints(&self) -> Endpoints {
        self.info().endpoints()
    }

    fn tenant_id(&self) -> TenantId {
        self.info().tenant_id()
    }

    async fn admin(&self) -> AdminSession {
        sign_in::admin(
            &self.env,
            &self.endpoints(),
            self.tenant_id(),
            sign_in::default_admin_client(),
            m365_mail_wizard::model::AdminPurpose::Setup,
            m365_mail_wizard::model::SignInMethod::DeviceCode,
            |_| {},
        )
        .await
        .map_err(|e| e.diagnosis.summary)
        .unwrap()
    }

    async fn exchange(&self, admin: &AdminSession) -> ExchangeAdmin {
        sign_in::exchange(
            &self.env,
            &self.endpoints(),
            self.tenant_id(),
            sign_in::default_admin_client(),
            sign_in::exchange_admin_client(),
            admin,
            |_| {},
        )
        .await
        .map_err(|e| e.diagnosis.summary)
        .unwrap()
    }
}

fn answers(scope: Option<ScopeKind>, access: &[AccessChoice]) -> SetupAnswers {
    SetupAnswers {
        app_name: "guided read-back".into(),
        access: access.to_vec(),
        secret_months: 6,
        portal: "http://sandbox/portal".into(),
        delegated: None,
        delegated_script: false,
        reuse_app: false,
        scope: scope.map(|kind| ScopeSpec {
            kind,
            group: Some(GroupRef::parse("guided-scope").unwrap()),
            mailboxes: vec!["alice@contoso.example".into()],
            deny_mailbox: Some("ceo@contoso.example".into()),
            script_only: false,
            decline_ews_allow_list: false,
        }),
    }
}

/// Reads `step` of the app back.
async fn read(
    w: &World,
    app: (ClientId, Option<ObjectId>, Option<&Secret>),
    a: &SetupAnswers,
    step: &PlanStep,
    readers: Readers<'_>,
) -> ReadBack {
    let endpoints = w.endpoints();
    let pasted = PastedApp {
        endpoints: &endpoints,
        tenant: "contoso.example",
        tenant_id: w.tenant_id(),
        client_id: app.0,
        sp_object_id: app.1,
        secret: app.2,
    };
    let to_read = StepToRead {
        kind: step.kind,
        permission: step.permission.as_deref(),
        resource: step.resource.as_deref(),
        answers: a,
    };
    read_back(&w.env, &pasted, &to_read, readers).await
}

fn step_of(p: &[PlanStep], kind: StepKind) -> &PlanStep {
    p.iter().find(|s| s.kind == kind).unwrap()
}

fn is_done(r: &ReadBack) -> bool {
    matches!(r.status, StepStatus::Done(_))
}

fn failure(r: &ReadBack) -> String {
    match &r.status {
        StepStatus::Failed(d) => format!("{} | {} | {}", d.summary, d.evidence, d.fix),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_tenant_and_the_right_one_signs_in() {
    let w = World::start().await;
    let app = w.info().app("scoped").unwrap().clone();
    let client = ClientId::parse(&app.client_id).unwrap();
    let a = answers(None, &[AccessChoice::GraphRead]);
    let p = plan::plan(&a);
    let secret_step = step_of(&p, StepKind::AddSecret);

    let wrong = Secret::new("Wr0Q~ngValueOfTheRightLengthForAPortal1234");
    let r = read(
        &w,
        (client, None, Some(&wrong)),
        &a,
        secret_step,
        Readers::default(),
    )
    .await;
    let why = failure(&r);
    assert!(why.contains("The client secret was refused."), "{why}");
    assert!(why.contains("AADSTS7000215"), "{why}");
    assert!(r.sp_object_id.is_none());

    let right = Secret::new(app.secret.clone());
    let r = read(
        &w,
        (client, None, Some(&right)),
        &a,
        secret_step,
        Readers::default(),
    )
    .await;
    assert!(is_done(&r), "{:?}", r.status);
    let admin = w.admin().await;
    let endpoints = w.endpoints();
    let graph = GraphAdmin::new(&w.env.http, &endpoints, &admin.token);
    let sp = graph.find_service_principal(client).await.unwrap().unwrap();
    assert_eq!(
        r.sp_object_id,
        Some(sp.id),
        "the token's oid is the Enterprise application"
    );
    w.sandbox.stop().await;
}

#[tokio::test]
async fn a_consent_is_read_from_the_apps_token_or_as_the_admin() {
    let w = World::start().await;
    let a = answers(None, &[AccessChoice::GraphRead]);
    let p = plan::plan(&a);
    let consent = step_of(&p, StepKind::Consent);
    let admin = w.admin().await;
    let as_admin = Readers {
        graph: Some(&admin.token),
        exchange: None,
    };
    for (key, granted) in [("scoped", true), ("no-consent", false)] {
        let app = w.info().app(key).unwrap().clone();
        let client = ClientId::parse(&app.client_id).unwrap();
        let secret = Secret::new(app.secret.clone());
        for readers in [Readers::default(), as_admin] {
            let r = read(&w, (client, None, Some(&secret)), &a, consent, readers).await;
            if granted {
                assert!(is_done(&r), "{key}: {:?}", r.status);
            } else {
                assert!(failure(&r).contains("Mail.Read on Microsoft Graph is not granted yet"));
            }
        }
    }
    w.sandbox.stop().await;
}

/// A new app registered as the admin would in the portal: its client ID, service principal
/// and a secret.
async fn registered_app(w: &World, admin: &AdminSession) -> (ClientId, ObjectId, Secret) {
    let endpoints = w.endpoints();
    let graph = GraphAdmin::new(&w.env.http, &endpoints, &admin.token);
    let app = graph
        .create_application(&serde_json::json!({
            "displayName": "guided read-back",
            "signInAudience": "AzureADMyOrg",
        }))
        .await
        .unwrap();
    let sp = graph.create_service_principal(app.app_id).await.unwrap();
    let end = time::OffsetDateTime::now_utc() + time::Duration::days(90);
    let pw = graph.add_password(app.id, "test", end).await.unwrap();
    (app.app_id, sp.id, pw.secret)
}

#[tokio::test]
async fn signed_in_each_exchange_step_is_read_back_by_its_get_and_test() {
    let w = World::start().await;
    let admin = w.admin().await;
    let ex = w.exchange(&admin).await;
    let (client, sp, secret) = registered_app(&w, &admin).await;
    let a = answers(Some(ScopeKind::Rbac), &[AccessChoice::GraphRead]);
    let ids = KnownIds {
        client_id: Some(client.to_string()),
        sp_object_id: Some(sp.to_string()),
    };
    let p = plan::plan_with(&a, &ids);
    let readers = Readers {
        graph: Some(&admin.token),
        exchange: Some(&ex),
    };
    let endpoints = w.endpoints();
    let cmdlets = Cmdlets::new(&w.env.http, &endpoints, w.tenant_id(), &ex.token, &ex.upn);
    let spec = a.scope.as_ref().unwrap();
    let input = spec.input(&a.access, &a.app_name, &client.to_string(), &sp.to_string());
    let mut group_dn = None;
    let exchange: Vec<&PlanStep> = p.iter().filter(|s| s.kind == StepKind::Exchange).collect();
    assert!(
        exchange.len() >= 5,
        "mailboxes, group, member, principal, scope, role"
    );
    for step in exchange {
        let app = (client, Some(sp), Some(&secret));
        let before = read(&w, app, &a, step, readers).await;
        let key = step.permission.clone().unwrap();
        if key == "mailboxes" {
            assert!(is_done(&before), "{:?}", before.status);
            continue;
        }
        assert!(
            failure(&before).contains("does not show it yet"),
            "{key} before its command ran: {:?}",
            before.status
        );
        // The administrator runs the step's command, as the guided path shows it.
        let st = m365_mail_wizard::scope::steps(&input)
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap();
        let make = st.make.as_ref().unwrap();
        let out = cmdlets
            .invoke(make.name, make.parameters(group_dn.as_deref()))
            .await
            .unwrap();
        if key == "group" {
            group_dn = out.rows[0]["DistinguishedName"].as_str().map(String::from);
        }
        let after = read(&w, app, &a, step, readers).await;
        assert!(
            is_done(&after),
            "{key} after its command ran: {:?}",
            after.status
        );
    }
    let test = step_of(&p, StepKind::ExchangeTest);
    let r = read(&w, (client, Some(sp), Some(&secret)), &a, test, readers).await;
    match &r.status {
        StepStatus::Done(told) => assert!(
            told.contains("alice@contoso.example in scope")
                && told.contains("ceo@contoso.example out of scope"),
            "{told}"
        ),
        other => panic!("{other:?}"),
    }
    w.sandbox.stop().await;
}

#[tokio::test]
async fn the_delegated_users_full_access_and_smtp_auth_are_read_back() {
    use m365_mail_wizard::model::{ConsumerSignIn, DelegatedPart, Mailbox};
    let w = World::with(SandboxOptions {
        smtp_auth_off: true,
        ..Default::default()
    })
    .await;
    let admin = w.admin().await;
    let ex = w.exchange(&admin).await;
    let (client, sp, secret) = registered_app(&w, &admin).await;
    let mut a = answers(None, &[AccessChoice::Delegated]);
    a.delegated = Some(DelegatedPart {
        sign_in: ConsumerSignIn::DeviceCode,
        openid: false,
        users: vec![Mailbox::parse("alice@contoso.example").unwrap()],
        shared: vec![Mailbox::parse("erin@contoso.example").unwrap()],
    });
    let p = plan::plan(&a);
    let readers = Readers {
        graph: Some(&admin.token),
        exchange: Some(&ex),
    };
    let endpoints = w.endpoints();
    let cmdlets = Cmdlets::new(&w.env.http, &endpoints, w.tenant_id(), &ex.token, &ex.upn);
    let mut keys = Vec::new();
    for step in p.iter().filter(|s| s.kind == StepKind::Exchange) {
        let app = (client, Some(sp), Some(&secret));
        let key = step.permission.clone().unwrap();
        let before = failure(&read(&w, app, &a, step, readers).await);
        let expected = match key.starts_with("smtpauth:") {
            true => "SMTP AUTH is still off",
            false => "does not show it yet",
        };
        assert!(before.contains(expected), "{key}: {before}");
        let st = a
            .delegated_steps()
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap();
        let make = st.make.as_ref().unwrap();
        cmdlets
            .invoke(make.name, make.parameters(None))
            .await
            .unwrap();
        let after = read(&w, app, &a, step, readers).await;
        assert!(is_done(&after), "{key}: {:?}", after.status);
        keys.push(key);
    }
    assert_eq!(
        keys,
        [
            "userfullaccess:erin@contoso.example:alice@contoso.example",
            "smtpauth:alice@contoso.example",
            "smtpauth:erin@contoso.example"
        ]
    );
    w.sandbox.stop().await;
}

#[tokio::test]
async fn without_an_admin_sign_in_the_exchange_steps_are_not_verified() {
    let w = World::start().await;
    let app = w.info().app("scoped").unwrap().clone();
    let client = ClientId::parse(&app.client_id).unwrap();
    let secret = Secret::new(app.secret.clone());
    let a = answers(Some(ScopeKind::RestrictPolicy), &[AccessChoice::GraphRead]);
    let p = plan::plan(&a);
    let steps: Vec<&PlanStep> = p
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Exchange | StepKind::ExchangeTest))
        .collect();
    assert!(!steps.is_empty());
    for step in steps {
        let r = read(
            &w,
            (client, None, Some(&secret)),
            &a,
            step,
            Readers::default(),
        )
        .await;
        match &r.status {
            StepStatus::Unverified(why) => {
                assert!(
                    why.contains("no Exchange administrator is signed in"),
                    "{why}"
                )
            }
            other => panic!("{}: {other:?}", step.title),
        }
    }
    let app_step = step_of(&p, StepKind::CreateApp);
    let r = read(&w, (client, None, None), &a, app_step, Readers::default()).await;
    assert!(
        matches!(r.status, StepStatus::Unverified(_)),
        "{:?}",
        r.status
    );
    w.sandbox.stop().await;
}

#[tokio::test]
async fn the_portal_links_of_the_guided_path_open_a_page_in_the_sandbox() {
    let w = World::start().await;
    let mut a = answers(None, &[AccessChoice::GraphRead]);
    a.portal = w.endpoints().portal;
    let p = plan::plan(&a);
    let first = &step_of(&p, StepKind::CreateApp).portal[0];
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap();
    let page = w.env.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200, "{url}");
    let text = page.text().await.unwrap();
    let scoped = w.info().app("scoped").unwrap();
    assert!(text.contains(&scoped.client_id) && text.contains("Enterprise application"));
    w.sandbox.stop().await;
}

//! The browser sign-in on the sign-in screen: `b` switches to it, `d` back to the device
//! code; the URL is shown and opened again with `o`; a device code blocked by Conditional
//! Access says so while the browser sign-in takes over.

use super::*;
use crate::model::SignInMethod;
use crate::wizard::BrowserView;

fn url() -> String {
    "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=x".into()
}

#[test]
fn b_starts_the_sign_in_again_in_the_browser_and_d_goes_back() {
    let (mut s, _) = at_sign_in();
    assert!(offers(&s, "b", "browser sign-in"));
    let start = || Effect::StartSignIn {
        cloud: CloudKind::Global,
        tenant_id: tenant(),
        purpose: AdminPurpose::Setup,
    };
    assert_eq!(
        keys(&mut s, &[Key::Char('b')]),
        [
            Effect::CancelSignIn,
            Effect::UseSignIn(SignInMethod::Browser),
            start()
        ]
    );
    assert_eq!(s.sign_in.method, SignInMethod::Browser);
    assert!(offers(&s, "d", "device code instead"));
    update(
        &mut s,
        Msg::BrowserSignIn(BrowserView {
            url: url(),
            not_opened: Some("xdg-open could not be started".into()),
        }),
    );
    assert_eq!(
        keys(&mut s, &[Key::Char('o')]),
        [Effect::OpenBrowser(url())]
    );
    assert!(
        keys(&mut s, &[Key::Char('a')]).is_empty(),
        "the sandbox's browser is a sandbox-only key"
    );
    assert!(
        keys(&mut s, &[Key::Char('n')]).is_empty(),
        "no new sign-in while the browser's is awaited"
    );
    assert_eq!(
        keys(&mut s, &[Key::Char('d')]),
        [
            Effect::CancelSignIn,
            Effect::UseSignIn(SignInMethod::DeviceCode),
            start()
        ]
    );
    assert!(s.sign_in.browser.is_none());
}

#[test]
fn a_blocked_device_code_is_told_and_the_browser_takes_over() {
    let (mut s, _) = at_sign_in();
    s.sandbox = Some(crate::wizard::SandboxView {
        tenant_domain: "contoso.example".into(),
        endpoints: crate::model::Endpoints::named(CloudKind::Global).unwrap(),
        apps: vec![],
        mailboxes: vec![],
    });
    update(
        &mut s,
        Msg::DeviceCode(Ok(CodeView {
            user_code: "ABC123XYZ".into(),
            uri: "https://microsoft.com/devicelogin".into(),
            expires_in: 900,
        })),
    );
    let fx = update(
        &mut s,
        Msg::DeviceCodeBlocked(
            "A Conditional Access policy blocks the device code flow for your sign-in.".into(),
        ),
    );
    assert_eq!(
        fx,
        [Effect::UseSignIn(SignInMethod::Browser)],
        "the next sign-ins go to the browser at once"
    );
    assert!(s.sign_in.code.is_none());
    assert_eq!(s.sign_in.method, SignInMethod::Browser);
    update(
        &mut s,
        Msg::BrowserSignIn(BrowserView {
            url: url(),
            not_opened: None,
        }),
    );
    assert_eq!(
        keys(&mut s, &[Key::Char('a')]),
        [Effect::SandboxBrowse(url())]
    );
    update(
        &mut s,
        Msg::SignedIn(Err(diagnosis(
            "The browser sign-in did not come back in time.",
            "Run the command again.",
        ))),
    );
    assert!(
        error(&s).ends_with("Press n to sign in again."),
        "{}",
        error(&s)
    );
    assert!(!keys(&mut s, &[Key::Char('n')]).is_empty());
}

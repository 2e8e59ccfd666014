//! The two phases of a renewal on the dashboard: the new secret shown once on `v` and cleared
//! by the next key; `w` removes the old credential only while one awaits removal.

use super::*;
use crate::model::{CredentialKind, KeyRef, Rotation};

fn renewed_fax() -> State {
    let mut s = home_with_fax();
    keys(&mut s, &[Key::Char('s'), Key::Enter]);
    update(&mut s, Msg::SignedIn(Ok(admin(None))));
    let name = s.home.profiles[0].profile.name.clone();
    update(
        &mut s,
        Msg::NewSecret(
            name,
            SecretBox(Secret::new("Abc8Q~new-value-0123456789abcdefghijklmn")),
        ),
    );
    update(
        &mut s,
        Msg::Renewed(Ok("Renewed fax. Press v to see its Value once.".into())),
    );
    s
}

fn shown(s: &State) -> bool {
    matches!(s.home.show_once, Some(ShowOnce::Shown(..)))
}

#[test]
fn the_new_secret_is_shown_only_on_v_and_cleared_by_the_next_key() {
    let mut s = renewed_fax();
    assert!(!shown(&s), "not shown before the admin asks");
    assert!(offers(&s, "v", "show new secret once"));
    // Other keys leave it waiting, unseen.
    keys(&mut s, &[Key::Down]);
    assert!(matches!(s.home.show_once, Some(ShowOnce::Ready(..))));
    keys(&mut s, &[Key::Char('v')]);
    assert!(shown(&s));
    assert_eq!(hint_keys(&s), ["any key"]);
    // Even the help key clears it rather than opening the help over it.
    keys(&mut s, &[Key::Char('?')]);
    assert!(s.home.show_once.is_none() && !s.help);
    assert!(
        notice(&s).contains("will not be shown again"),
        "{}",
        notice(&s)
    );
    assert!(notice(&s).contains("--with-secret"), "{}", notice(&s));
    // Gone for good: v does nothing now.
    keys(&mut s, &[Key::Char('v')]);
    assert!(s.home.show_once.is_none());
    assert!(!offers(&s, "v", "show new secret once"));
}

fn with_rotation(finished: Option<&str>) -> State {
    let mut r = row("fax", "contoso.com", None);
    let key = |id: &str| KeyRef {
        key_id: id.into(),
        kind: CredentialKind::Secret,
    };
    r.profile.rotation = Some(Rotation {
        new: key("new-key"),
        old: vec![key("old-key")],
        started: "2026-12-01T10:00:00Z".into(),
        finished: finished.map(String::from),
    });
    home_with(vec![r])
}

#[test]
fn w_signs_in_for_the_logs_and_removes_the_old_secret_only_while_one_waits() {
    let mut s = with_rotation(None);
    assert!(offers(&s, "w", "remove old secret"));
    let fx = keys(&mut s, &[Key::Char('w')]);
    let purpose = match fx.as_slice() {
        [Effect::StartSignIn { purpose, .. }] => *purpose,
        _ => panic!("{fx:?}"),
    };
    assert_eq!(purpose, AdminPurpose::FinishRenewal);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Upkeep(_, Upkeep::FinishRenewal { force: false })]
        ),
        "{fx:?}"
    );
    assert!(s.busy.as_deref().unwrap().contains("sign-in logs"));

    let mut s = with_rotation(Some("2026-12-02T08:00:00Z"));
    assert!(!offers(&s, "w", "remove old secret"));
    let fx = keys(&mut s, &[Key::Char('w')]);
    assert!(fx.is_empty());
    assert!(error(&s).contains("already finished"), "{}", error(&s));

    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Char('W')]);
    assert!(fx.is_empty());
    assert!(error(&s).contains("Nothing to remove"), "{}", error(&s));
}

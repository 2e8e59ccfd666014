//! `R` and `m` on the dashboard: an administrator's sign-in for the operation, its plan shown,
//! carried out only after `y`, each step told on the busy line.

use super::*;

#[test]
fn r_shows_the_removal_and_carries_it_out_only_after_y() {
    let mut s = home_with_fax();
    assert!(hint_keys(&s).contains(&"R") && hint_keys(&s).contains(&"m"));
    let fx = keys(&mut s, &[Key::Char('R')]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::StartSignIn {
                purpose: AdminPurpose::Offboard,
                ..
            }]
        ),
        "{fx:?}"
    );
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(p, Upkeep::Offboard { go: false })] if p.name.as_str() == "fax"),
        "{fx:?}"
    );
    let profile = s.home.profiles[0].profile.clone();
    let plan = Ok("Remove fax from the tenant: app registration.".to_string());
    update(
        &mut s,
        Msg::UpkeepPlan(
            Box::new(profile.clone()),
            Upkeep::Offboard { go: false },
            plan,
        ),
    );
    assert!(notice(&s).contains("y carries it out"), "{}", notice(&s));
    assert_eq!(hint_keys(&s), ["y", "any other key", "q", "?"]);
    // Any other key: nothing happens.
    let fx = keys(&mut s, &[Key::Char('n')]);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(notice(&s), "Nothing changed.");
    assert_eq!(s.screen, Screen::Home);

    keys(&mut s, &[Key::Char('R')]);
    update(
        &mut s,
        Msg::UpkeepPlan(
            Box::new(profile),
            Upkeep::Offboard { go: false },
            Ok("Remove fax.".into()),
        ),
    );
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Upkeep(_, Upkeep::Offboard { go: true })]
        ),
        "{fx:?}"
    );
    update(
        &mut s,
        Msg::UpkeepProgress("Delete the app registration — removed".into()),
    );
    assert_eq!(
        s.busy.as_deref(),
        Some("Delete the app registration — removed")
    );
    let fx = update(
        &mut s,
        Msg::Renewed(Ok("Removed fax from the tenant.".into())),
    );
    assert!(matches!(fx.as_slice(), [Effect::LoadProfiles]), "{fx:?}");
    assert!(s.busy.is_none() && s.sign_in.renewing.is_none());
}

#[test]
fn m_signs_in_for_the_migration_and_a_plan_that_cannot_be_made_says_why() {
    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Char('m')]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::StartSignIn {
                purpose: AdminPurpose::Migrate,
                ..
            }]
        ),
        "{fx:?}"
    );
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Upkeep(_, Upkeep::Migrate { go: false })]
        ),
        "{fx:?}"
    );
    assert!(s.busy.as_deref().unwrap().contains("roles and policies"));
    let profile = s.home.profiles[0].profile.clone();
    let refused = Diagnosis {
        summary: "fax holds no tenant-wide mail role.".into(),
        evidence: String::new(),
        cause: String::new(),
        fix: "Nothing to migrate.".into(),
    };
    update(
        &mut s,
        Msg::UpkeepPlan(
            Box::new(profile),
            Upkeep::Migrate { go: false },
            Err(refused),
        ),
    );
    assert!(s.home.confirming.is_none() && s.busy.is_none());
    assert!(s.error.as_deref().unwrap().contains("no tenant-wide"));
    // The next key is the dashboard's again.
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert!(fx.is_empty(), "{fx:?}");
}

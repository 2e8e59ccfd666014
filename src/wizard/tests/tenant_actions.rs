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

/// The dashboard of `fax` whose migration's journal says how far it got.
fn fax_migrating(state: Migrating) -> State {
    let mut s = home_with_fax();
    let name = s.home.profiles[0].profile.name.clone();
    update(&mut s, Msg::Migrations(vec![(name, state)]));
    s
}

#[test]
fn u_is_offered_only_for_a_profile_with_a_migration_journal() {
    let mut s = home_with_fax();
    assert!(!hint_keys(&s).contains(&"U"), "{:?}", hint_keys(&s));
    // Pressed anyway: said why, no sign-in.
    let fx = keys(&mut s, &[Key::Char('U')]);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(s.screen, Screen::Home);
    assert!(
        s.error.as_deref().unwrap().contains("no migration to undo"),
        "{:?}",
        s.error
    );
    let s = fax_migrating(Migrating::Finished);
    assert!(offers(&s, "U", "undo migration"));
    let help = crate::wizard::help(&s);
    assert!(
        help.iter()
            .any(|(h, text)| h.key == "U" && text.contains("undoing"))
    );
}

#[test]
fn u_reads_the_undo_plan_after_the_sign_in_and_puts_back_only_after_y() {
    let mut s = fax_migrating(Migrating::UnderWay { done: 5, of: 8 });
    let fx = keys(&mut s, &[Key::Char('U')]);
    assert_signs_in(&fx, AdminPurpose::Migrate);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert_eq!(
        upkeep_of(&fx),
        ("fax".into(), Upkeep::UndoMigration { go: false })
    );
    assert!(s.busy.as_deref().unwrap().contains("migration's journal"));
    let plan = "Undo the migration of fax (5 of 8 steps done): remove \"Application Mail.Read\", remove the scope \"Fax mailboxes\"; then its scope as before.";
    plan_read(&mut s, "fax", Upkeep::UndoMigration { go: false }, plan);
    assert!(notice(&s).starts_with("Undo the migration of fax"));
    assert_eq!(hint_keys(&s), ["y", "any other key", "q", "?"]);
    // Any other key: nothing is put back.
    assert!(keys(&mut s, &[Key::Char('n')]).is_empty());
    assert_eq!(notice(&s), "Nothing changed.");

    // Signed in already for the migration: U reads the plan at once.
    let fx = keys(&mut s, &[Key::Char('U')]);
    assert_eq!(upkeep_of(&fx).1, Upkeep::UndoMigration { go: false });
    plan_read(&mut s, "fax", Upkeep::UndoMigration { go: false }, plan);
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert_eq!(upkeep_of(&fx).1, Upkeep::UndoMigration { go: true });
    assert!(s.busy.as_deref().unwrap().contains("back as it was"));
    update(
        &mut s,
        Msg::UpkeepProgress("Assign \"Application Mail.Read\" within the scope — put back".into()),
    );
    assert!(s.busy.as_deref().unwrap().ends_with("put back"));
    let fx = update(
        &mut s,
        Msg::Renewed(Ok("fax is back as it was before the migration.".into())),
    );
    assert!(matches!(fx.as_slice(), [Effect::LoadProfiles]), "{fx:?}");
    // The journal is gone: the executor's next list has no migration for fax.
    update(&mut s, Msg::Migrations(vec![]));
    assert!(!hint_keys(&s).contains(&"U"));
}

#[test]
fn m_goes_on_with_a_stopped_migration_through_the_same_plan_and_y() {
    let mut s = fax_migrating(Migrating::UnderWay { done: 3, of: 8 });
    keys(&mut s, &[Key::Char('m')]);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert_eq!(upkeep_of(&fx).1, Upkeep::Migrate { go: false });
    let text = "Go on with the migration of fax to RBAC for Applications: 3 of 8 steps done.";
    plan_read(&mut s, "fax", Upkeep::Migrate { go: false }, text);
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert_eq!(upkeep_of(&fx).1, Upkeep::Migrate { go: true });
}

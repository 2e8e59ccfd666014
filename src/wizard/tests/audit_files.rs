//! `w` and `j` on the audit screen: the customer's report or the JSON written to a file named
//! in the exports folder, a refusal keeping what was typed, and a line naming the file.

use super::audit::{auditing, three_apps};
use super::*;
use crate::model::audit::AuditFile;

/// The audit screen with the audit read, exports going to `/data/exports`.
fn audited() -> State {
    let mut s = auditing();
    s.exports = "/data/exports".into();
    update(&mut s, Msg::Audited(Ok(three_apps())));
    s
}

fn path(s: &State) -> &str {
    s.audit.export.as_ref().unwrap().path.text()
}

fn every_hint_has_its_sentence(s: &State) {
    for h in hints(s) {
        assert!(crate::wizard::help::has_sentence(s.screen, h), "{h:?}");
    }
}

#[test]
fn w_offers_a_report_in_the_exports_folder_and_enter_writes_what_was_typed() {
    let mut s = audited();
    assert!(offers(&s, "w", "write report") && offers(&s, "j", "write JSON"));
    every_hint_has_its_sentence(&s);
    keys(&mut s, &[Key::Char('w')]);
    assert_eq!(
        path(&s),
        "/data/exports/audit-contoso.com-2026-12-02-100000.md"
    );
    assert!(notice(&s).contains(".html as HTML"), "{}", notice(&s));
    assert_eq!(
        hint_keys(&s),
        ["type", "enter", "esc", "ctrl-c", "F1"],
        "keys are text now"
    );
    every_hint_has_its_sentence(&s);
    // The name is edited where the cursor is; J, K and q are letters of it.
    keys(&mut s, &[Key::Backspace, Key::Backspace]);
    typed_keys(&mut s, "htmlJKq");
    assert!(!s.quit);
    assert_eq!(s.pane, 0);
    keys(&mut s, &[Key::Backspace, Key::Backspace, Key::Backspace]);
    let fx = keys(&mut s, &[Key::Enter]);
    let want = "/data/exports/audit-contoso.com-2026-12-02-100000.html";
    match fx.as_slice() {
        [Effect::WriteAudit(a, AuditFile::Report, p)] => {
            assert_eq!(p, want);
            assert_eq!(a.rows.len(), 3, "the audit read is what is written");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.busy.as_deref().unwrap().contains(want));
    // Refused: the reason, and the name as typed for another try.
    update(
        &mut s,
        Msg::AuditWritten(Err(format!(
            "{want} is a directory: the audit is written to a new regular file only; type a file name."
        ))),
    );
    assert!(s.busy.is_none());
    assert!(s.error.as_deref().unwrap().contains("is a directory"));
    assert_eq!(path(&s), want);
    // Typing clears the error; the written file's line closes the field.
    typed_keys(&mut s, "x");
    assert!(s.error.is_none());
    keys(&mut s, &[Key::Backspace, Key::Enter]);
    update(
        &mut s,
        Msg::AuditWritten(Ok(format!(
            "Wrote the report (HTML) to {want} (no secret in it)."
        ))),
    );
    assert!(s.audit.export.is_none());
    assert!(notice(&s).contains(want));
    assert!(offers(&s, "w", "write report"));
}

#[test]
fn j_offers_the_json_and_esc_writes_nothing() {
    let mut s = audited();
    keys(&mut s, &[Key::Char('j')]);
    assert!(path(&s).ends_with(".json"), "{}", path(&s));
    assert!(path(&s).starts_with("/data/exports/audit-"));
    keys(&mut s, &[Key::Home]);
    typed(&mut s, "~/");
    assert!(path(&s).starts_with("~//data"));
    let fx = keys(&mut s, &[Key::Esc]);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.audit.export.is_none());
    assert_eq!(notice(&s), "Nothing written.");
    assert_eq!(
        s.screen,
        Screen::Audit,
        "esc leaves the field, not the audit"
    );
    // An empty name is refused before anything is tried.
    keys(&mut s, &[Key::Char('j')]);
    let n = path(&s).chars().count();
    keys(&mut s, &vec![Key::Backspace; n]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(
        s.error.as_deref(),
        Some("Type the name of the file to write.")
    );
}

#[test]
fn no_file_is_offered_before_the_audit_is_read() {
    let mut s = auditing();
    assert!(!hint_keys(&s).contains(&"w"));
    let fx = keys(&mut s, &[Key::Char('w'), Key::Char('j')]);
    assert!(fx.is_empty() && s.audit.export.is_none(), "{fx:?}");
}

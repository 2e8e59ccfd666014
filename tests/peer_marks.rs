//! Every test that asks for a peer (Secret Service, tmux, Dovecot) is marked ignored, so that a
//! plain `cargo test` counts it as not run instead of passing it unseen.

use std::path::Path;

const GUARDS: [&str; 3] = ["secret_service()", "peers()", "peer("];

/// The tests of one file that ask for a peer without the mark: their function lines.
fn unmarked(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        if !(line.starts_with("#[test") || line.starts_with("#[tokio::test")) {
            continue;
        }
        let attrs_start = lines[..k]
            .iter()
            .rposition(|l| !l.starts_with("#["))
            .map_or(0, |p| p + 1);
        let Some(f) = (k..lines.len())
            .find(|&j| lines[j].starts_with("fn ") || lines[j].starts_with("async fn "))
        else {
            continue;
        };
        let end = (f..lines.len())
            .find(|&j| lines[j] == "}")
            .unwrap_or(lines.len());
        let body = lines[f..end].join("\n");
        let attrs = lines[attrs_start..f].join("\n");
        if GUARDS.iter().any(|g| body.contains(g)) && !attrs.contains("#[ignore") {
            out.push(lines[f].to_string());
        }
    }
    out
}

#[test]
fn every_test_that_needs_a_peer_is_marked_ignored() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for f in unmarked(&text) {
                missing.push(format!("{}: {f}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "mark these with #[ignore = \"needs a peer …\"]:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scan_finds_an_unmarked_peer_test_and_accepts_a_marked_one() {
    let guard = GUARDS[0];
    let unmarked_test =
        format!("#[test]\nfn a() {{\n    if !{guard} {{\n        return;\n    }}\n}}\n");
    assert_eq!(unmarked(&unmarked_test), vec!["fn a() {".to_string()]);
    let marked = format!("#[ignore = \"needs a peer\"]\n{unmarked_test}");
    assert!(unmarked(&marked).is_empty());
    let no_peer = "#[test]\nfn b() {\n    assert!(true);\n}\n";
    assert!(unmarked(no_peer).is_empty());
}

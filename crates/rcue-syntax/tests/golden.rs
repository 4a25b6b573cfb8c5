//! Golden tests: every `testdata/syntax/*.txtar` holds an `in.cue` input and
//! the expected `ast` dump (when it parses) or `errors` (when it does not).
//! Run with `UPDATE_GOLDEN=1` to rewrite expectations, then review the diff.

use std::path::{Path, PathBuf};

use rcue_syntax::{dump::dump_file, parse_file, LineIndex};
use rcue_txtar::Archive;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/syntax")
}

fn expected_sections(src: &str) -> Vec<(&'static str, String)> {
    let (file, errors) = parse_file(src);
    if errors.is_empty() {
        vec![("ast", dump_file(&file))]
    } else {
        let idx = LineIndex::new(src);
        let mut out = String::new();
        for e in &errors {
            out.push_str(&e.render("in.cue", &idx));
            out.push('\n');
        }
        vec![("errors", out)]
    }
}

#[test]
fn golden_syntax() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(testdata())
        .expect("testdata/syntax exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txtar"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    let mut failures = Vec::new();
    for path in &entries {
        let mut archive = Archive::read(path).unwrap();
        let src = archive.file("in.cue").expect("in.cue section").to_string();
        let mut changed = false;
        for (name, got) in expected_sections(&src) {
            match archive.file(name) {
                Some(want) if want == got => {}
                Some(want) if !update => failures.push(format!(
                    "{}: section {name} differs\n--- want\n{want}--- got\n{got}",
                    path.display()
                )),
                _ => {
                    archive.set(name, got);
                    changed = true;
                }
            }
        }
        // An input that now parses must not keep a stale `errors` section,
        // and vice versa.
        let has_errors = !parse_file(&src).1.is_empty();
        let stale = if has_errors { "ast" } else { "errors" };
        if archive.file(stale).is_some() {
            if update {
                archive.files.retain(|(n, _)| n != stale);
                changed = true;
            } else {
                failures.push(format!("{}: stale section {stale}", path.display()));
            }
        }
        if changed {
            std::fs::write(path, archive.format()).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Golden tests of evaluation: every `testdata/eval/*.txtar` holds one or
//! more `.cue` files of one package (given to the evaluator in name order),
//! optionally an `expr` section (the `-e` expression), and the expected
//! `export` (the JSON text) or `errors` (each error as displayed, followed by
//! a newline). Run with `UPDATE_GOLDEN=1` to rewrite expectations, then
//! review the diff.

use std::path::{Path, PathBuf};

use rcue_eval::Instance;
use rcue_txtar::Archive;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eval")
}

fn render_errors(errors: &[rcue_eval::Error]) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(&e.to_string());
        out.push('\n');
    }
    out
}

/// Evaluates the archive's package and returns the section it should hold:
/// `("export", json)` or `("errors", text)`.
fn evaluate(archive: &Archive) -> (&'static str, String) {
    let mut sources: Vec<(&str, &str)> = archive
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".cue"))
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    sources.sort_by(|a, b| a.0.cmp(b.0));
    assert!(!sources.is_empty(), "no .cue files");
    let expr = archive.file("expr").map(str::trim);
    match Instance::from_sources(&sources) {
        Err(errs) => ("errors", render_errors(&errs)),
        Ok(mut inst) => match inst.export_json(expr) {
            Ok(json) => ("export", json),
            Err(errs) => ("errors", render_errors(&errs)),
        },
    }
}

#[test]
fn golden_eval() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(testdata())
        .expect("testdata/eval exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txtar"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    let mut failures = Vec::new();
    for path in &entries {
        let mut archive = Archive::read(path).unwrap();
        let (name, got) = evaluate(&archive);
        let mut changed = false;
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
        // A package that now exports must not keep a stale `errors` section,
        // and vice versa.
        let stale = if name == "export" { "errors" } else { "export" };
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

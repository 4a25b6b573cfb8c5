//! Inputs found by fuzzing (`fuzz/`, docs/security.md "Fuzzing"), replayed
//! through the same checks the fuzz targets run. Each file under
//! `testdata/fuzz/<target>/` once made rcue panic, hang or misreport; the
//! test passes when every input goes through without a panic.

#[path = "../../../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fuzz")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path.display().to_string(), bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

/// Runs `check` on every input of `target`, naming each input that fails.
fn replay(target: &str, check: impl Fn(&[u8]) -> Result<(), String>) {
    let mut failures = Vec::new();
    for (name, bytes) in inputs(target) {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes))) {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => failures.push(format!("{name}: {problem}")),
            Err(_) => failures.push(format!("{name}: panicked")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse() {
    replay("parse", |b| {
        checks::parse(b);
        Ok(())
    });
}

#[test]
fn data() {
    replay("data", |b| {
        checks::data(b);
        Ok(())
    });
}

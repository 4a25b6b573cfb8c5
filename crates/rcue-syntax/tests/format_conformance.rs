//! Formats every `.cue` file of the shared conformance cases (when that
//! directory is present) and checks that the output parses to the same tree
//! and that formatting is idempotent.

use std::path::Path;

use rcue_syntax::dump::dump_file;
use rcue_syntax::format::format_file;
use rcue_syntax::parse_file;

/// The `-- name.cue --` sections of a txtar archive.
fn cue_sections(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        let header = line
            .strip_prefix("-- ")
            .and_then(|l| l.trim_end().strip_suffix(" --"));
        if let Some(name) = header {
            out.extend(cur.take());
            cur = Some((name.to_string(), String::new()));
        } else if let Some((_, body)) = cur.as_mut() {
            body.push_str(line);
        }
    }
    out.extend(cur);
    out.retain(|(name, _)| name.ends_with(".cue"));
    out
}

#[test]
fn formats_conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let Ok(read) = std::fs::read_dir(&dir) else {
        println!("note: {} not found; skipping", dir.display());
        return;
    };
    let mut paths: Vec<_> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txtar"))
        .collect();
    paths.sort();
    let (mut files, mut skipped, mut checked) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("readable case");
        for (name, src) in cue_sections(&text) {
            files += 1;
            let (file, errors) = parse_file(&src);
            if !errors.is_empty() {
                skipped += 1;
                continue;
            }
            checked += 1;
            let where_ = format!("{}: {name}", path.display());
            let once = format_file(&file, &src);
            let (file2, errors2) = parse_file(&once);
            if !errors2.is_empty() {
                failures.push(format!(
                    "{where_}: output does not parse: {errors2:?}\n{once}"
                ));
                continue;
            }
            if dump_file(&file2) != dump_file(&file) {
                failures.push(format!(
                    "{where_}: tree changed\n--- before\n{}--- after\n{}--- output\n{once}",
                    dump_file(&file),
                    dump_file(&file2)
                ));
                continue;
            }
            if file2.comments.len() != file.comments.len() {
                failures.push(format!("{where_}: comments lost\n{once}"));
                continue;
            }
            let twice = format_file(&file2, &once);
            if twice != once {
                failures.push(format!(
                    "{where_}: not idempotent\n--- once\n{once}--- twice\n{twice}"
                ));
            }
        }
    }
    println!(
        "format conformance: {} archives, {files} .cue files, {checked} formatted, {skipped} skipped (syntax errors), {} failures",
        paths.len(),
        failures.len()
    );
    for f in failures.iter().take(10) {
        println!("{f}\n");
    }
    assert!(
        failures.is_empty(),
        "{} files failed to format faithfully",
        failures.len()
    );
}

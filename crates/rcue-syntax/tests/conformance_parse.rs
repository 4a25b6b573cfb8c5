//! Every `.cue` input of a conformance case that the reference tool
//! evaluates successfully (`expect: ok`) must parse without errors.
//! Skipped when `../shared/conformance` is not beside the repository.

use std::path::Path;

use rcue_txtar::Archive;

#[test]
fn accepted_inputs_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    if !root.is_dir() {
        println!("conformance cases not found at {}: skipped", root.display());
        return;
    }
    let mut parsed = 0;
    let mut failures = Vec::new();
    for dir in ["cases", "cli"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txtar"))
            .collect();
        paths.sort();
        for path in paths {
            let archive = Archive::read(&path).unwrap();
            let accepted = archive.comment.contains("# expect: ok");
            for (name, body) in &archive.files {
                if !name.ends_with(".cue") || !accepted {
                    continue;
                }
                parsed += 1;
                let (_, errors) = rcue_syntax::parse_file(body);
                if let Some(e) = errors.first() {
                    failures.push(format!("{}:{name}: {}", path.display(), e.message));
                }
            }
        }
    }
    println!(
        "parsed {parsed} accepted conformance inputs, {} with errors",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

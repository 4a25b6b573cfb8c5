//! The fast parser (`fast_parse.rs`) must build exactly the tree the
//! `chumsky` grammar builds, spans included, or give way to it. Checked
//! over every `.cue` file in `testdata/` and `examples/`, and over the
//! conformance inputs when `../shared/conformance` is beside the repository.

use std::path::{Path, PathBuf};

use rcue_txtar::Archive;

/// Every CUE source under `dir`: `.cue` files, and `.cue` members of
/// `.txtar` archives.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "cue") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.display().to_string(), text));
            }
        } else if path.extension().is_some_and(|e| e == "txtar") {
            let archive = Archive::read(&path).unwrap();
            for (name, body) in &archive.files {
                if name.ends_with(".cue") {
                    out.push((format!("{}:{name}", path.display()), body.clone()));
                }
            }
        }
    }
}

#[test]
fn fast_path_builds_the_grammars_tree() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut inputs = Vec::new();
    for dir in ["testdata", "examples", "../shared/conformance"] {
        sources(&repo.join(dir), &mut inputs);
    }
    let (mut fast, mut valid, mut differ) = (0, 0, Vec::new());
    for (name, src) in &inputs {
        let with = rcue_syntax::parse_file(src);
        let without = rcue_syntax::parser::parse_file_without_fast_path(src);
        if with != without {
            differ.push(name.clone());
        }
        if without.1.is_empty() {
            valid += 1;
            fast += usize::from(rcue_syntax::parser::takes_fast_path(src));
        }
    }
    println!(
        "{} inputs, {valid} without errors, {fast} of those on the fast path",
        inputs.len()
    );
    assert!(
        differ.is_empty(),
        "trees differ for:\n{}",
        differ.join("\n")
    );
    // Nearly every valid input should take it; a drop means a construct
    // the fast path gives up on.
    assert!(
        fast * 100 >= valid * 99,
        "{fast} of {valid} on the fast path"
    );
}

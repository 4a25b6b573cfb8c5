//! Golden tests of whole commands: each `testdata/cli/*.txtar` holds the
//! command line (comment lines `rcue ARG...`, several allowed), input files,
//! and the expected `stdout`, `stderr` and `exit` of the last command.
//! Files under `cache/` form the module cache (`RCUE_MODULE_CACHE`); a
//! `symlinks` file lists links to make (`LINK TARGET` per line).
//! Run with `UPDATE_GOLDEN=1` to rewrite expectations.

use std::path::{Path, PathBuf};
use std::process::Command;

use rcue_txtar::Archive;

const OUTPUTS: [&str; 3] = ["stdout", "stderr", "exit"];

fn run_case(path: &Path, update: bool) -> Option<String> {
    let mut archive = Archive::read(path).unwrap();
    let dir = std::env::temp_dir().join(format!(
        "rcue-golden-{}-{}",
        path.file_stem().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, body) in &archive.files {
        if OUTPUTS.contains(&name.as_str()) {
            continue;
        }
        let p = dir.join(name);
        if name.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
            continue;
        }
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
    }
    // `-- symlinks --`: lines `LINK TARGET` (for the escape tests).
    if let Some(links) = archive.file("symlinks") {
        for line in links.lines() {
            if let Some((link, target)) = line.split_once(' ') {
                let _ = std::fs::remove_file(dir.join(link));
                std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
            }
        }
    }
    let mut got = None;
    for line in archive.comment.lines() {
        let Some(cmd) = line.strip_prefix("rcue ") else {
            continue;
        };
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let out = Command::new(env!("CARGO_BIN_EXE_rcue"))
            .args(&args)
            .current_dir(&dir)
            .env("RCUE_MODULE_CACHE", dir.join("cache"))
            .output()
            .unwrap();
        got = Some(out);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let out = got.unwrap_or_else(|| panic!("{}: no `rcue ...` line", path.display()));
    let actual = [
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        format!("{}\n", out.status.code().unwrap_or(-1)),
    ];
    if update {
        for (name, body) in OUTPUTS.iter().zip(actual) {
            archive.set(name, body);
        }
        std::fs::write(path, archive.format()).unwrap();
        return None;
    }
    let mut diffs = String::new();
    for (name, body) in OUTPUTS.iter().zip(actual) {
        let want = archive.file(name).unwrap_or("");
        if want != body {
            diffs.push_str(&format!(
                "{}: {name} differs\n--- want\n{want}--- got\n{body}\n",
                path.display()
            ));
        }
    }
    (!diffs.is_empty()).then_some(diffs)
}

#[test]
fn golden_cli() {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/cli");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txtar"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c, update)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

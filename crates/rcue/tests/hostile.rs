//! Hostile inputs: each must end with a clear error and exit status 1, not
//! a crash, a hang or an allocation of everything the input asks for.

use std::path::PathBuf;
use std::process::Command;

fn run_export(name: &str, source: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("rcue-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("x.cue");
    std::fs::write(&file, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rcue"))
        .args(["export", "x.cue"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_refused(name: &str, source: &str, fragment: &str) {
    let (code, err) = run_export(name, source);
    assert_eq!(code, Some(1), "{name}: {err}");
    assert!(err.contains(fragment), "{name}: {err}");
    assert!(err.contains("x.cue:"), "{name}: no position in {err}");
}

#[test]
fn nesting_100000_deep() {
    let src = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_refused("deep", &src, "nest");
}

#[test]
fn disjunction_product_of_2_to_the_40() {
    let src = format!("x: {}\n", vec!["(1 | 2)"; 40].join(" & "));
    assert_refused("disj", &src, "too many disjuncts");
}

#[test]
fn string_repetition_of_a_trillion() {
    assert_refused("rep", "x: \"x\" * 1000000000000\n", "x.cue:1");
}

#[test]
fn list_builders_of_a_trillion() {
    assert_refused(
        "lrep",
        "import \"list\"\nx: list.Repeat([1], 1000000000000)\n",
        "too large",
    );
    assert_refused(
        "range",
        "import \"list\"\nx: list.Range(0, 1000000000000, 1)\n",
        "too large",
    );
}

#[test]
fn yaml_alias_bomb() {
    let dir = std::env::temp_dir().join(format!("rcue-hostile-yaml-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), doc).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rcue"))
        .args(["export", "bomb.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bomb.yaml:"), "{err}");
}

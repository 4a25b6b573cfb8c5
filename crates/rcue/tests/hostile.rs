//! Hostile inputs: each must end with a clear error and exit status 1, not
//! a crash, a hang or an allocation of everything the input asks for.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rcue-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary in `dir`.
fn rcue_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcue"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn run_export_with(name: &str, source: &str, flags: &[&str]) -> (Option<i32>, String) {
    let dir = scratch(name);
    let file: PathBuf = dir.join("x.cue");
    std::fs::write(&file, source).unwrap();
    let args: Vec<&str> = ["export", "x.cue"].iter().chain(flags).copied().collect();
    let out = rcue_in(&dir, &args);
    let _ = std::fs::remove_dir_all(&dir);
    assert_children_under_1_gib(name);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The largest resident size any child process of this test binary
/// reached: every hostile input must stay under 1 GiB.
fn assert_children_under_1_gib(name: &str) {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } == 0;
    if ok {
        let kib = usage.ru_maxrss as u64; // kilobytes on Linux
        assert!(kib < 1 << 20, "{name}: a child used {} MiB", kib >> 10);
    }
}

fn assert_refused(name: &str, source: &str, fragment: &str) {
    assert_refused_with(name, source, &[], fragment);
}

fn assert_refused_with(name: &str, source: &str, flags: &[&str], fragment: &str) {
    let (code, err) = run_export_with(name, source, flags);
    assert_eq!(code, Some(1), "{name}: {err}");
    assert!(err.contains(fragment), "{name}: {err}");
    assert!(err.contains("x.cue:"), "{name}: no position in {err}");
}

/// A comprehension over a million elements: fine by default, stopped by
/// each of the evaluation limits.
const MILLION: &str = "import \"list\"\nx: [for i in list.Range(0, 1000000, 1) {a: i}]\n";

#[test]
fn step_time_value_and_memory_limits() {
    assert_refused_with(
        "steps",
        MILLION,
        &["--max-steps", "10000"],
        "more than 10000 steps",
    );
    assert_refused_with(
        "time",
        MILLION,
        &["--timeout", "50ms"],
        "took longer than 0.050s",
    );
    assert_refused_with(
        "values",
        MILLION,
        &["--max-values", "5000"],
        "more than 5000 values",
    );
    assert_refused_with(
        "memory",
        MILLION,
        &["--max-memory", "64MiB"],
        "memory use above 64 MiB",
    );
    assert_refused_with(
        "disjuncts",
        "x: ({a: 1}|{a: 2}) & ({a: 1}|{a: 2}|{a: 3}) & ({a: 1}|{a: 2}|{a: 3}|{a: 4})\n",
        &["--max-disjuncts", "10"],
        "limit 10, --max-disjuncts",
    );
}

#[test]
fn output_limit_writes_nothing() {
    let (code, err) = run_export_with("output", "a: \"0123456789\"\n", &["--max-output", "10"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("output too large: 26 bytes (limit 10"),
        "{err}"
    );
}

#[test]
fn gigabyte_file_is_refused_unread() {
    let dir = scratch("big");
    // One line of 1 GiB (sparse: nothing is written to disk).
    let f = std::fs::File::create(dir.join("big.cue")).unwrap();
    f.set_len(1 << 30).unwrap();
    let out = rcue_in(&dir, &["export", "big.cue"]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("big.cue: file too large: 1073741824 bytes"),
        "{err}"
    );
    assert_children_under_1_gib("big file");
}

#[test]
fn nesting_100000_deep() {
    let src = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_refused("deep", &src, "nest");
}

/// A field whose value unifies the struct it is in, again for every new
/// copy: once a stack overflow, now stopped by the value limit (by default
/// only after about 18 s and 4.7 GB: docs/security.md).
#[test]
fn self_inlining_operand_stops_at_the_value_limit() {
    let src = "f: n: (f & {n: {}}).n\nf: n: {}\n";
    assert_refused_with(
        "selfinline",
        src,
        &["--max-values", "200000"],
        "--max-values",
    );
    assert_children_under_1_gib("selfinline");
}

#[test]
fn disjunction_product_of_2_to_the_40() {
    // Struct disjuncts are tried combination by combination: refused.
    let src = format!("x: {}\n", vec!["({a: 1} | {a: 2})"; 40].join(" & "));
    assert_refused("disj", &src, "too many disjuncts");
    // Scalar ones are multiplied out with equal results collapsed: the
    // answer (two values, no default) comes at once; like the reference,
    // the message names no position.
    let src = format!("x: {}\n", vec!["(1 | 2)"; 40].join(" & "));
    let (code, err) = run_export_with("disj-scalar", &src, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("x: incomplete value 1 | 2"), "{err}");
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
    let dir = scratch("yaml");
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), doc).unwrap();
    let out = rcue_in(&dir, &["export", "bomb.yaml"]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bomb.yaml:"), "{err}");
}

#[test]
fn streamed_json_is_all_or_nothing() {
    // Output of several write chunks (64 KiB each), with an incomplete
    // value found only at the end of the walk.
    let dir = scratch("stream");
    let fields: String = (0..12000).map(|i| format!("f{i}: \"v{i}\"\n")).collect();
    std::fs::write(dir.join("good.cue"), &fields).unwrap();
    std::fs::write(dir.join("bad.cue"), format!("{fields}z: int\n")).unwrap();
    std::fs::write(dir.join("out.json"), "keep\n").unwrap();
    let rcue = |args: &[&str]| rcue_in(&dir, args);
    let out = rcue(&["export", "good.cue"]);
    assert_eq!(out.status.code(), Some(0));
    let body: Vec<String> = (0..12000)
        .map(|i| format!("    \"f{i}\": \"v{i}\""))
        .collect();
    let expected = format!("{{\n{}\n}}\n", body.join(",\n"));
    assert!(expected.len() > 3 * 65536);
    assert!(out.stdout == expected.as_bytes(), "output differs");
    let out = rcue(&["export", "bad.cue"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "partial output written");
    assert!(String::from_utf8_lossy(&out.stderr).contains("z: incomplete value int"));
    let out = rcue(&["export", "bad.cue", "-o", "out.json", "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.json")).unwrap(),
        "keep\n"
    );
    let out = rcue(&["export", "good.cue", "-o", "out.json", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.json")).unwrap(),
        expected
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn outfile_is_never_overwritten_without_force() {
    let dir = scratch("outfile");
    std::fs::write(dir.join("x.cue"), "a: 1\n").unwrap();
    std::fs::write(dir.join("bad.cue"), "a: 1\na: 2\n").unwrap();
    std::fs::write(dir.join("out.yaml"), "keep: me\n").unwrap();
    let rcue = |args: &[&str]| rcue_in(&dir, args);
    let read = || std::fs::read_to_string(dir.join("out.yaml")).unwrap();
    let out = rcue(&["export", "x.cue", "-o", "out.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists (use --force"));
    assert_eq!(read(), "keep: me\n");
    // A failing evaluation leaves the old file as it was.
    let out = rcue(&["export", "bad.cue", "-o", "out.yaml", "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(), "keep: me\n");
    // The extension picks YAML; --force replaces the file.
    let out = rcue(&["export", "x.cue", "-o", "out.yaml", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(), "a: 1\n");
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("rcue-tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

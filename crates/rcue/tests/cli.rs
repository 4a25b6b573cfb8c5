//! End-to-end tests of the `rcue` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn rcue(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcue"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run rcue")
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rcue-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fmt_rewrites_files_in_place() {
    let dir = tempdir("fmt");
    std::fs::write(dir.join("a.cue"), "a:   1\nb: {c:2}\n").unwrap();
    let out = rcue(&["fmt", "a.cue"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.cue")).unwrap(),
        "a: 1\nb: {c: 2}\n"
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn fmt_check_lists_unformatted_files_and_changes_nothing() {
    let dir = tempdir("check");
    std::fs::write(dir.join("bad.cue"), "a:   1\n").unwrap();
    std::fs::write(dir.join("good.cue"), "a: 1\n").unwrap();
    let out = rcue(&["fmt", "--check", "bad.cue", "good.cue"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bad.cue\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.cue")).unwrap(),
        "a:   1\n"
    );
}

#[test]
fn fmt_reports_syntax_errors_with_positions_and_keeps_the_file() {
    let dir = tempdir("err");
    std::fs::write(dir.join("x.cue"), "a: 1\nb: {c: \n").unwrap();
    let out = rcue(&["fmt", "x.cue"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("x.cue:3:1"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("x.cue")).unwrap(),
        "a: 1\nb: {c: \n"
    );
}

#[test]
fn fmt_rejects_invalid_utf8_naming_the_file() {
    let dir = tempdir("utf8");
    std::fs::write(dir.join("bin.cue"), b"a: \"\xff\"\n").unwrap();
    let out = rcue(&["fmt", "bin.cue"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bin.cue: invalid UTF-8"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let dir = tempdir("deep");
    let src = format!("a: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(dir.join("deep.cue"), src).unwrap();
    let out = rcue(&["fmt", "deep.cue"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nesting too deep"));
}

#[test]
fn usage_errors_exit_with_status_2() {
    let dir = tempdir("usage");
    assert_eq!(rcue(&["fmt"], &dir).status.code(), Some(2));
    assert_eq!(rcue(&["no-such-command"], &dir).status.code(), Some(2));
}

#[test]
fn export_prints_json_and_yaml() {
    let dir = tempdir("export");
    std::fs::write(
        dir.join("a.cue"),
        "#A: {num: int, s: \"n=\\(num)\"}\nx: #A & {num: 2}\nl: [1, 2]\n",
    )
    .unwrap();
    let out = rcue(&["export", "a.cue"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\n    \"x\": {\n        \"num\": 2,\n        \"s\": \"n=2\"\n    },\n    \"l\": [\n        1,\n        2\n    ]\n}\n"
    );
    let out = rcue(&["export", "--out", "yaml", "-e", "x", "a.cue"], &dir);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "num: 2\ns: n=2\n");
    let out = rcue(&["export", "--out", "cue", "a.cue"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "x: {\n\tnum: 2\n\ts: \"n=2\"\n}\nl: [1, 2]\n"
    );
}

#[test]
fn export_errors_name_path_and_position() {
    let dir = tempdir("export-err");
    std::fs::write(dir.join("b.cue"), "a: int\nb: 1 & 2\n").unwrap();
    let out = rcue(&["export", "b.cue"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a: incomplete value int"), "{err}");
    assert!(
        err.contains("b: conflicting values 2 and 1")
            || err.contains("b: conflicting values 1 and 2"),
        "{err}"
    );
    assert!(err.contains("./b.cue:2:"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn eval_prints_cue_with_constraints() {
    let dir = tempdir("eval");
    std::fs::write(
        dir.join("c.cue"),
        "#D: {a: int, b?: string}\nx: #D & {a: 1}\n_h: 3\ny: *1 | 2\n",
    )
    .unwrap();
    let out = rcue(&["eval", "c.cue"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Optional fields show with -O (or -a), as in cue.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "#D: {\n\ta: int\n}\nx: {\n\ta: 1\n}\ny: *1 | 2\n"
    );
    let out = rcue(&["eval", "-O", "c.cue"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "#D: {\n\ta: int\n\tb?: string\n}\nx: {\n\ta: 1\n\tb?: string\n}\ny: *1 | 2\n"
    );
    let out = rcue(&["eval", "--all", "-e", "_h", "c.cue"], &dir);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
    let out = rcue(&["eval", "-c", "c.cue"], &dir);
    assert_eq!(out.status.code(), Some(0));
}

fn example_module() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-tier-module")
}

#[test]
fn mod_build_split_writes_one_file_per_object_and_refuses_to_overwrite() {
    let dir = tempdir("split");
    let out_dir = dir.join("out");
    let module = example_module();
    let args = [
        "mod",
        "build",
        module.to_str().unwrap(),
        "--split",
        out_dir.to_str().unwrap(),
    ];
    let out = rcue(&args, &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "cronjob-backup-job.yaml",
            "daemonset-log-agent.yaml",
            "job-setup-job.yaml",
            "persistentvolumeclaim-data-database-0.yaml",
            "persistentvolumeclaim-data-database-1.yaml",
            "persistentvolumeclaim-data-database-2.yaml",
            "statefulset-database.yaml",
        ]
    );
    // A second run refuses to overwrite and leaves the files as they were.
    std::fs::write(out_dir.join("job-setup-job.yaml"), "edited\n").unwrap();
    let again = rcue(&args, &dir);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(out_dir.join("job-setup-job.yaml")).unwrap(),
        "edited\n"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(rcue(&forced, &dir).status.code(), Some(0));
    assert!(std::fs::read_to_string(out_dir.join("job-setup-job.yaml"))
        .unwrap()
        .starts_with("apiVersion: batch/v1\n"));
}

#[test]
fn mod_vet_reports_bad_values_with_the_field_path() {
    let dir = tempdir("modvet");
    std::fs::write(dir.join("bad.yaml"), "database:\n  scaling: 0\n").unwrap();
    let module = example_module();
    let out = rcue(
        &["mod", "vet", module.to_str().unwrap(), "-f", "bad.yaml"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scaling"), "{err}");
    assert!(err.contains("invalid value 0"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

/// A stream large enough to be checked in full on several threads (each
/// with an instance of its own, as when the schema is outside the quick
/// check's subset) reports its documents' errors in stream order, at
/// their own lines, and stops at a syntax error as one pass would.
#[test]
fn vet_checks_a_large_stream_on_several_threads_in_order() {
    let dir = tempdir("vet-threads");
    std::fs::write(
        dir.join("schema.cue"),
        "import \"strings\"\n#Doc: {\n\tname: =~\"^[a-z]+$\" & strings.MaxRunes(8)\n\tn: int & <100\n\tnote?: string\n}\n",
    )
    .unwrap();
    let mut yaml = String::new();
    let mut expected = Vec::new();
    let docs = 40_000; // about 1.3 MB
    let mut line = 1; // of the next `---`
    for i in 0..docs {
        if i == docs - 2 {
            yaml.push_str("---\nname: [\n");
            expected.push(format!("./data.yaml:{}:1", line + 2));
            break;
        }
        let (name, n) = match i {
            7 => ("Bad", 1),
            20_001 => ("ok", 500),
            _ => ("ok", i % 100),
        };
        // Block scalars are read by the full YAML parser, the rest by
        // the block reader.
        let note = if i % 3 == 0 {
            "note: 'quoted'\n"
        } else {
            "note: |\n  text\n"
        };
        yaml.push_str(&format!("---\nname: {name}\nn: {n}\n{note}"));
        match i {
            7 => expected.push(format!("./data.yaml:{}:7", line + 1)),
            20_001 => expected.push(format!("./data.yaml:{}:4", line + 2)),
            _ => {}
        }
        line += 3 + note.matches('\n').count();
    }
    yaml.push_str("---\nname: Late\nn: 1\n");
    std::fs::write(dir.join("data.yaml"), yaml).unwrap();
    let out = rcue(&["vet", "-d", "#Doc", "schema.cue", "data.yaml"], &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let data_lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("./data.yaml"))
        .collect();
    assert_eq!(data_lines, expected, "{stderr}");
}

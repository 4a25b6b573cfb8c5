//! Golden tests of the render pipeline: the example every user runs, one
//! module per transformer, and the trait errors (crates/rcue-opm/testdata).

use std::path::{Path, PathBuf};

use rcue_opm::render::{render, to_yaml_stream, Options};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn build(dir: &Path) -> Result<String, String> {
    let opts = Options {
        dir: dir.to_path_buf(),
        ..Default::default()
    };
    match render(&opts) {
        Ok(objects) => Ok(to_yaml_stream(&objects)),
        Err(errors) => Err(errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn multi_tier_module_renders_the_seven_resources() {
    let got = build(&root().join("examples/multi-tier-module")).unwrap();
    let want = read(&testdata().join("multi-tier-module.yaml"));
    assert_eq!(got, want);
    let kinds: Vec<&str> = got
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(
        kinds,
        [
            "StatefulSet",
            "PersistentVolumeClaim",
            "PersistentVolumeClaim",
            "PersistentVolumeClaim",
            "DaemonSet",
            "Job",
            "CronJob"
        ]
    );
}

#[test]
fn every_transformer_renders_its_golden() {
    let dir = testdata().join("transformers");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    for case in cases {
        let got = build(&case.join("module")).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        assert_eq!(got, read(&case.join("expected.yaml")), "{}", case.display());
    }
}

#[test]
fn trait_errors_name_the_field() {
    let dir = testdata().join("errors");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3);
    for case in cases {
        let err = build(&case.join("module")).expect_err("must fail");
        let want = read(&case.join("expected-error.txt"));
        assert!(err.contains(want.trim()), "{}: {err}", case.display());
        assert!(
            err.contains("module.cue:"),
            "{}: no position in {err}",
            case.display()
        );
    }
}

#[test]
fn values_files_override_defaults_later_wins() {
    let tmp = std::env::temp_dir().join(format!("rcue-opm-values-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let a = tmp.join("a.yaml");
    let b = tmp.join("b.yaml");
    std::fs::write(&a, "database:\n  scaling: 5\n  image: postgres:16\n").unwrap();
    std::fs::write(&b, "database:\n  scaling: 2\n").unwrap();
    let opts = Options {
        dir: root().join("examples/multi-tier-module"),
        values: vec![a, b],
        namespace: Some("prod".into()),
        ..Default::default()
    };
    let got = to_yaml_stream(&render(&opts).unwrap());
    assert!(got.contains("replicas: 2"), "{got}");
    assert!(got.contains("image: postgres:16"), "{got}");
    assert!(got.contains("namespace: prod"), "{got}");
    assert_eq!(got.matches("kind: PersistentVolumeClaim").count(), 2);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn bad_values_fail_with_the_schema_position() {
    let tmp = std::env::temp_dir().join(format!("rcue-opm-badvalues-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let a = tmp.join("bad.yaml");
    std::fs::write(&a, "database:\n  scaling: 0\n").unwrap();
    let opts = Options {
        dir: root().join("examples/multi-tier-module"),
        values: vec![a],
        ..Default::default()
    };
    let err = match render(&opts) {
        Ok(_) => panic!("scaling 0 must fail"),
        Err(e) => e
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    assert!(err.contains("invalid value 0"), "{err}");
    let _ = std::fs::remove_dir_all(&tmp);
}

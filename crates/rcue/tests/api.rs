//! The embedding API beyond its doc examples: unification at the top
//! level, paths in errors, the serde bridge's corners.

use serde::{Deserialize, Serialize};

#[test]
fn unify_package_with_encoded_data_leaves_the_package_alone() {
    let ctx = rcue::Context::new();
    let pkg = ctx
        .compile("port: int & >1024\nhost: *\"localhost\" | string\n")
        .unwrap();
    let data = ctx.encode(&serde_json_like()).unwrap();
    let both = pkg.unify(&data).unwrap();
    assert_eq!(
        both.to_json().unwrap(),
        "{\n    \"port\": 8080,\n    \"host\": \"localhost\"\n}\n"
    );
    // The package itself is unchanged, and a second unification works too.
    assert!(!pkg.is_concrete());
    let again = both.unify(&ctx.compile("host: \"db\"\n").unwrap()).unwrap();
    assert_eq!(
        again.lookup("host").unwrap().decode::<String>().unwrap(),
        "db"
    );
}

fn serde_json_like() -> impl Serialize {
    #[derive(Serialize)]
    struct P {
        port: u16,
    }
    P { port: 8080 }
}

#[test]
fn same_package_values_unify_by_expression() {
    let ctx = rcue::Context::new();
    let v = ctx.compile("#A: {x: int}\nb: {x: 1}\nc: {x: 2}\n").unwrap();
    let a = v.lookup("#A").unwrap();
    assert_eq!(
        a.unify(&v.lookup("b").unwrap()).unwrap().to_json().unwrap(),
        "{\n    \"x\": 1\n}\n"
    );
    let bad = v
        .lookup("b")
        .unwrap()
        .unify(&v.lookup("c").unwrap())
        .unwrap();
    let err = bad.validate().unwrap_err();
    assert_eq!(err.issues()[0].path, "b.x");
    // Unifying the package with one of its own fields.
    // Fields that only the unification brings are exported, but cannot be
    // looked up by name (a documented limit).
    let top = v.unify(&v.lookup("b").unwrap()).unwrap();
    assert!(top.to_json().unwrap().contains("\"x\": 1"));
    assert!(top.lookup("x").is_ok_and(|x| x.to_json().is_err()));
}

#[test]
fn non_concrete_values_of_other_sources_are_refused() {
    let ctx = rcue::Context::new();
    let a = ctx.compile("x: int\n").unwrap();
    let b = ctx.compile("y: string\n").unwrap();
    let err = a.unify(&b).unwrap_err();
    assert!(err.issues()[0].message.starts_with("not supported yet"));
}

#[test]
fn fields_at_every_level() {
    let ctx = rcue::Context::new();
    let v = ctx.compile("a: {z: 1, y: {w: 2}}\nb: [1]\n").unwrap();
    let top: Vec<String> = v.fields().unwrap().into_iter().map(|(k, _)| k).collect();
    assert_eq!(top, ["a", "b"]);
    let (name, y) = v.lookup("a").unwrap().fields().unwrap().pop().unwrap();
    assert_eq!(name, "y");
    assert_eq!(y.path(), "a.y");
    assert_eq!(y.lookup("w").unwrap().decode::<u8>().unwrap(), 2);
    // A list has no fields.
    assert!(v.lookup("b").unwrap().fields().unwrap().is_empty());
}

#[test]
fn errors_below_a_lookup_carry_the_whole_path() {
    let ctx = rcue::Context::new();
    let v = ctx.compile("a: b: {c: int, d: 1 & 2}\n").unwrap();
    let err = v.lookup("a.b").unwrap().validate_concrete().unwrap_err();
    let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["a.b.c", "a.b.d"]);
    assert!(err.issues()[1].positions[0].starts_with("source.cue:1:"));
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Fast,
    Careful { retries: u8 },
}

#[derive(Deserialize, Debug, PartialEq)]
struct Job {
    mode: Mode,
    tags: Vec<String>,
    #[serde(default)]
    weight: f64,
    data: serde_bytes_like::Bytes,
}

mod serde_bytes_like {
    /// Bytes decoded through `deserialize_bytes`.
    #[derive(Debug, PartialEq)]
    pub struct Bytes(pub Vec<u8>);

    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = Bytes;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, b: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(b.to_vec()))
                }
            }
            d.deserialize_bytes(V)
        }
    }
}

#[test]
fn decode_enums_bytes_and_defaults() {
    let ctx = rcue::Context::new();
    let v = ctx
        .compile("mode: careful: retries: 3\ntags: [\"a\"]\ndata: '\\x00A'\n")
        .unwrap();
    let job: Job = v.decode().unwrap();
    assert_eq!(job.mode, Mode::Careful { retries: 3 });
    assert_eq!(job.data.0, vec![0, b'A']);
    assert_eq!(job.weight, 0.0);

    let v = ctx
        .compile("mode: \"fast\"\ntags: [\"a\", 1]\ndata: 'x'\n")
        .unwrap();
    let err = v.decode::<Job>().unwrap_err();
    assert_eq!(err.issues()[0].path, "tags[1]");

    let v = ctx
        .compile("mode: careful: retries: 300\ntags: []\ndata: ''\n")
        .unwrap();
    let err = v.decode::<Job>().unwrap_err();
    assert_eq!(err.issues()[0].path, "mode.careful.retries");

    let v = ctx.compile("x: {\"a-b\": {}}\n").unwrap();
    let err = v
        .lookup("x")
        .unwrap()
        .decode::<std::collections::BTreeMap<String, u8>>()
        .unwrap_err();
    assert_eq!(err.issues()[0].path, "x.\"a-b\"");
}

#[test]
fn encode_keeps_numbers_exact_and_order() {
    #[derive(Serialize)]
    struct S {
        z: u64,
        a: f64,
        n: Option<i8>,
        list: Vec<i128>,
    }
    let ctx = rcue::Context::new();
    let v = ctx
        .encode(&S {
            z: u64::MAX,
            a: 0.1,
            n: None,
            list: vec![-1],
        })
        .unwrap();
    assert_eq!(
        v.to_cue().unwrap(),
        "z: 18446744073709551615\na: 0.1\nn: null\nlist: [-1]\n"
    );
    let err = ctx
        .encode(&std::collections::HashMap::from([((1, 2), 3)]))
        .unwrap_err();
    assert!(err.issues()[0].message.starts_with("cannot encode value"));
}

#[test]
fn load_reports_missing_paths() {
    let ctx = rcue::Context::new();
    assert!(ctx.load("/nonexistent/dir/x.cue").is_err());
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/multi-tier-module"
    );
    let m = ctx.load(dir).unwrap();
    assert!(m
        .lookup("metadata.name")
        .unwrap()
        .decode::<String>()
        .is_ok());
}

/// The library parses, evaluates and exports on the caller's thread, which
/// may have a small stack: nesting up to the parser's limit must work there
/// (the recursive stages grow their stack as they go).
#[test]
fn deep_values_on_a_small_stack() {
    let depth = 990;
    let src = format!(
        "x: {}1{}\ny: x\nl: {}{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth),
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (json, yaml, cue, decoded) = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let ctx = rcue::Context::new();
            let v = ctx.compile(&src).expect("compiles");
            v.validate_concrete().expect("valid");
            let y = v.lookup("y").expect("y exists");
            let decoded: serde_json::Value = v.decode().expect("decodes");
            let out = (
                y.to_json().expect("exports"),
                v.lookup("l").and_then(|l| l.to_yaml()).expect("exports"),
                y.to_cue().expect("prints"),
                decoded.to_string().len(),
            );
            drop(decoded);
            out
        })
        .expect("thread starts")
        .join()
        .expect("no stack overflow");
    assert_eq!(json.matches("\"a\"").count(), depth);
    assert_eq!(yaml.matches('-').count(), depth - 1);
    assert_eq!(cue.matches("a:").count(), depth);
    assert!(decoded > 2 * depth);
}

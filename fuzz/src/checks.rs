//! What each fuzz target checks, written as plain functions of one input.
//!
//! The `cargo fuzz` targets in `fuzz/fuzz_targets/` call these, and
//! `crates/rcue/tests/fuzz_regressions.rs` includes this file with `#[path]`
//! to replay the inputs kept under `testdata/fuzz/` on a stable toolchain, so
//! a regression test runs exactly the code the fuzzer ran. Only `std`,
//! `rcue-syntax` and `rcue-eval` may be used here.
//!
//! A check panics (or returns an error the caller turns into a panic) only
//! when rcue misbehaves: syntax and evaluation errors are ordinary results.

use rcue_eval::Instance;
use rcue_syntax::{dump::dump_file, format::format_file, parse_file};

/// Stack of the thread evaluation runs on, the same as the `rcue` binary's.
const EVAL_STACK: usize = 512 << 20;

/// Schema the `data` target checks documents against, as `rcue vet` would.
const DATA_SCHEMA: &str = r#"
name?: string & !=""
replicas?: int & >=0 & <=100
ports?: [...{port: int, protocol?: *"TCP" | "UDP"}]
labels?: [string]: string
#Any: null | bool | number | string | [...#Any] | {[string]: #Any}
spec?: #Any
"#;

/// Runs `f` on a thread with the binary's stack size and re-raises its panic.
fn on_eval_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(EVAL_STACK)
            .spawn_scoped(scope, f)
            .expect("spawning the evaluation thread");
        handle
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Lexes and parses `bytes` as a CUE file when they are UTF-8.
pub fn parse(bytes: &[u8]) {
    if let Ok(src) = std::str::from_utf8(bytes) {
        let (file, errors) = parse_file(src);
        let len = src.len() as u64;
        for e in &errors {
            assert!(
                u64::from(e.span.start) <= len && u64::from(e.span.end) <= len,
                "error span {:?} outside the {}-byte input: {}",
                e.span,
                src.len(),
                e.message
            );
        }
        // The fast path builds the grammar's tree or gives way to it.
        let without = rcue_syntax::parser::parse_file_without_fast_path(src);
        assert!(
            (&file, &errors) == (&without.0, &without.1),
            "the fast path and the grammar disagree"
        );
    }
}

/// A file that parses cleanly formats to text that parses cleanly to the
/// same tree, and formatting that text again changes nothing.
pub fn fmt_roundtrip(bytes: &[u8]) -> Result<(), String> {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let (file, errors) = parse_file(src);
    if !errors.is_empty() {
        return Ok(());
    }
    let once = format_file(&file, src);
    let (again, errors) = parse_file(&once);
    if let Some(e) = errors.first() {
        return Err(format!(
            "formatted text does not parse: {} at {:?}\n--- formatted:\n{once}",
            e.message, e.span
        ));
    }
    let (before, after) = (dump_file(&file), dump_file(&again));
    if before != after {
        return Err(format!(
            "formatting changed the tree\n--- formatted:\n{once}\n--- before:\n{before}\n--- after:\n{after}"
        ));
    }
    let twice = format_file(&again, &once);
    if twice != once {
        return Err(format!(
            "formatting is not idempotent\n--- once:\n{once}\n--- twice:\n{twice}"
        ));
    }
    Ok(())
}

/// Every error names where it comes from: a file position or a CUE path.
fn check_located(errors: &[rcue_eval::Error]) {
    for e in errors {
        assert!(
            !e.pos.is_empty() || !e.path.is_empty() || e.incomplete,
            "error without a position or path: {e}"
        );
    }
}

/// Compiles, evaluates and exports a CUE file (as `rcue export`), then prints
/// it (as `rcue eval`).
pub fn eval_export(bytes: &[u8]) {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return;
    };
    on_eval_stack(|| {
        let mut inst = match Instance::from_sources(&[("x.cue", src)]) {
            Ok(inst) => inst,
            Err(errors) => return check_located(&errors),
        };
        // Inputs that only take long (known: some structural cycles run
        // to the value limit) end as the command's limits end them, so
        // the runs look for crashes and wrong errors.
        inst.engine.set_limits(rcue_eval::Limits {
            max_values: 200_000,
            timeout: Some(std::time::Duration::from_secs(3)),
            ..rcue_eval::Limits::default()
        });
        if let Err(errors) = inst.export_json(None) {
            check_located(&errors);
        }
        let _ = inst.eval_text(None, rcue_eval::print::Options::default());
    })
}

/// Reads `bytes` as JSON, JSON Lines and YAML; checks the documents read
/// against a small schema (as `rcue vet`) and exports them (as `rcue export`).
pub fn data(bytes: &[u8]) {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return;
    };
    block_yaml_agrees(src);
    let mut docs = Vec::new();
    if let Ok(doc) = rcue_syntax::data::parse_json(src) {
        docs.push(("x.json", doc));
    }
    if let Ok(stream) = rcue_syntax::data::parse_json_stream(src) {
        docs.extend(stream.into_iter().take(4).map(|d| ("x.jsonl", d)));
    }
    if let Ok(stream) = rcue_syntax::data::parse_yaml_stream(src) {
        docs.extend(stream.into_iter().take(4).map(|d| ("x.yaml", d)));
    }
    if docs.is_empty() {
        return;
    }
    on_eval_stack(|| {
        for (name, doc) in &docs {
            let mut schema = Instance::from_sources(&[("schema.cue", DATA_SCHEMA)])
                .expect("the fixed schema compiles");
            check_located(&schema.vet_data(None, name, src, doc, true));
            let mut plain = Instance::from_sources(&[]).expect("an empty instance");
            match plain.add_data(name, src, doc) {
                Ok(()) => {
                    if let Err(errors) = plain.export_json(None) {
                        check_located(&errors);
                    }
                }
                Err(errors) => check_located(&errors),
            }
        }
    });
}

/// The block YAML reader (`vet`'s fast path) reads each document between
/// marker lines as the full parser does, or gives up. (Splitting at marker
/// lines follows YAML, where a `---` line ends any content; yaml-rust2 in
/// one pass lets a top-level block scalar run over one, so the document
/// counts are not compared.)
fn block_yaml_agrees(src: &str) {
    use rcue_syntax::data::{parse_yaml_stream, read_block_document, yaml_document_end};
    let mut tree = rcue_syntax::data::BlockTree::default();
    let mut from = 0;
    while from < src.len() {
        let end = yaml_document_end(src, from, src.len());
        if read_block_document(src, from..end, &mut tree) {
            let docs = parse_yaml_stream(&src[from..end]);
            let docs = docs
                .as_ref()
                .expect("the full parser rejects a block document");
            assert_eq!(docs.len(), 1, "one block document");
            assert!(
                tree.same_as(tree.root(), &docs[0]),
                "block document read differently"
            );
        }
        from = end;
    }
}

//! Evaluation micro-benchmarks: unification of large structs, disjunctions,
//! comprehensions over 10^4 elements and export serialization.
//! Run with `cargo bench -p rcue-eval` (lexing and parsing: `cargo bench -p
//! rcue-syntax`).

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rcue_eval::Instance;

fn export(src: &str) -> usize {
    let mut inst = Instance::from_sources(&[("bench.cue", src)]).expect("compiles");
    inst.export_json(None).expect("exports").len()
}

/// Two struct literals of `n` fields each, unified field by field.
fn large_structs(n: usize) -> String {
    let mut s = String::from("#S: {\n");
    for i in 0..n {
        let _ = writeln!(s, "\tf{i}: int & >=0");
    }
    s.push_str("}\nx: #S & {\n");
    for i in 0..n {
        let _ = writeln!(s, "\tf{i}: {i}");
    }
    s.push_str("}\n");
    s
}

/// `n` fields, each a disjunction with a default resolved by another
/// disjunction.
fn disjunctions(n: usize) -> String {
    let mut s = String::from(
        "#D: {kind: *\"a\" | \"b\" | \"c\", port: *80 | int & >0 & <65536, proto: *\"TCP\" | \"UDP\"}\n",
    );
    for i in 0..n {
        let k = ["a", "b", "c"][i % 3];
        let _ = writeln!(s, "d{i}: #D & {{kind: \"{k}\" | \"z\"}}");
    }
    s
}

/// A comprehension over a list of 10^4 elements and over a struct of them.
fn comprehension(n: usize) -> String {
    let mut s = String::from("src: [");
    for i in 0..n {
        let _ = write!(s, "{i}, ");
    }
    s.push_str("]\nbyName: {for i, x in src {\"item-\\(i)\": {value: x, double: x * 2}}}\n");
    s.push_str("evens: [for k, v in byName if mod(v.value, 2) == 0 {k}]\n");
    s
}

fn eval(c: &mut Criterion) {
    let mut group = c.benchmark_group("eval");
    group.sample_size(10);
    let src = large_structs(5_000);
    group.bench_function("unify_struct_5000_fields", |b| b.iter(|| export(&src)));
    let src = disjunctions(1_000);
    group.bench_function("disjunctions_1000", |b| b.iter(|| export(&src)));
    let src = comprehension(10_000);
    group.bench_function("comprehension_10000", |b| b.iter(|| export(&src)));
    group.finish();

    // Serialization alone: the evaluated data of 2,000 structs to JSON.
    let src = comprehension(2_000);
    let mut inst = Instance::from_sources(&[("bench.cue", &src)]).expect("compiles");
    let data = inst.export(None).expect("exports");
    let bytes = rcue_eval::export::to_json(&data).len();
    let mut group = c.benchmark_group("export");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("to_json", |b| {
        b.iter(|| rcue_eval::export::to_json(&data).len())
    });
    group.bench_function("to_yaml", |b| {
        b.iter(|| rcue_eval::export::to_yaml(&data).len())
    });
    group.finish();
}

criterion_group!(benches, eval);
criterion_main!(benches);

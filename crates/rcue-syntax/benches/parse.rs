//! Lexing and parsing throughput on a generated 10 MB Kubernetes-style file.
//! Run with `cargo bench -p rcue-syntax`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn parse(c: &mut Criterion) {
    let src = rcue_syntax::generate::kubernetes_like(10 << 20);
    let mut group = c.benchmark_group("syntax");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(10);
    group.bench_function("lex_10MB", |b| {
        b.iter(|| rcue_syntax::lexer::lex(&src, 0).tokens.len())
    });
    group.bench_function("parse_10MB", |b| {
        b.iter(|| rcue_syntax::parse_file(&src).0.decls.len())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);

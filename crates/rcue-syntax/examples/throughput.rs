//! Prints lexing and parsing throughput on a generated file of N MB
//! (default 10): a quick check without criterion's statistics.
use std::time::Instant;

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let src = rcue_syntax::generate::kubernetes_like(mb << 20);
    let size = src.len() as f64 / (1 << 20) as f64;
    for _ in 0..2 {
        let t = Instant::now();
        let n = rcue_syntax::lexer::lex(&src, 0).tokens.len();
        let lex = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (file, errors) = rcue_syntax::parse_file(&src);
        let parse = t.elapsed().as_secs_f64();
        assert!(errors.is_empty());
        println!(
            "{size:.1} MiB, {n} tokens, {} decls: lex {:.1} MiB/s, lex+parse {:.1} MiB/s",
            file.decls.len(),
            size / lex,
            size / parse
        );
    }
}

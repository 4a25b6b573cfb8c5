//! Writes a generated Kubernetes-style CUE file of about N megabytes to
//! stdout (default 10): `cargo run --release --example generate -- 10`.
fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    print!("{}", rcue_syntax::generate::kubernetes_like(mb << 20));
}

//! A crate that embeds rcue through its public API only. Its tests compile
//! the `rcue` crate's examples here, outside that crate, so anything an
//! example needs from a private or internal crate fails to build.

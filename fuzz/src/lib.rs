//! Fuzz targets for rcue; see `checks` and docs/security.md ("Fuzzing").

pub mod checks;

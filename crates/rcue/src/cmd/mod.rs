//! Subcommands of the `rcue` binary, one module each.

pub mod eval;
pub mod export;
pub mod fmt;
pub mod limits;
pub mod load;
pub mod module;
pub mod output;
pub mod vet;

use std::io::IsTerminal;

/// Prints syntax errors to stderr through `miette`: with colours on a
/// terminal, plain Unicode otherwise (stable for tests and logs).
pub fn report(errors: &rcue::SourceErrors) {
    let theme = if std::io::stderr().is_terminal() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    for d in errors.diagnostics() {
        let mut out = String::new();
        if handler.render_report(&mut out, &d).is_ok() {
            eprint!("{out}");
        } else {
            eprintln!("{}", d.error);
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then
/// a rename, so that an interrupted run never leaves a half-written file.
pub fn write_atomic(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(contents.as_bytes()))
}

/// `write_atomic` of what `write` produces, passed on as it comes.
pub fn write_atomic_with(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.rcue-tmp-{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| write(&mut f));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

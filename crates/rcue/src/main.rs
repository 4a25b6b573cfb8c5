//! The `rcue` command. Each subcommand lives in `cmd/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// rcue: evaluate, validate and format CUE, natively.
#[derive(Parser)]
#[command(name = "rcue", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Format CUE files in place (or check that they are formatted).
    Fmt(cmd::fmt::Args),
    /// Evaluate CUE files and print their value as data.
    Export(cmd::export::Args),
    /// Evaluate CUE files and print the result as CUE.
    Eval(cmd::eval::Args),
    /// Validate data files against CUE, or CUE on its own.
    Vet(cmd::vet::Args),
    /// Open Platform Model modules: render to Kubernetes, check.
    #[command(subcommand)]
    Mod(cmd::module::Command),
}

/// Modules compiled into the binary, resolved with no network access.
pub fn builtin_modules() -> Vec<rcue_load::BuiltinModule> {
    vec![rcue_opm::render::builtin_module()]
}

/// Exit statuses shared by every command.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    // Deeply nested inputs recurse deeply: run on a stack with room for
    // it. (On this thread: see `on_fresh_stack` for why not on another.)
    let run = move || match cli.command {
        Command::Fmt(args) => cmd::fmt::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Vet(args) => cmd::vet::run(args),
        Command::Mod(c) => cmd::module::run(c),
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rcue_syntax::stack::on_fresh_stack(512 << 20, run)
    }));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(_) => {
            eprintln!("rcue: internal error (the evaluation stopped unexpectedly)");
            ExitCode::from(EXIT_ERRORS)
        }
    }
}

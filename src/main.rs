//! The `veillee` command: a thin shell over the library's `Project`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

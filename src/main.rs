//! The `veillee` command: a thin shell over the library.

fn main() -> std::process::ExitCode {
    veillee::cli::main()
}

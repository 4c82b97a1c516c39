fn main() -> std::process::ExitCode {
    logmap::cli::main()
}

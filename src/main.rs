fn main() -> std::process::ExitCode {
    m365_mail_wizard::cli::main()
}

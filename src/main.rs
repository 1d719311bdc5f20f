fn main() {
    std::process::exit(batchout::cli::main());
}

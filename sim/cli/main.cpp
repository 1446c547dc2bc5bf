// The allocsim command line: parse the subcommand and hand over to sim/.
#include "sim/cli/cli.hpp"

int main(int argc, char** argv) { return allocsim::sim::run_cli(argc, argv); }

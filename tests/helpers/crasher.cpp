// Record test helper: allocates, prints, then dies by SIGSEGV (argument
// "crash") or exits normally, so `allocsim record` can be shown a program
// that fails under the recorder.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  void* blocks[64];
  for (int i = 0; i < 64; ++i) blocks[i] = std::malloc(static_cast<std::size_t>(32 + i * 16));
  for (int i = 0; i < 64; i += 2) std::free(blocks[i]);
  std::printf("allocated\n");
  std::fflush(stdout);
  if (argc > 1 && std::strcmp(argv[1], "crash") == 0) std::raise(SIGSEGV);
  if (argc > 1 && std::strcmp(argv[1], "fail") == 0) return 3;
  for (int i = 1; i < 64; i += 2) std::free(blocks[i]);
  return 0;
}

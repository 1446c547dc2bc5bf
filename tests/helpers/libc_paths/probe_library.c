// A library the libc-path programs dlopen: its constructor and destructor
// allocate and free (run by the loader under its own lock), and it has
// dynamic TLS (a thread's first access allocates its block through
// __tls_get_addr, under glibc's TLS lock).
#include <stdlib.h>
#include <string.h>

static char *g_loaded;
static __thread char t_buffer[4096];
static __thread char *t_owned;

__attribute__((constructor)) static void probe_load(void) { g_loaded = strdup("probe library loaded"); }

__attribute__((destructor)) static void probe_unload(void) {
  free(g_loaded);
  g_loaded = NULL;
}

// Touches this thread's TLS block and allocates through it; returns a checksum.
unsigned long probe_touch(unsigned long seed) {
  unsigned long sum = 0;
  for (int i = 0; i < 64; i++) t_buffer[i * 64] = (char)(seed + i);
  free(t_owned);
  t_owned = malloc(32 + seed % 512);
  memset(t_owned, 'p', 32);
  for (int i = 0; i < 64; i++) sum += (unsigned char)t_buffer[i * 64];
  return sum + strlen(g_loaded);
}

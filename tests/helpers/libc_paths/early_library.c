// A library of the early_threads program: its constructor starts threads
// that allocate and free while the loader is still running constructors.
// The loader may initialise it before the preloaded allocator's library.
#include <pthread.h>
#include <stdlib.h>

static pthread_t g_threads[4];
static unsigned long g_sums[4];

static void *early_worker(void *arg) {
  const long id = (long)arg;
  unsigned long sum = 0;
  for (int i = 0; i < 5000; i++) {
    char *p = malloc(16 + (size_t)((i * 37 + id) % 900));
    p[0] = (char)i;
    sum += (unsigned char)p[0];
    free(p);
  }
  g_sums[id] = sum;
  return NULL;
}

__attribute__((constructor)) static void start_early(void) {
  for (long i = 0; i < 4; i++) pthread_create(&g_threads[i], NULL, early_worker, (void *)i);
}

// Joins the threads and returns thread i's checksum in sums[i].
void early_join(unsigned long sums[4]) {
  for (int i = 0; i < 4; i++) {
    pthread_join(g_threads[i], NULL);
    sums[i] = g_sums[i];
  }
}

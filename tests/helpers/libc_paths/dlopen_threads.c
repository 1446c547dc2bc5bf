// libc path: dlopen and dlclose from several threads at once while others
// allocate. The loader calls malloc and free with its load lock held, runs
// the library's constructor and destructor (which allocate), and each
// thread's first touch of the library's TLS allocates under the TLS lock.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_path;
static unsigned long g_sums[8];

static void *loader(void *arg) {
  const long id = (long)arg;
  unsigned long sum = 0;
  for (int i = 0; i < 40; i++) {
    void *lib = dlopen(g_path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      fprintf(stderr, "dlopen: %s\n", dlerror());
      exit(1);
    }
    unsigned long (*touch)(unsigned long) = (unsigned long (*)(unsigned long))dlsym(lib, "probe_touch");
    sum += touch((unsigned long)(i + id));
    dlclose(lib);
  }
  g_sums[id] = sum;
  return NULL;
}

static void *churn(void *arg) {
  const long id = (long)arg;
  char *keep[64] = {0};
  unsigned long sum = 0;
  for (int i = 0; i < 20000; i++) {
    const int slot = (i * 7 + (int)id) % 64;
    free(keep[slot]);
    keep[slot] = malloc(16 + (size_t)(i % 700));
    keep[slot][0] = (char)i;
    sum += (unsigned char)keep[slot][0];
  }
  for (int i = 0; i < 64; i++) free(keep[i]);
  g_sums[id] = sum;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s LIBRARY.so\n", argv[0]);
    return 2;
  }
  g_path = argv[1];
  pthread_t t[8];
  for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, i < 4 ? loader : churn, (void *)i);
  for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 8; i++) printf("thread %d: %lu\n", i, g_sums[i]);
  return 0;
}

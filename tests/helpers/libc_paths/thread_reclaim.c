// libc path: the process's first free happens inside glibc's thread-stack
// reclamation (pthread_join -> __nptl_free_stacks -> _dl_deallocate_tls),
// with glibc's stack-cache lock held; pthread_create takes the same lock.
// Threads do nothing, so nothing else frees first.
#include <pthread.h>
#include <stdio.h>

static void *worker(void *arg) { return arg; }

int main(void) {
  for (int round = 0; round < 50; round++) {
    pthread_t t[10];
    for (int i = 0; i < 10; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 10; i++) pthread_join(t[i], NULL);
  }
  puts("ok");
  return 0;
}

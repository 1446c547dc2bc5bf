// libc path: fork from several threads while others allocate, with
// pthread_atfork handlers that allocate and free (the prepare handlers run
// before the allocator's own, the child handlers after it; glibc lets the
// handlers of concurrent forks interleave, so their state is per thread).
// Each child allocates, starts and joins threads of its own, forks a
// grandchild, and reports through its exit status.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static __thread char *t_prepared;

static void prepare(void) { t_prepared = strdup("prepare handler"); }
static void parent(void) {
  free(t_prepared);
  t_prepared = NULL;
}
static void child(void) {
  char *p = malloc(100);
  memcpy(p, t_prepared, strlen(t_prepared) + 1);
  free(t_prepared);
  t_prepared = p;
}

static void *small_worker(void *arg) {
  char *p = malloc(64 + (size_t)(long)arg);
  memset(p, 1, 64);
  free(p);
  return NULL;
}

static int in_child(int depth) {
  if (!t_prepared || strcmp(t_prepared, "prepare handler") != 0) return 3;
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, small_worker, (void *)i);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  void *blocks[256];
  for (int i = 0; i < 256; i++) blocks[i] = malloc((size_t)(16 + i * 40));
  for (int i = 0; i < 256; i++) free(blocks[i]);
  if (depth == 0) {
    const pid_t pid = fork();
    if (pid == 0) _exit(in_child(1));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 4;
  }
  return 0;
}

static void *forker(void *arg) {
  long failures = 0;
  for (int i = 0; i < 15; i++) {
    const pid_t pid = fork();
    if (pid == 0) _exit(in_child(0));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failures++;
  }
  return (void *)failures;
}

static void *churn(void *arg) {
  char *keep[128] = {0};
  for (unsigned i = 0; i < 300000; i++) {
    const unsigned slot = (i * 13 + (unsigned)(long)arg) % 128;
    free(keep[slot]);
    keep[slot] = malloc(16 + i % 2000);
    keep[slot][0] = 1;
  }
  for (int i = 0; i < 128; i++) free(keep[i]);
  return NULL;
}

int main(void) {
  pthread_atfork(prepare, parent, child);
  pthread_t churners[2], forkers[3];
  for (long i = 0; i < 2; i++) pthread_create(&churners[i], NULL, churn, (void *)i);
  for (long i = 0; i < 3; i++) pthread_create(&forkers[i], NULL, forker, NULL);
  long failures = 0;
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_join(forkers[i], &r);
    failures += (long)r;
  }
  for (int i = 0; i < 2; i++) pthread_join(churners[i], NULL);
  printf("children failed: %ld\n", failures);
  return failures != 0;
}

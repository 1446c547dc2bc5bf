// libc path: allocation under stdio's locks. fopen/fclose take the list
// lock and allocate or free the FILE and its buffer; open_memstream grows
// its buffer with realloc under the stream lock; fork takes every stream
// lock in its prepare step. All at once, from several threads.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_dir[] = "/tmp/allocsim_stdio_XXXXXX";
static size_t g_lengths[4];

static void *writer(void *arg) {
  const long id = (long)arg;
  char path[128];
  size_t total = 0;
  for (int round = 0; round < 50; round++) {
    snprintf(path, sizeof path, "%s/f%ld", g_dir, id);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 200; i++) fprintf(f, "thread %ld round %d line %d\n", id, round, i);
    fclose(f);
    char *text = NULL;
    size_t length = 0;
    FILE *m = open_memstream(&text, &length);
    for (int i = 0; i < 300; i++) fprintf(m, "%d,", i * round);
    fclose(m);
    total += length;
    free(text);
  }
  unlink(path);
  g_lengths[id] = total;
  return NULL;
}

static void *forker(void *arg) {
  for (int i = 0; i < 20; i++) {
    const pid_t pid = fork();
    if (pid == 0) {
      char *p = malloc(1000);
      snprintf(p, 1000, "child %d", i);
      FILE *m = fopen("/dev/null", "w");
      fputs(p, m);
      fclose(m);
      free(p);
      _exit(0);
    }
    waitpid(pid, NULL, 0);
  }
  return arg;
}

int main(void) {
  if (!mkdtemp(g_dir)) return 2;
  pthread_t t[5];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, writer, (void *)i);
  pthread_create(&t[4], NULL, forker, NULL);
  for (int i = 0; i < 5; i++) pthread_join(t[i], NULL);
  rmdir(g_dir);
  for (int i = 0; i < 4; i++) printf("writer %d: %zu bytes\n", i, g_lengths[i]);
  return 0;
}

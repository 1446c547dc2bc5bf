// libc path: threads that allocate before the allocator's own constructor
// may have run. One of this program's own libraries (early_library.c)
// starts them from its constructor, so the first of them may be the one
// that builds the heap while the loader is still initialising libraries.
#include <stdio.h>

void early_join(unsigned long sums[4]);

int main(void) {
  unsigned long sums[4];
  early_join(sums);
  for (int i = 0; i < 4; i++) printf("early thread %d: %lu\n", i, sums[i]);
  return 0;
}

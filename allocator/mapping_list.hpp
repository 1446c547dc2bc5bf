#pragma once
// The heap's lists of its mappings (blocks, large mappings, cached large
// mappings) are doubly linked through the mapping's own header, so a
// mapping leaves its list in constant time. Callers hold the heap's
// blocks mutex.
namespace allocsim::allocator {

template <typename T>
void link_front(T*& head, T* node) {
  node->prev = nullptr;
  node->next = head;
  if (head) head->prev = node;
  head = node;
}

template <typename T>
void unlink(T*& head, T* node) {
  if (node->prev) node->prev->next = node->next;
  else head = node->next;
  if (node->next) node->next->prev = node->prev;
}

}  // namespace allocsim::allocator

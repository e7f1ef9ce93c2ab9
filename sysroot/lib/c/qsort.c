// qsort (introspective: median-of-three quicksort, insertion sort for small
// ranges, heapsort when recursion gets deep, so never quadratic) and
// bsearch.
#include <stdint.h>
#include <stdlib.h>

typedef int (*compare_fn)(const void*, const void*);

static void swap_bytes(char* a, char* b, size_t size) {
  while (size--) {
    char t = *a;
    *a++ = *b;
    *b++ = t;
  }
}

static void insertion_sort(char* base, size_t count, size_t size, compare_fn compare) {
  for (size_t i = 1; i < count; i++) {
    for (size_t j = i; j > 0 && compare(base + (j - 1) * size, base + j * size) > 0; j--) {
      swap_bytes(base + (j - 1) * size, base + j * size, size);
    }
  }
}

static void sift_down(char* base, size_t root, size_t count, size_t size, compare_fn compare) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= count) {
      return;
    }
    if (child + 1 < count && compare(base + child * size, base + (child + 1) * size) < 0) {
      child++;
    }
    if (compare(base + root * size, base + child * size) >= 0) {
      return;
    }
    swap_bytes(base + root * size, base + child * size, size);
    root = child;
  }
}

static void heap_sort(char* base, size_t count, size_t size, compare_fn compare) {
  for (size_t i = count / 2; i-- > 0;) {
    sift_down(base, i, count, size, compare);
  }
  for (size_t end = count; end-- > 1;) {
    swap_bytes(base, base + end * size, size);
    sift_down(base, 0, end, size, compare);
  }
}

static void intro_sort(char* base, size_t count, size_t size, compare_fn compare, int depth) {
  while (count > 12) {
    if (depth-- == 0) {
      heap_sort(base, count, size, compare);
      return;
    }
    // Median of three to the front, then Hoare partition around it.
    char* first = base;
    char* middle = base + (count / 2) * size;
    char* last = base + (count - 1) * size;
    if (compare(middle, first) < 0) {
      swap_bytes(middle, first, size);
    }
    if (compare(last, middle) < 0) {
      swap_bytes(last, middle, size);
      if (compare(middle, first) < 0) {
        swap_bytes(middle, first, size);
      }
    }
    swap_bytes(first, middle, size);  // pivot at base
    size_t i = 0;
    size_t j = count;
    for (;;) {
      do {
        i++;
      } while (i < count && compare(base + i * size, base) < 0);
      do {
        j--;
      } while (compare(base + j * size, base) > 0);
      if (i >= j) {
        break;
      }
      swap_bytes(base + i * size, base + j * size, size);
    }
    swap_bytes(base, base + j * size, size);
    // Recurse into the smaller side, loop on the larger.
    size_t left = j;
    size_t right = count - j - 1;
    if (left < right) {
      intro_sort(base, left, size, compare, depth);
      base += (j + 1) * size;
      count = right;
    } else {
      intro_sort(base + (j + 1) * size, right, size, compare, depth);
      count = left;
    }
  }
  insertion_sort(base, count, size, compare);
}

void qsort(void* base, size_t count, size_t size, int (*compare)(const void*, const void*)) {
  if (count < 2 || size == 0) {
    return;
  }
  int depth = 0;
  for (size_t n = count; n; n >>= 1) {
    depth += 2;
  }
  intro_sort(base, count, size, compare, depth);
}

void* bsearch(const void* key, const void* base, size_t count, size_t size,
              int (*compare)(const void*, const void*)) {
  const char* low = base;
  while (count) {
    const char* middle = low + (count / 2) * size;
    int c = compare(key, middle);
    if (c == 0) {
      return (void*)middle;
    }
    if (c > 0) {
      low = middle + size;
      count -= count / 2 + 1;
    } else {
      count /= 2;
    }
  }
  return NULL;
}

// lspci: the PCI functions the PCI server (drivers/pci) found, one a line:
// "bus:device.function class: vendor:device", with the driver that claimed
// it, the interrupt line and the BARs with -v.
//
//   lspci [-v]
#include <stdio.h>
#include <string.h>

#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

static void print_bars(const struct mica_pci_device* d) {
  if (d->owner != 0) printf("\tclaimed by pid %u\n", d->owner & 0xffffu);
  if (d->irq_pin != 0 && d->irq_line != 0xff) {
    printf("\tinterrupt: pin %c, line %u\n", 'A' + d->irq_pin - 1, d->irq_line);
  }
  for (int i = 0; i < 6; ++i) {
    const struct mica_pci_bar* b = &d->bars[i];
    if (b->size == 0) continue;
    if (b->flags & MICA_PCI_BAR_IO) {
      printf("\tregion %d: I/O ports at %#llx [size=%llu]\n", i, (unsigned long long)b->base,
             (unsigned long long)b->size);
    } else {
      printf("\tregion %d: memory at %#llx (%s%s) [size=%lluK]\n", i,
             (unsigned long long)b->base, (b->flags & MICA_PCI_BAR_64) ? "64-bit" : "32-bit",
             (b->flags & MICA_PCI_BAR_PREFETCHABLE) ? ", prefetchable" : "",
             (unsigned long long)(b->size / 1024));
    }
  }
}

int main(int argc, char** argv) {
  int verbose = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
    } else {
      fprintf(stderr, "lspci: unknown option %s\nusage: lspci [-v]\n", argv[i]);
      return 2;
    }
  }
  mica_handle_t pci;
  int r = mica_service_lookup(MICA_SERVICE_PCI, &pci);
  if (r != 0) {
    fprintf(stderr, "lspci: no PCI service: %s\n", strerror(-r));
    return 1;
  }
  static struct mica_pci_device devices[32];
  size_t first = 0;
  for (;;) {
    struct mica_message m = {0};
    m.label = MICA_PCI_LIST;
    m.words[0] = first;
    m.buffer = devices;
    m.buffer_size = sizeof(devices);
    r = mica_ipc_call_message(pci, &m);
    if (r == 0 && (intptr_t)m.words[0] < 0) r = (int)(intptr_t)m.words[0];
    if (r != 0) {
      fprintf(stderr, "lspci: %s\n", strerror(-r));
      return 1;
    }
    size_t total = m.words[0];
    size_t got = m.data_size / sizeof(devices[0]);
    for (size_t i = 0; i < got; ++i) {
      const struct mica_pci_device* d = &devices[i];
      printf("%02x:%02x.%u %02x%02x: %04x:%04x (rev %02x)\n", d->address >> 8,
             (d->address >> 3) & 31, d->address & 7, d->class_code, d->subclass, d->vendor,
             d->device, d->revision);
      if (verbose) print_bars(d);
    }
    first += got;
    if (got == 0 || first >= total) break;
  }
  return 0;
}

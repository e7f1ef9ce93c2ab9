#include "ata_identify.h"

namespace ata {

Identity parse_identify(const uint16_t words[256]) {
  Identity id = {};
  id.lba = (words[49] & (1u << 9)) != 0;
  // Word 83 is valid when bits 15:14 are 01.
  bool command_set_valid = (words[83] & 0xc000) == 0x4000;
  id.lba48 = command_set_valid && (words[83] & (1u << 10)) != 0;
  uint64_t lba28 = static_cast<uint64_t>(words[60]) | (static_cast<uint64_t>(words[61]) << 16);
  uint64_t lba48 = 0;
  for (int i = 3; i >= 0; --i) lba48 = (lba48 << 16) | words[100 + i];
  id.sectors = id.lba48 && lba48 != 0 ? lba48 : lba28;
  if (!id.lba) id.sectors = 0;
  for (int i = 0; i < 20; ++i) {
    id.model[2 * i] = static_cast<char>(words[27 + i] >> 8);
    id.model[2 * i + 1] = static_cast<char>(words[27 + i] & 0xff);
  }
  id.model[40] = 0;
  for (int i = 39; i >= 0 && (id.model[i] == ' ' || id.model[i] == 0); --i) id.model[i] = 0;
  return id;
}

}  // namespace ata

// The files of the built-in rule pack as the build embedded them
// (cmake/embed_pack.cmake writes the table).

#ifndef ADFLAG_EMBEDDED_PACK_H_
#define ADFLAG_EMBEDDED_PACK_H_

#include <cstddef>

namespace adflag {

// One embedded file: its path relative to rules/ and its bytes.
struct EmbeddedFile {
  const char* path;
  const unsigned char* data;
  std::size_t size;
};

// The embedded files in sorted path order, ended by an entry whose path
// is null.
extern const EmbeddedFile kEmbeddedPack[];

}  // namespace adflag

#endif  // ADFLAG_EMBEDDED_PACK_H_

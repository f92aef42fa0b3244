// Fuzzes the phone, email, URL and handle extractors: any bytes as a field
// value. Entities come in order of position, inside the text, none
// overlapping another, each with a canonical value of its kind; on valid
// UTF-8 their spans start and end on character boundaries.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "adflag/entities.h"
#include "fuzz_check.h"

namespace {

using adflag::Entity;
using adflag::EntityKind;
using adflag::fuzz::Check;

bool IsE164(std::string_view value) {
  if (value.size() < 3 || value.size() > 16 || value[0] != '+') return false;
  for (char c : value.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckEntity(const Entity& entity, std::string_view text) {
  Check(entity.span.start < entity.span.end, "an empty entity span");
  Check(entity.span.end <= text.size(), "an entity past the text");
  Check(!entity.value.empty(), "an entity without a value");
  if (entity.kind == EntityKind::kPhone) {
    Check(IsE164(entity.value), "a phone that is not E.164");
  }
  if (entity.kind == EntityKind::kEmail) {
    Check(entity.value.find('@') != std::string_view::npos,
          "an email without '@'");
  }
  if (adflag::fuzz::IsValidUtf8(text)) {
    Check(adflag::fuzz::IsCharBoundary(text, entity.span.start) &&
              adflag::fuzz::IsCharBoundary(text, entity.span.end),
          "an entity span cuts a character");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static adflag::EntityExtractor extractor(
      adflag::EntityOptions{.phone_region = "US"});

  std::vector<Entity> entities;
  extractor.Extract(text, &entities);
  size_t last_end = 0;
  for (const Entity& entity : entities) {
    CheckEntity(entity, text);
    Check(entity.span.start >= last_end, "entities overlap or go backwards");
    last_end = entity.span.end;
  }

  std::vector<Entity> again;
  extractor.Extract(text, &again);
  Check(again.size() == entities.size(), "a second read finds other entities");
  return 0;
}

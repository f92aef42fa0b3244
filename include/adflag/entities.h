// Entity extraction finds the contact points written in a listing's field
// values: phone numbers, email addresses, URLs and domains, and social media
// handles. Reviewers use them to tie listings that share a contact together,
// so each entity carries a canonical value (the same for every way of
// writing it) and the span of the text it was read from.
//
// Contacts in risky listings are often disguised, so the extractor also
// reads spelled-out digits in English and Spanish ("nine one five"), digits
// mixed with words ("915-5five5-0110"), spaced digits, emoji keycap and
// other Unicode digits, look-alike letters inside digit runs ("O" for 0)
// and emails written with "at" and "dot". Such entities are marked
// `obscured`. Phone numbers are checked and formatted by libphonenumber.
//
// Usage:
//   EntityExtractor extractor(EntityOptions{.phone_region = "US"});
//   std::vector<Entity> entities;
//   extractor.Extract("Call nine one five 555 0110", &entities);
//   // entities[0].value == "+19155550110", entities[0].obscured == true
//
// An EntityExtractor caches libphonenumber's answers and is not safe to
// share between threads: use one per thread.

#ifndef ADFLAG_ENTITIES_H_
#define ADFLAG_ENTITIES_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/normalizer.h"

namespace adflag {

enum class EntityKind { kPhone, kEmail, kUrl, kHandle };

// One contact point found in a field value.
struct Entity {
  EntityKind kind = EntityKind::kPhone;
  // The canonical form: E.164 for phones ("+19155550110"), the lower-case
  // address for emails, the lower-case host without "www." for URLs, and
  // "platform:handle" ("instagram:jolie.k") or "@handle" for handles.
  std::string value;
  // The bytes of the field value it was written in.
  ByteSpan span;
  // True when reading it needed more than plain formatting: spelled or
  // mixed digits, spaced single digits, emoji or other Unicode digits,
  // look-alike letters, or an email written with spaces, brackets, "at"
  // or "dot".
  bool obscured = false;
};

// How an EntityExtractor reads its input.
struct EntityOptions {
  // The region that phone numbers written without a country code belong
  // to, as a libphonenumber region code ("US", "MX", "GB").
  std::string phone_region = "US";
};

// The extractor's caches and scratch buffers, kept between calls.
class EntityWorkspace;

// Finds entities in field values. Holds caches: one per thread.
class EntityExtractor {
 public:
  // REQUIRES: IsKnownPhoneRegion(options.phone_region), or else only
  // numbers written with a country code ("+44 ...") are found.
  explicit EntityExtractor(EntityOptions options = {});
  ~EntityExtractor();
  // A moved-from extractor may only be destroyed or assigned to.
  EntityExtractor(EntityExtractor&&) noexcept;
  EntityExtractor& operator=(EntityExtractor&&) noexcept;

  // Appends the entities written in `text` to *out, in order of position,
  // none overlapping another. Text that holds no entity adds nothing; bytes
  // that are not valid UTF-8 are read as non-digits. Never throws for any
  // input.
  void Extract(std::string_view text, std::vector<Entity>* out);

 private:
  std::unique_ptr<EntityWorkspace> workspace_;
};

// Returns true when `region` is an upper-case region code libphonenumber
// has metadata for ("US", "MX", "GB"); false for anything else ("ZZ",
// "us", ""). For validating --phone-region.
bool IsKnownPhoneRegion(std::string_view region);

}  // namespace adflag

#endif  // ADFLAG_ENTITIES_H_

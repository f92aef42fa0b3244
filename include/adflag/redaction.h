// Redaction for sharing flags with partners: every phone number, email
// address and social media handle in an output record is replaced by a
// keyed hash of its canonical form, so that two organisations holding the
// same key see the same token for the same contact, and can link their
// records, without either seeing the contact itself.
//
// A token is the entity kind, "hmac", and the first 16 hex digits (64
// bits) of HMAC-SHA-256(key, canonical value), where the canonical value
// is the one an unredacted record lists under `entities`: E.164 for
// phones ("+15105550134"), the lower-case address for emails, and
// "platform:name" or "@name" for handles:
//
//   phone:hmac:3f0c6c1d2a9b8e47
//
// A URL keeps its scheme and host, which name a site rather than a
// person, but its path and query, which can hold a number or a handle
// ("wa.me/15105550134", "instagram.com/jolie.k"), become a token of
// kind "url": "https://wa.me/url:hmac:9d2f...". The `urls` of entities
// are hosts only and stay as they are. The HMAC is OpenSSL's (libcrypto).
//
// TODO: only what the entity extractor reads as a contact is replaced.
// A number it does not take for a phone (seven digits without an area
// code, "555-0134"; a foreign number written without its country code
// under another --phone-region), and listing ids and file names, are
// written as they are, so a partner can still see them.
//
// Usage:
//   std::string key;
//   if (!ReadRedactionKey(path, &key, &error)) ...;
//   Redactor redactor(key, entity_options);      // one per thread
//   redactor.RedactText("Call 510-555-0134", &out);
//   // out == "Call phone:hmac:...."

#ifndef ADFLAG_REDACTION_H_
#define ADFLAG_REDACTION_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/entities.h"

namespace adflag {

// The fewest bytes a redaction key may have.
constexpr size_t kMinRedactionKeyBytes = 16;

// Reads the key of --redact-key-file: the file's bytes, without one final
// "\n" or "\r\n". Returns false with a message naming the file in *error
// when it cannot be read, is empty or holds fewer than
// kMinRedactionKeyBytes bytes.
bool ReadRedactionKey(const std::string& path, std::string* key,
                      std::string* error);

// Returns the first `hex_digits` hex digits (at most 64) of
// HMAC-SHA-256(key, data), in lower case.
std::string HmacSha256Hex(std::string_view key, std::string_view data,
                          size_t hex_digits);

// Replaces contacts by tokens. Holds an EntityExtractor and the entities
// of the last value it read: one per thread.
class Redactor {
 public:
  // REQUIRES: `key` is not empty.
  Redactor(std::string key, EntityOptions options);

  // Returns the token of an entity of `kind` whose canonical form is
  // `value`: "phone:hmac:HEX16", "email:hmac:HEX16", "handle:hmac:HEX16".
  std::string Token(EntityKind kind, std::string_view value) const;

  // Appends `text` to *out with every phone, email and handle the entity
  // extractor finds in it replaced by its token, and the path and query
  // of every URL.
  void RedactText(std::string_view text, std::string* out);

  // Appends the bytes [start, end) of the field value `value`, with every
  // contact that overlaps them replaced by its token, whole: a span that
  // holds only part of a phone number ("five" of "five five five ...")
  // shows the token in place of that part. Contacts are read from the
  // whole value, as entities are.
  void RedactSpan(std::string_view value, size_t start, size_t end,
                  std::string* out);

  // Returns where the byte `offset` of the field value `value` lands in
  // the value redacted by RedactText: shifted by the tokens before it. An
  // offset inside a contact lands at the start of its token, or, with
  // `end_of_span`, at its end, so that a span mapped this way holds what
  // RedactSpan writes for it.
  size_t RedactedOffset(std::string_view value, size_t offset,
                        bool end_of_span);

  // Appends the JSON value `json` (a copied-through field, as the parser
  // minified it) with contacts in its strings, keys and numbers replaced
  // by tokens; a number that holds one becomes a string. A value without
  // contacts is appended unchanged.
  void RedactJson(std::string_view json, std::string* out);

  // Returns `entities` with the value of every phone, email and handle
  // replaced by its token.
  std::vector<Entity> RedactEntities(const std::vector<Entity>& entities) const;

  // Returns the token for the entity `source` that a link condition names
  // (E.164, an email, a handle); template clusters ("cluster:KEY") and
  // empty sources are returned as they are.
  std::string RedactLinkSource(std::string_view source) const;

  // Appends the `links` object `links_json` with the value of every phone,
  // email and handle replaced by its token. Listing ids and the template
  // cluster are kept.
  void RedactLinksJson(std::string_view links_json, std::string* out) const;

 private:
  // Sets *out to what replaces `entity`, read from `value`: its token,
  // or for a URL its scheme and host with a token for the rest. Returns
  // false, leaving *out, for a URL that is only a scheme and host.
  bool Replacement(std::string_view value, const Entity& entity,
                   std::string* out) const;

  // The entities of `value`, read once per distinct value in a row.
  const std::vector<Entity>& EntitiesOf(std::string_view value);

  std::string key_;
  EntityExtractor extractor_;
  std::string cached_value_;
  bool cached_ = false;
  std::vector<Entity> cached_entities_;
};

}  // namespace adflag

#endif  // ADFLAG_REDACTION_H_

#include "adflag/redaction.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace adflag {
namespace {

// The number of hex digits of a token's hash.
constexpr size_t kTokenHexDigits = 16;

const char* KindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kPhone:
      return "phone";
    case EntityKind::kEmail:
      return "email";
    case EntityKind::kUrl:
      return "url";
    case EntityKind::kHandle:
      return "handle";
  }
  return "entity";
}

// Returns the kind of an entity from its canonical form: E.164 starts
// with '+', an email has '@' after its first byte, anything else is a
// handle ("@name", "platform:name").
EntityKind KindOfValue(std::string_view value) {
  if (value.starts_with('+')) return EntityKind::kPhone;
  if (value.find('@', 1) != std::string_view::npos) return EntityKind::kEmail;
  return EntityKind::kHandle;
}

using Json = nlohmann::ordered_json;

// Replaces the contacts in the strings, keys and numbers of *json.
// Returns true when something was replaced.
bool RedactJsonValue(Redactor* redactor, Json* json) {
  std::string redacted;
  if (json->is_string() || json->is_number()) {
    const std::string text =
        json->is_string() ? json->get<std::string>() : json->dump();
    redactor->RedactText(text, &redacted);
    if (redacted == text) return false;
    *json = redacted;
    return true;
  }
  bool changed = false;
  if (json->is_array()) {
    for (Json& item : *json)
      changed = RedactJsonValue(redactor, &item) || changed;
    return changed;
  }
  if (!json->is_object()) return false;

  Json object = Json::object();
  for (auto& [key, value] : json->items()) {
    redacted.clear();
    redactor->RedactText(key, &redacted);
    changed = redacted != key || changed;
    Json item = value;
    changed = RedactJsonValue(redactor, &item) || changed;
    object[redacted] = std::move(item);
  }
  if (changed) *json = std::move(object);
  return changed;
}

}  // namespace

bool ReadRedactionKey(const std::string& path, std::string* key,
                      std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error =
        "--redact-key-file: cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = "--redact-key-file: cannot read " + path;
    return false;
  }

  if (bytes.ends_with('\n')) bytes.pop_back();
  if (bytes.ends_with('\r')) bytes.pop_back();
  if (bytes.empty()) {
    *error = "--redact-key-file: " + path + " is empty";
    return false;
  }
  if (bytes.size() < kMinRedactionKeyBytes) {
    *error = "--redact-key-file: " + path + " holds a key of " +
             std::to_string(bytes.size()) + " bytes; a key needs at least " +
             std::to_string(kMinRedactionKeyBytes) +
             " (make one with: openssl rand -hex 32)";
    return false;
  }
  *key = std::move(bytes);
  return true;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data,
                          size_t hex_digits) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
       &size);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size && hex.size() < hex_digits; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  hex.resize(std::min(hex.size(), hex_digits));
  return hex;
}

Redactor::Redactor(std::string key, EntityOptions options)
    : key_(std::move(key)), extractor_(std::move(options)) {}

std::string Redactor::Token(EntityKind kind, std::string_view value) const {
  return std::string(KindName(kind)) +
         ":hmac:" + HmacSha256Hex(key_, value, kTokenHexDigits);
}

const std::vector<Entity>& Redactor::EntitiesOf(std::string_view value) {
  if (!cached_ || cached_value_ != value) {
    cached_entities_.clear();
    extractor_.Extract(value, &cached_entities_);
    cached_value_.assign(value);
    cached_ = true;
  }
  return cached_entities_;
}

void Redactor::RedactText(std::string_view text, std::string* out) {
  RedactSpan(text, 0, text.size(), out);
}

bool Redactor::Replacement(std::string_view value, const Entity& entity,
                           std::string* out) const {
  if (entity.kind != EntityKind::kUrl) {
    *out = Token(entity.kind, entity.value);
    return true;
  }
  const std::string_view url =
      value.substr(entity.span.start, entity.span.end - entity.span.start);
  const size_t scheme = url.find("://");
  const size_t host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t host_end =
      std::min(url.find_first_of("/?#", host_start), url.size());
  const std::string_view rest = url.substr(host_end);
  if (rest.empty() || rest == "/") return false;
  *out = std::string(url.substr(0, host_end)) + "/" +
         Token(EntityKind::kUrl, rest);
  return true;
}

void Redactor::RedactSpan(std::string_view value, size_t start, size_t end,
                          std::string* out) {
  end = std::min(end, value.size());
  start = std::min(start, end);
  size_t pos = start;
  std::string replacement;
  for (const Entity& entity : EntitiesOf(value)) {
    if (entity.span.end <= start) continue;
    if (entity.span.start >= end) break;
    if (!Replacement(value, entity, &replacement)) continue;
    if (entity.span.start > pos) {
      out->append(value.substr(pos, entity.span.start - pos));
    }
    out->append(replacement);
    pos = std::max(pos, entity.span.end);
  }
  if (pos < end) out->append(value.substr(pos, end - pos));
}

size_t Redactor::RedactedOffset(std::string_view value, size_t offset,
                                bool end_of_span) {
  offset = std::min(offset, value.size());
  size_t shifted = offset;
  std::string replacement;
  for (const Entity& entity : EntitiesOf(value)) {
    if (entity.span.start >= offset) break;
    if (!Replacement(value, entity, &replacement)) continue;
    const size_t length = entity.span.end - entity.span.start;
    if (entity.span.end <= offset) {
      shifted = shifted + replacement.size() - length;
      continue;
    }
    // Inside the contact: at its replacement's start or end.
    shifted = shifted - (offset - entity.span.start);
    if (end_of_span) shifted += replacement.size();
    break;
  }
  return shifted;
}

void Redactor::RedactJson(std::string_view json, std::string* out) {
  Json value = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    // Not reached for the parser's output; kept valid JSON all the same.
    std::string text;
    RedactText(json, &text);
    out->append(Json(text).dump());
    return;
  }
  if (!RedactJsonValue(this, &value)) {
    out->append(json);
    return;
  }
  out->append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::vector<Entity> Redactor::RedactEntities(
    const std::vector<Entity>& entities) const {
  std::vector<Entity> redacted = entities;
  for (Entity& entity : redacted) {
    if (entity.kind != EntityKind::kUrl) {
      entity.value = Token(entity.kind, entity.value);
    }
  }
  return redacted;
}

std::string Redactor::RedactLinkSource(std::string_view source) const {
  if (source.empty() || source.starts_with("cluster:")) {
    return std::string(source);
  }
  return Token(KindOfValue(source), source);
}

void Redactor::RedactLinksJson(std::string_view links_json,
                               std::string* out) const {
  Json links = Json::parse(links_json, nullptr, /*allow_exceptions=*/false);
  if (!links.is_object()) {
    // Not reached for the link index's output; never copied unredacted.
    out->append("null");
    return;
  }
  const std::pair<const char*, EntityKind> kinds[] = {
      {"phones", EntityKind::kPhone},
      {"emails", EntityKind::kEmail},
      {"handles", EntityKind::kHandle}};
  for (const auto& [name, kind] : kinds) {
    if (!links.contains(name)) continue;
    for (Json& item : links[name]) {
      if (item.contains("value") && item["value"].is_string()) {
        item["value"] = Token(kind, item["value"].get<std::string>());
      }
    }
  }
  out->append(links.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace adflag

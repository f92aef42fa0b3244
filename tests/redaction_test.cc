// Tests of redaction: the HMAC against RFC 4231, the key file, and the
// tokens that replace contacts in text, spans, JSON and links.

#include "adflag/redaction.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace adflag {
namespace {

namespace fs = std::filesystem;

constexpr char kKey[] = "0123456789abcdef";

std::string Redacted(Redactor& redactor, std::string_view text) {
  std::string out;
  redactor.RedactText(text, &out);
  return out;
}

TEST_CASE("HMAC-SHA-256 gives the digests of RFC 4231") {
  // Test case 1: a key of twenty 0x0b bytes.
  CHECK(HmacSha256Hex(std::string(20, '\x0b'), "Hi There", 64) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the block.
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?", 64) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, hashed first.
  CHECK(HmacSha256Hex(std::string(131, '\xaa'),
                      "Test Using Larger Than Block-Size Key - Hash Key First",
                      64) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?", 16) ==
        "5bdcc146bf60754e");
}

TEST_CASE("contacts in text become tokens of their canonical values") {
  Redactor redactor(kKey, EntityOptions{});
  const std::string phone = redactor.Token(EntityKind::kPhone, "+15105550134");
  CHECK(phone == "phone:hmac:" + HmacSha256Hex(kKey, "+15105550134", 16));
  CHECK(Redacted(redactor, "Call (510) 555-0134 or 510 five five five 0134") ==
        "Call " + phone + " or " + phone);
  CHECK(Redacted(redactor, "Mail Kiki@Example.invalid, DM @kiki_k") ==
        "Mail " + redactor.Token(EntityKind::kEmail, "kiki@example.invalid") +
            ", DM " + redactor.Token(EntityKind::kHandle, "@kiki_k"));
  CHECK(Redacted(redactor, "no contact here") == "no contact here");
}

TEST_CASE("a URL keeps its host; its path and query become a token") {
  Redactor redactor(kKey, EntityOptions{});
  CHECK(Redacted(redactor, "see https://wa.me/15105550134 now") ==
        "see https://wa.me/" +
            redactor.Token(EntityKind::kUrl, "/15105550134") + " now");
  CHECK(Redacted(redactor, "at https://example.invalid/ today") ==
        "at https://example.invalid/ today");
}

TEST_CASE("a span over part of a contact shows the whole token") {
  Redactor redactor(kKey, EntityOptions{});
  const std::string value = "call 510 five five five 0134 now";
  const std::string phone = redactor.Token(EntityKind::kPhone, "+15105550134");
  std::string out;
  redactor.RedactSpan(value, 9, 13, &out);  // "five"
  CHECK(out == phone);
  out.clear();
  redactor.RedactSpan(value, 0, 4, &out);  // "call"
  CHECK(out == "call");

  // Offsets into the redacted value: the span of "five" maps onto the
  // token, "now" moves by the token's length less the phone's (23).
  CHECK(redactor.RedactedOffset(value, 9, false) == 5);
  CHECK(redactor.RedactedOffset(value, 13, true) == 5 + phone.size());
  CHECK(redactor.RedactedOffset(value, 29, false) == 29 + phone.size() - 23);
  CHECK(redactor.RedactedOffset(value, 2, false) == 2);
}

TEST_CASE("contacts in JSON keys, strings and numbers are replaced") {
  Redactor redactor(kKey, EntityOptions{});
  const std::string phone = redactor.Token(EntityKind::kPhone, "+15105550134");
  std::string out;
  redactor.RedactJson(R"({"5105550134":[5105550134,"x"],"n":3})", &out);
  CHECK(out == "{\"" + phone + "\":[\"" + phone + "\",\"x\"],\"n\":3}");
  out.clear();
  redactor.RedactJson(R"({"a":1.5,"b":"plain"})", &out);
  CHECK(out == R"({"a":1.5,"b":"plain"})");
}

TEST_CASE("link sources and link objects carry tokens, not contacts") {
  Redactor redactor(kKey, EntityOptions{});
  CHECK(redactor.RedactLinkSource("+15105550134") ==
        redactor.Token(EntityKind::kPhone, "+15105550134"));
  CHECK(redactor.RedactLinkSource("kiki@example.invalid") ==
        redactor.Token(EntityKind::kEmail, "kiki@example.invalid"));
  CHECK(redactor.RedactLinkSource("instagram:kiki") ==
        redactor.Token(EntityKind::kHandle, "instagram:kiki"));
  CHECK(redactor.RedactLinkSource("cluster:0a1b") == "cluster:0a1b");
  std::string out;
  redactor.RedactLinksJson(
      R"({"phones":[{"value":"+15105550134","ids":["L1"]}],"emails":[],)"
      R"("handles":[],"cluster":null})",
      &out);
  CHECK(out == "{\"phones\":[{\"value\":\"" +
                   redactor.Token(EntityKind::kPhone, "+15105550134") +
                   "\",\"ids\":[\"L1\"]}],\"emails\":[],\"handles\":[],"
                   "\"cluster\":null}");
}

TEST_CASE("a key file gives its bytes without the final newline") {
  const fs::path dir = fs::temp_directory_path() / "adflag_redaction_test";
  fs::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  std::string key;
  std::string error;
  CHECK(ReadRedactionKey(write("good", "0123456789abcdef\r\n"), &key, &error));
  CHECK(key == "0123456789abcdef");

  const std::string short_key = write("short", "0123456789abcde\n");
  CHECK_FALSE(ReadRedactionKey(short_key, &key, &error));
  CHECK(error == "--redact-key-file: " + short_key +
                     " holds a key of 15 bytes; a key needs at least 16 "
                     "(make one with: openssl rand -hex 32)");
  const std::string empty = write("empty", "");
  CHECK_FALSE(ReadRedactionKey(empty, &key, &error));
  CHECK(error == "--redact-key-file: " + empty + " is empty");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace adflag

// Tests of baselines: what a fingerprint covers, and how the records of
// an earlier output give each listing its status.

#include "adflag/baseline.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adflag/redaction.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

// A pack of two rules, enough to name the rules a verdict fired.
RulePack TwoRules() {
  RulePack pack;
  pack.rules.resize(2);
  pack.rules[0].id = "youth";
  pack.rules[1].id = "trial";
  return pack;
}

Listing Parse(const std::string& json) {
  ListingFields fields;
  fields.text_fields = {"title", "body"};
  ListingParser parser(fields);
  Listing listing;
  RejectReason reason;
  REQUIRE(parser.Parse(json, &listing, &reason));
  return listing;
}

// A verdict that counted the rule `counted` and, when `shadow` is 0 or
// more, ran that one in the shadow.
Verdict Fired(int counted, int shadow = -1) {
  Verdict verdict;
  verdict.counted.push_back(RuleMatch{counted, {}});
  if (shadow >= 0) verdict.shadow.push_back(RuleMatch{shadow, {}});
  return verdict;
}

std::string Sha256Hex32(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < 16; ++i) {
    hex += "0123456789abcdef"[digest[i] >> 4];
    hex += "0123456789abcdef"[digest[i] & 0xF];
  }
  return hex;
}

TEST_CASE("a fingerprint covers the folded text and the fired rules") {
  const RulePack pack = TwoRules();
  Fingerprinter fingerprinter;
  const std::string fingerprint = fingerprinter.Compute(
      pack, Parse(R"({"id":"A","title":"Young  One","body":" n3w\tin town"})"),
      {0, 1}, Fired(0, 1));
  CHECK(fingerprint ==
        "sha256:" + Sha256Hex32("adflag fingerprint 1\n"
                                "young one new in town\ntrial,youth"));

  // The id and other fields are not part of it; case and spacing are not.
  CHECK(fingerprinter.Compute(
            pack,
            Parse(R"({"id":"B","title":"YOUNG one","body":"n3w in town",)"
                  R"("city":"Fresno"})"),
            {0, 1}, Fired(0, 1)) == fingerprint);
  // The rules are.
  CHECK(fingerprinter.Compute(
            pack, Parse(R"({"title":"Young One","body":"n3w in town"})"),
            {0, 1}, Fired(0)) != fingerprint);
}

TEST_CASE("a keyed fingerprint is the HMAC under the redaction key") {
  const RulePack pack = TwoRules();
  Fingerprinter keyed("0123456789abcdef");
  CHECK(keyed.Compute(pack, Parse(R"({"title":"young"})"), {0, 1}, Fired(0)) ==
        "hmac:" + HmacSha256Hex("0123456789abcdef",
                                "adflag fingerprint 1\nyoung\nyouth", 32));
}

TEST_CASE("a baseline gives seen, changed and new; place ids name nothing") {
  const fs::path path = fs::temp_directory_path() / "adflag_baseline.jsonl";
  const std::string a(32, 'a');
  const std::string b(32, 'b');
  const std::string c(32, 'c');
  std::ofstream(path, std::ios::binary)
      << "{\"id\":\"L1\",\"source\":\"n.jsonl\",\"line\":1,\"fingerprint\":"
         "\"sha256:" +
             a + "\"}\n\n"
      << "{\"id\":\"n.jsonl:3\",\"source\":\"n.jsonl\",\"line\":3,"
         "\"fingerprint\":\"sha256:" +
             b + "\"}\n"
      << "{\"id\":\"L5\",\"source\":\"n.jsonl\",\"line\":5,"
         "\"flagged\":false,\"fingerprint\":\"sha256:" +
             c + "\"}\n";
  Baseline baseline;
  std::string error;
  REQUIRE(Baseline::Load(path.string(), 1 << 20, false, &baseline, &error));
  CHECK(baseline.records() == 3);

  CHECK(baseline.StatusOf("L1", "sha256:" + a) == BaselineStatus::kSeen);
  CHECK(baseline.StatusOf("L9", "sha256:" + b) == BaselineStatus::kSeen);
  CHECK(baseline.StatusOf("L1", "sha256:" + c) == BaselineStatus::kChanged);
  CHECK(baseline.StatusOf("n.jsonl:3", "sha256:" + c) == BaselineStatus::kNew);
  CHECK(baseline.StatusOf("", "sha256:" + c) == BaselineStatus::kNew);
  // L5 was written by --all but not flagged: never reviewed, so new.
  CHECK(baseline.StatusOf("L5", "sha256:" + c) == BaselineStatus::kNew);

  // A plain baseline cannot serve a redacted run.
  Baseline other;
  CHECK_FALSE(Baseline::Load(path.string(), 1 << 20, true, &other, &error));
  CHECK(error == path.string() +
                     ":1: the baseline was written without --redact; a "
                     "redacted run can only compare with a redacted "
                     "baseline");
  fs::remove(path);
}

}  // namespace
}  // namespace adflag

// Tests of PackScanner: one pack scoring listings line by line, with the
// fields the pack reads and the pack's own threshold.

#include "adflag/pack_scanner.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {
namespace {

// A pack whose two rules read different fields: `body` by default and
// `phone` by name, so the scanner must extract both.
const char kPack[] =
    "pack:\n"
    "  threshold: 0.40\n"
    "  levels: {medium: 0.60, high: 0.85}\n"
    "  text_fields: [body]\n"
    "rules:\n"
    "  - id: youth\n"
    "    title: Youth\n"
    "    category: youth\n"
    "    weight: 0.35\n"
    "    any: ['\\byoung\\b']\n"
    "  - id: phone_words\n"
    "    title: Phone in words\n"
    "    category: contact\n"
    "    weight: 0.30\n"
    "    fields: [phone]\n"
    "    any: ['\\bfive\\b']\n"
    "  - id: movement\n"
    "    title: Movement\n"
    "    category: movement\n"
    "    weight: 0.10\n"
    "    status: experimental\n"
    "    any: ['\\bnew\\s+in\\s+town\\b']\n";

std::unique_ptr<PackScanner> MakeScanner(const std::string& id_field) {
  RulePack pack;
  std::vector<Diagnostic> problems;
  REQUIRE(ParseRulePack({{"p.yaml", kPack}}, &pack, &problems));
  ListingFields fields;
  fields.id_field = id_field;
  fields.text_fields = {"ignored"};
  auto scanner = PackScanner::Create(std::move(pack), fields, &problems);
  REQUIRE(scanner != nullptr);
  return scanner;
}

TEST_CASE("a listing below the threshold is scored but not flagged") {
  auto scanner = MakeScanner("/id");
  RejectReason reason;
  REQUIRE(scanner->Scan(R"({"id":"a","body":"young"})", &reason));
  CHECK(scanner->listing().id == "a");
  CHECK(scanner->verdict().score == 0.35);
  CHECK(scanner->verdict().level == Level::kLow);
  CHECK_FALSE(scanner->flagged());
}

TEST_CASE("rules on named fields see those fields") {
  auto scanner = MakeScanner("/id");
  RejectReason reason;
  REQUIRE(scanner->Scan(R"({"body":"young","phone":"five 0101"})", &reason));
  CHECK_FALSE(scanner->listing().has_id);
  CHECK(scanner->verdict().counted.size() == 2);
  CHECK(scanner->verdict().score == 0.545);
  CHECK(scanner->flagged());
}

TEST_CASE("shadow rules alone never flag a listing") {
  auto scanner = MakeScanner("/ref");
  RejectReason reason;
  REQUIRE(scanner->Scan(R"({"ref":7,"body":"new in town"})", &reason));
  CHECK(scanner->listing().id == "7");
  CHECK(scanner->verdict().counted.empty());
  CHECK(scanner->verdict().shadow.size() == 1);
  CHECK(scanner->verdict().level == Level::kNone);
  CHECK_FALSE(scanner->flagged());
}

TEST_CASE("a line that is not a JSON object is rejected with a reason") {
  auto scanner = MakeScanner("/id");
  RejectReason reason;
  CHECK_FALSE(scanner->Scan("[1, 2]", &reason));
  CHECK(reason.message == "not a JSON object (found an array)");
  CHECK(reason.column == 1);
}

TEST_CASE("IsFlagged needs a counted rule and the threshold") {
  Verdict verdict;
  verdict.score = 0.5;
  CHECK_FALSE(IsFlagged(verdict, 0.4));
  verdict.counted.push_back({0, {}});
  CHECK(IsFlagged(verdict, 0.4));
  CHECK(IsFlagged(verdict, 0.5));
  CHECK_FALSE(IsFlagged(verdict, 0.51));
}

}  // namespace
}  // namespace adflag

// Tests of linking: the aggregates of LinkIndex per entity and cluster, the
// exact merge of shard indexes, the summary file and its errors, the JSON
// of an output record, link rules applied to matches, the `links` of rules
// and examples as parsed, and examples run with their linked context.

#include "adflag/links.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/entities.h"
#include "adflag/examples.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/templates.h"

namespace adflag {
namespace {

using Ids = std::vector<std::string>;

// Returns a phone entity with canonical value `value`.
Entity Phone(const std::string& value, bool obscured = false) {
  Entity entity;
  entity.kind = EntityKind::kPhone;
  entity.value = value;
  entity.obscured = obscured;
  return entity;
}

// Returns an entity of `kind` with canonical value `value`.
Entity Of(EntityKind kind, const std::string& value) {
  Entity entity;
  entity.kind = kind;
  entity.value = value;
  return entity;
}

// Returns where and when listing `id` was posted.
Posting Post(const std::string& id, const std::string& city = "",
             const std::string& region = "", const std::string& time = "") {
  return Posting{id, city, region, time};
}

// Returns the facts `index` gives a listing with `entities` and no template.
LinkFacts Facts(const LinkIndex& index, const std::vector<Entity>& entities,
                const TemplateSignature& signature = TemplateSignature()) {
  LinkFacts facts;
  index.FactsFor(entities, signature, &facts);
  return facts;
}

// Returns the value of `measure` in `facts`.
int64_t Value(const LinkFacts& facts, LinkMeasure measure) {
  return facts.values[static_cast<int>(measure)];
}

// Returns the source of `measure` in `facts`.
std::string Source(const LinkFacts& facts, LinkMeasure measure) {
  return facts.sources[static_cast<int>(measure)];
}

// Returns the summary `index` writes.
std::string Written(const LinkIndex& index) {
  std::string out;
  index.Write(&out);
  return out;
}

// Returns copy `copy` of a 40-word template text: one word differs from the
// base text in each copy. Copies with a negative number are the base text.
std::string TemplateText(int copy) {
  std::string text;
  for (int w = 0; w < 40; ++w) {
    if (!text.empty()) text.push_back(' ');
    text += copy >= 0 && w == (copy * 7) % 40 ? "slot" + std::to_string(copy)
                                              : "word" + std::to_string(w);
  }
  return text;
}

// Returns a 40-word text that shares no word with any template copy.
std::string OtherText(int seed) {
  std::string text;
  for (int w = 0; w < 40; ++w) {
    if (!text.empty()) text.push_back(' ');
    text += "other" + std::to_string(seed) + "x" + std::to_string(w);
  }
  return text;
}

// One listing as LinkIndex::Add takes it.
struct TestListing {
  Posting posting;
  std::vector<Entity> entities;
  TemplateSignature signature;
};

// Returns twelve listings: six copies of one template under four phones,
// two unrelated texts, short texts, emails, handles and a URL.
std::vector<TestListing> SampleListings() {
  const char* const kCities[] = {"Austin", "Dallas", "El Paso", "Houston"};
  const char* const kRegions[] = {"TX", "TX", "TX", "NM"};
  std::vector<TestListing> listings;
  for (int i = 0; i < 12; ++i) {
    TestListing listing;
    const std::string id = "id" + std::to_string(10 + i);
    const std::string time =
        "2026-03-" + std::to_string(10 + (i * 5) % 12) + "T08:00:00Z";
    listing.posting = Post(id, kCities[i % 4], kRegions[i % 4], time);
    listing.entities.push_back(Phone("+1915555010" + std::to_string(i % 4)));
    if (i % 3 == 0) {
      listing.entities.push_back(Of(EntityKind::kEmail, "ana@example.invalid"));
    }
    if (i % 5 == 0) listing.entities.push_back(Of(EntityKind::kHandle, "@ana"));
    if (i == 7) listing.entities.push_back(Of(EntityKind::kUrl, "x.invalid"));
    if (i < 6) {
      listing.signature = ComputeSignature(TemplateText(i));
    } else if (i < 8) {
      listing.signature = ComputeSignature(OtherText(i));
    }
    listings.push_back(std::move(listing));
  }
  return listings;
}

// Returns an index fed the listings of `listings` at `positions`.
LinkIndex IndexOf(const std::vector<TestListing>& listings,
                  const std::vector<int>& positions) {
  LinkIndex index;
  for (int i : positions) {
    index.Add(listings[i].posting, listings[i].entities, listings[i].signature);
  }
  return index;
}

// Parses `yaml` as the single file "t.yaml" of a pack that must load.
RulePack ParsePack(const std::string& yaml) {
  RulePack pack;
  std::vector<Diagnostic> problems;
  const bool loaded = ParseRulePack({{"t.yaml", yaml}}, &pack, &problems);
  for (const Diagnostic& problem : problems) {
    UNSCOPED_INFO(FormatDiagnostic(problem));
  }
  REQUIRE(loaded);
  CHECK(problems.empty());
  return pack;
}

// Returns where `pos` points, as "FILE:LINE:COL".
std::string Place(const SourcePos& pos) {
  const std::string line = FormatDiagnostic({pos, Severity::kNote, "x"});
  return line.substr(0, line.size() - std::string(": note: x").size());
}

// ---------------------------------------------------------------------------
// Add and FactsFor.

TEST_CASE("a phone's listings, cities and regions are counted") {
  LinkIndex index;
  const TemplateSignature none;
  index.Add(Post("a", "Austin", "TX"), {Phone("+19155550110")}, none);
  index.Add(Post("b", "Dallas", "TX"), {Phone("+19155550110")}, none);
  index.Add(Post("c", "Austin", "TX"), {Phone("+19155550110")}, none);
  index.Add(Post("d", "Santa Fe", "NM"), {Phone("+19155550110")}, none);
  index.Add(Post("e", "Santa Fe", "NM"), {Phone("+19155550111")}, none);

  CHECK(index.listing_count() == 5);
  CHECK(index.entity_count() == 2);
  const LinkFacts facts = Facts(index, {Phone("+19155550110")});
  CHECK(Value(facts, LinkMeasure::kPhoneListings) == 4);
  CHECK(Value(facts, LinkMeasure::kPhoneCities) == 3);
  CHECK(Value(facts, LinkMeasure::kPhoneRegions) == 2);
  CHECK(Value(facts, LinkMeasure::kEmailListings) == 0);
  CHECK(Value(facts, LinkMeasure::kClusterSize) == 0);
  CHECK(Value(facts, LinkMeasure::kObscuredPhones) == 0);
  CHECK(Source(facts, LinkMeasure::kPhoneCities) == "+19155550110");
  CHECK(Source(facts, LinkMeasure::kEmailListings).empty());

  const LinkFacts other = Facts(index, {Phone("+19155550111")});
  CHECK(Value(other, LinkMeasure::kPhoneListings) == 1);
  CHECK(Value(other, LinkMeasure::kPhoneCities) == 1);
  CHECK(Value(other, LinkMeasure::kPhoneRegions) == 1);
}

TEST_CASE("the same phone twice in one listing counts once") {
  LinkIndex index;
  index.Add(Post("a", "Austin", "TX"),
            {Phone("+19155550110"), Phone("+19155550110", true)},
            TemplateSignature());
  index.Add(Post("b", "Dallas", "TX"), {Phone("+19155550110")},
            TemplateSignature());
  CHECK(index.entity_count() == 1);
  const LinkFacts facts = Facts(index, {Phone("+19155550110")});
  CHECK(Value(facts, LinkMeasure::kPhoneListings) == 2);
  CHECK(Value(facts, LinkMeasure::kPhoneCities) == 2);
}

TEST_CASE("emails and handles are counted by listing") {
  LinkIndex index;
  const Entity email = Of(EntityKind::kEmail, "ana@example.invalid");
  const Entity handle = Of(EntityKind::kHandle, "instagram:ana.k");
  index.Add(Post("a"), {email, handle, email}, TemplateSignature());
  index.Add(Post("b"), {email}, TemplateSignature());
  index.Add(Post("c"), {email}, TemplateSignature());
  index.Add(Post("d"), {handle}, TemplateSignature());
  CHECK(index.entity_count() == 2);

  const LinkFacts facts = Facts(index, {email, handle});
  CHECK(Value(facts, LinkMeasure::kEmailListings) == 3);
  CHECK(Value(facts, LinkMeasure::kHandleListings) == 2);
  CHECK(Value(facts, LinkMeasure::kPhoneListings) == 0);
  CHECK(Source(facts, LinkMeasure::kEmailListings) == "ana@example.invalid");
  CHECK(Source(facts, LinkMeasure::kHandleListings) == "instagram:ana.k");
}

TEST_CASE("URLs are not linked") {
  const Entity url = Of(EntityKind::kUrl, "site.example.invalid");
  CHECK(EntityKey(url).empty());
  CHECK(EntityKey(Phone("+19155550110")) == "phone:+19155550110");
  CHECK(EntityKey(Of(EntityKind::kEmail, "a@example.invalid")) ==
        "email:a@example.invalid");
  CHECK(EntityKey(Of(EntityKind::kHandle, "@ana")) == "handle:@ana");

  LinkIndex index;
  index.Add(Post("a", "Austin"), {url}, TemplateSignature());
  index.Add(Post("b", "Dallas"), {url}, TemplateSignature());
  CHECK(index.listing_count() == 2);
  CHECK(index.entity_count() == 0);
  const LinkFacts facts = Facts(index, {url});
  for (int m = 0; m < kLinkMeasureCount; ++m) {
    CHECK(facts.values[m] == 0);
    CHECK(facts.sources[m].empty());
  }
}

TEST_CASE("obscured phones are counted once each") {
  const LinkIndex index;
  const LinkFacts facts =
      Facts(index, {Phone("+19155550110", true), Phone("+19155550111"),
                    Phone("+19155550110", true), Phone("+19155550112", true)});
  CHECK(Value(facts, LinkMeasure::kObscuredPhones) == 2);
  CHECK(Source(facts, LinkMeasure::kObscuredPhones) == "+19155550112");
}

TEST_CASE("an entity the index lacks counts as seen once") {
  LinkIndex index;
  index.Add(Post("a", "Austin", "TX"), {Phone("+19155550110")},
            TemplateSignature());
  const LinkFacts facts =
      Facts(index, {Phone("+19155550119"),
                    Of(EntityKind::kEmail, "nobody@example.invalid"),
                    Of(EntityKind::kHandle, "@nobody")});
  CHECK(Value(facts, LinkMeasure::kPhoneListings) == 1);
  CHECK(Value(facts, LinkMeasure::kPhoneCities) == 0);
  CHECK(Value(facts, LinkMeasure::kPhoneRegions) == 0);
  CHECK(Value(facts, LinkMeasure::kEmailListings) == 1);
  CHECK(Value(facts, LinkMeasure::kHandleListings) == 1);
  CHECK(Source(facts, LinkMeasure::kPhoneListings) == "+19155550119");
  CHECK(Source(facts, LinkMeasure::kPhoneCities).empty());
}

TEST_CASE("facts name the entity that gave the highest value") {
  LinkIndex index;
  const TemplateSignature none;
  index.Add(Post("a", "Austin"), {Phone("+19155550110")}, none);
  index.Add(Post("b", "Dallas"), {Phone("+19155550110")}, none);
  index.Add(Post("c", "Austin"), {Phone("+19155550111")}, none);
  index.Add(Post("d", "Austin"), {Phone("+19155550111")}, none);
  index.Add(Post("e", "Austin"), {Phone("+19155550111")}, none);

  const LinkFacts facts =
      Facts(index, {Phone("+19155550110"), Phone("+19155550111")});
  CHECK(Value(facts, LinkMeasure::kPhoneListings) == 3);
  CHECK(Source(facts, LinkMeasure::kPhoneListings) == "+19155550111");
  CHECK(Value(facts, LinkMeasure::kPhoneCities) == 2);
  CHECK(Source(facts, LinkMeasure::kPhoneCities) == "+19155550110");
  CHECK(Value(facts, LinkMeasure::kPhoneRegions) == 0);
}

TEST_CASE("a template cluster gives its size and phones") {
  const std::vector<TestListing> listings = SampleListings();
  const LinkIndex index = IndexOf(listings, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  const LinkFacts facts =
      Facts(index, listings[0].entities, listings[0].signature);
  CHECK(Value(facts, LinkMeasure::kClusterSize) == 6);
  CHECK(Value(facts, LinkMeasure::kClusterPhones) == 4);
  CHECK(Source(facts, LinkMeasure::kClusterSize).rfind("cluster:", 0) == 0);
  CHECK(Source(facts, LinkMeasure::kClusterSize).size() == 8 + 16);

  const LinkFacts alone =
      Facts(index, listings[6].entities, listings[6].signature);
  CHECK(Value(alone, LinkMeasure::kClusterSize) == 1);
  CHECK(Value(alone, LinkMeasure::kClusterPhones) == 1);
  const LinkFacts short_text = Facts(index, listings[8].entities);
  CHECK(Value(short_text, LinkMeasure::kClusterSize) == 0);
}

// ---------------------------------------------------------------------------
// Sample ids and posting times.

TEST_CASE(
    "an entity keeps its five smallest ids and its first and last "
    "time") {
  LinkIndex index;
  const Entity phone = Phone("+19155550110");
  const TemplateSignature none;
  // Byte order: "B" < "a10" < "a2" < "a3" < "b" < "c".
  for (const char* id : {"c", "a3", "b", "a10", "B", "a2"}) {
    index.Add(Post(id, "", "", "2026-03-10T08:00:00Z"), {phone}, none);
  }
  index.Add(Post("d", "Austin", "", "2026-03-09T23:59:59Z"), {phone}, none);
  index.Add(Post("e", "", "TX", "2026-03-11T00:00:00Z"), {phone}, none);
  index.Add(Post("f", "", "", ""), {phone}, none);

  std::string json;
  index.AppendLinksJson({phone}, none, &json);
  CHECK(json ==
        R"({"phones":[{"value":"+19155550110","listings":9,"cities":1,)"
        R"("regions":1,"first":"2026-03-09T23:59:59Z",)"
        R"("last":"2026-03-11T00:00:00Z","ids":["B","a10","a2","a3","b"]}],)"
        R"("emails":[],"handles":[],"cluster":null})");
}

TEST_CASE("an entity never posted with a time has empty first and last") {
  LinkIndex index;
  index.Add(Post("a"), {Phone("+19155550110")}, TemplateSignature());
  std::string json;
  index.AppendLinksJson({Phone("+19155550110")}, TemplateSignature(), &json);
  CHECK(json == R"({"phones":[{"value":"+19155550110","listings":1,"cities":0,)"
                R"("regions":0,"first":"","last":"","ids":["a"]}],)"
                R"("emails":[],"handles":[],"cluster":null})");
}

// ---------------------------------------------------------------------------
// Merge.

TEST_CASE("merging shard indexes gives what one index fed everything gives") {
  const std::vector<TestListing> listings = SampleListings();
  const std::vector<int> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const std::string whole = Written(IndexOf(listings, all));

  SECTION("two shards, merged both ways") {
    const LinkIndex odd = IndexOf(listings, {11, 9, 7, 5, 3, 1});
    const LinkIndex even = IndexOf(listings, {0, 2, 4, 6, 8, 10});
    LinkIndex a;
    a.Merge(odd);
    a.Merge(even);
    CHECK(Written(a) == whole);
    LinkIndex b = even;
    b.Merge(odd);
    CHECK(Written(b) == whole);
    CHECK(b.listing_count() == 12);
  }
  SECTION("three uneven shards in every order") {
    const LinkIndex shards[] = {IndexOf(listings, {5}),
                                IndexOf(listings, {0, 6, 11, 2}),
                                IndexOf(listings, {10, 9, 8, 7, 4, 3, 1})};
    const int orders[][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                             {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (const auto& order : orders) {
      LinkIndex merged;
      for (int s : order) merged.Merge(shards[s]);
      CHECK(Written(merged) == whole);
    }
  }
  SECTION("merged facts equal the whole run's") {
    LinkIndex merged = IndexOf(listings, {1, 3, 5, 7, 9, 11});
    merged.Merge(IndexOf(listings, {0, 2, 4, 6, 8, 10}));
    const LinkIndex single = IndexOf(listings, all);
    for (const TestListing& listing : listings) {
      const LinkFacts a = Facts(merged, listing.entities, listing.signature);
      const LinkFacts b = Facts(single, listing.entities, listing.signature);
      CHECK(a.values == b.values);
      CHECK(a.sources == b.sources);
    }
  }
}

TEST_CASE("merged shards keep the five smallest ids and the widest times") {
  const Entity phone = Phone("+19155550110");
  const TemplateSignature none;
  LinkIndex a;
  LinkIndex b;
  for (const char* id : {"n7", "n1", "n9", "n3"}) {
    a.Add(Post(id, "Austin", "TX", "2026-03-12T00:00:00Z"), {phone}, none);
  }
  for (const char* id : {"n8", "n2", "n6", "n0", "n5"}) {
    b.Add(Post(id, "", "", ""), {phone}, none);
  }
  b.Add(Post("n4", "Tulsa", "OK", "2026-03-01T00:00:00Z"), {phone}, none);
  a.Merge(b);
  std::string json;
  a.AppendLinksJson({phone}, none, &json);
  CHECK(json ==
        R"({"phones":[{"value":"+19155550110","listings":10,"cities":2,)"
        R"("regions":2,"first":"2026-03-01T00:00:00Z",)"
        R"("last":"2026-03-12T00:00:00Z","ids":["n0","n1","n2","n3","n4"]}],)"
        R"("emails":[],"handles":[],"cluster":null})");
}

// ---------------------------------------------------------------------------
// The summary file.

// The summary of one listing with one phone and no template cluster.
constexpr const char* kOneEntitySummary =
    R"({"format":"adflag-link-summary","version":1,"listings":1,"entities":1})"
    "\n"
    R"({"key":"phone:+19155550110","listings":1,"cities":["Austin"],)"
    R"("regions":["TX"],"first":"2026-03-10T08:00:00Z",)"
    R"("last":"2026-03-10T08:00:00Z","ids":["a"]})"
    "\n"
    R"({"format":"adflag-templates","version":1,"clusters":0,"listings":0,)"
    R"("band_keys":0})"
    "\n";

// Returns the result of reading `data` as "s.summary": "" when it reads,
// else the error.
std::string ReadError(const std::string& data) {
  LinkIndex index;
  std::string error;
  if (LinkIndex::Read(data, "s.summary", &index, &error)) return "";
  return error;
}

TEST_CASE("a summary is written exactly") {
  LinkIndex index;
  index.Add(Post("a", "Austin", "TX", "2026-03-10T08:00:00Z"),
            {Phone("+19155550110")}, TemplateSignature());
  CHECK(Written(index) == kOneEntitySummary);
  CHECK(Written(LinkIndex()) ==
        R"({"format":"adflag-link-summary","version":1,"listings":0,)"
        R"("entities":0})"
        "\n"
        R"({"format":"adflag-templates","version":1,"clusters":0,)"
        R"("listings":0,"band_keys":0})"
        "\n");
}

TEST_CASE("a summary read back writes the same bytes") {
  const std::vector<TestListing> listings = SampleListings();
  const LinkIndex index =
      IndexOf(listings, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const std::string written = Written(index);
  LinkIndex read;
  std::string error;
  REQUIRE(LinkIndex::Read(written, "s.summary", &read, &error));
  CHECK(error.empty());
  CHECK(Written(read) == written);
  CHECK(read.listing_count() == 12);
  CHECK(read.entity_count() == index.entity_count());
  for (const TestListing& listing : listings) {
    CHECK(Facts(read, listing.entities, listing.signature).values ==
          Facts(index, listing.entities, listing.signature).values);
  }
  LinkIndex one;
  REQUIRE(LinkIndex::Read(kOneEntitySummary, "s.summary", &one, &error));
  CHECK(Written(one) == kOneEntitySummary);
}

TEST_CASE("a summary that is not one is refused") {
  CHECK(ReadError("") == "s.summary:1: not an adflag link summary");
  CHECK(ReadError("\n") == "s.summary:1: not an adflag link summary");
  CHECK(ReadError(R"({"format":"adflag-templates","version":1,)"
                  R"("clusters":0,"listings":0,"band_keys":0})"
                  "\n") == "s.summary:1: not an adflag link summary");
  CHECK(ReadError("listings,entities\n1,1\n") ==
        "s.summary:1: not an adflag link summary");
  CHECK(ReadError(R"({"format":"adflag-link-summary","version":1,)"
                  R"("listings":-1,"entities":0})"
                  "\n") == "s.summary:1: not an adflag link summary");
}

TEST_CASE("a summary of another version is refused, naming the version") {
  CHECK(ReadError(R"({"format":"adflag-link-summary","version":2,)"
                  R"("listings":0,"entities":0})"
                  "\n") ==
        "s.summary:1: summary version 2 is not supported (this adflag reads "
        "version 1)");
}

TEST_CASE("a summary header with members of the wrong type is refused") {
  std::string error;
  CHECK_NOTHROW(error = ReadError(R"({"format":7,"version":1,)"
                                  R"("listings":0,"entities":0})"
                                  "\n"));
  CHECK(error == "s.summary:1: not an adflag link summary");
  error.clear();
  CHECK_NOTHROW(error = ReadError(R"({"format":"adflag-link-summary",)"
                                  R"("version":"1","listings":0,)"
                                  R"("entities":0})"
                                  "\n"));
  CHECK(error == "s.summary:1: not an adflag link summary");
  CHECK(ReadError(R"({"format":"adflag-link-summary","version":1.5,)"
                  R"("listings":0,"entities":0})"
                  "\n") == "s.summary:1: not an adflag link summary");
  CHECK(ReadError(R"({"format":"adflag-link-summary","listings":0,)"
                  R"("entities":0})"
                  "\n") == "s.summary:1: not an adflag link summary");
}

// Merging relies on sample ids being sorted and distinct.
TEST_CASE("an entity line with ids out of order is refused") {
  CHECK(ReadError(R"({"format":"adflag-link-summary","version":1,"listings":2,)"
                  R"("entities":1})"
                  "\n"
                  R"({"key":"phone:+19155550110","listings":2,"cities":[],)"
                  R"("regions":[],"first":"","last":"","ids":["b","a"]})"
                  "\n"
                  R"({"format":"adflag-templates","version":1,"clusters":0,)"
                  R"("listings":0,"band_keys":0})"
                  "\n") == "s.summary:2: damaged entity line");
}

TEST_CASE("a summary with fewer entity lines than announced is refused") {
  const std::string header =
      R"({"format":"adflag-link-summary","version":1,"listings":3,)"
      R"("entities":3})"
      "\n";
  const std::string entity =
      R"({"key":"phone:+19155550110","listings":1,"cities":[],)"
      R"("regions":[],"first":"","last":"","ids":["a"]})"
      "\n";
  CHECK(ReadError(header) ==
        "s.summary:2: the summary ends early: 3 entities announced, 0 found");
  CHECK(ReadError(header + entity) ==
        "s.summary:3: the summary ends early: 3 entities announced, 1 found");
}

TEST_CASE("a damaged entity line is refused at its line") {
  const std::string header =
      R"({"format":"adflag-link-summary","version":1,"listings":2,)"
      R"("entities":2})"
      "\n";
  const std::string good =
      R"({"key":"phone:+19155550110","listings":1,"cities":["Austin"],)"
      R"("regions":[],"first":"","last":"","ids":["a"]})"
      "\n";
  const char* const kDamaged[] = {
      "not json\n",
      "[]\n",
      R"({"listings":1,"cities":[],"regions":[],"first":"","last":"",)"
      R"("ids":[]})"
      "\n",
      R"({"key":"phone:+19155550111","listings":-1,"cities":[],)"
      R"("regions":[],"first":"","last":"","ids":[]})"
      "\n",
      R"({"key":"phone:+19155550111","listings":1,"cities":[7],)"
      R"("regions":[],"first":"","last":"","ids":[]})"
      "\n",
      R"({"key":"phone:+19155550111","listings":1,"cities":[],)"
      R"("regions":[],"first":"","ids":[]})"
      "\n",
      R"({"key":"phone:+19155550111","listings":6,"cities":[],)"
      R"("regions":[],"first":"","last":"","ids":["a","b","c","d","e","f"]})"
      "\n",
      // The same key twice.
      R"({"key":"phone:+19155550110","listings":1,"cities":[],)"
      R"("regions":[],"first":"","last":"","ids":["b"]})"
      "\n",
  };
  for (const char* damaged : kDamaged) {
    INFO(damaged);
    CHECK(ReadError(header + good + damaged) ==
          "s.summary:3: damaged entity line");
  }
  CHECK(ReadError(header + "{}\n" + good) ==
        "s.summary:2: damaged entity line");
}

TEST_CASE("damaged template clusters are refused") {
  const std::string summary = kOneEntitySummary;
  const std::string entities = summary.substr(0, summary.rfind("{\"format"));
  const std::string templates_header =
      R"({"format":"adflag-templates","version":1,"clusters":1,)"
      R"("listings":1,"band_keys":1})"
      "\n";

  CHECK(ReadError(entities) ==
        "s.summary:3: damaged template clusters: empty input: no header "
        "line");
  CHECK(ReadError(summary.substr(0, summary.size() - 1)) ==
        "s.summary:3: damaged template clusters: truncated: the last line "
        "has no newline");
  CHECK(ReadError(entities + "{}\n") ==
        "s.summary:3: damaged template clusters: not an adflag "
        "template index (no \"format\": \"adflag-templates\")");
  CHECK(ReadError(entities + templates_header) ==
        "s.summary:3: damaged template clusters: truncated or inconsistent: "
        "the header promises 1 clusters, 1 listings and 1 band keys; found "
        "0, 0 and 0");
  // The garbled line is line 4 of the summary.
  CHECK(ReadError(entities + templates_header + "garbled\n") ==
        "s.summary:4: damaged template clusters: not a JSON object");
}

TEST_CASE("a summary that fails to read leaves the index as it was") {
  LinkIndex index;
  std::string error;
  REQUIRE(LinkIndex::Read(kOneEntitySummary, "s.summary", &index, &error));
  const std::string before = Written(index);
  const std::string summary = kOneEntitySummary;
  for (const std::string& bad :
       {std::string(), summary.substr(0, summary.size() - 1),
        summary.substr(0, summary.find('\n') + 1),
        std::string(R"({"format":"adflag-link-summary","version":9,)"
                    R"("listings":0,"entities":0})"
                    "\n")}) {
    CHECK_FALSE(LinkIndex::Read(bad, "s.summary", &index, &error));
    CHECK_FALSE(error.empty());
    CHECK(Written(index) == before);
    CHECK(index.listing_count() == 1);
  }
}

// ---------------------------------------------------------------------------
// The links object of an output record.

TEST_CASE("a listing's links are written as JSON") {
  LinkIndex index;
  const Entity email = Of(EntityKind::kEmail, "ana@example.invalid");
  const Entity handle = Of(EntityKind::kHandle, "@ana");
  const Entity url = Of(EntityKind::kUrl, "example.invalid");
  index.Add(Post("a", "Austin", "TX", "2026-03-10T08:00:00Z"),
            {Phone("+19155550110"), email, url}, TemplateSignature());
  index.Add(Post("b", "Dallas", "TX", "2026-03-12T08:00:00Z"),
            {Phone("+19155550110"), Phone("+19155550111"), handle},
            TemplateSignature());

  std::string json;
  index.AppendLinksJson(
      {Phone("+19155550111"), url, email, Phone("+19155550110"),
       Phone("+19155550119"), handle, Phone("+19155550111")},
      TemplateSignature(), &json);
  CHECK(json ==
        R"({"phones":[)"
        R"({"value":"+19155550111","listings":1,"cities":1,"regions":1,)"
        R"("first":"2026-03-12T08:00:00Z","last":"2026-03-12T08:00:00Z",)"
        R"("ids":["b"]},)"
        R"({"value":"+19155550110","listings":2,"cities":2,"regions":1,)"
        R"("first":"2026-03-10T08:00:00Z","last":"2026-03-12T08:00:00Z",)"
        R"("ids":["a","b"]}],)"
        R"("emails":[{"value":"ana@example.invalid","listings":1,"cities":1,)"
        R"("regions":1,"first":"2026-03-10T08:00:00Z",)"
        R"("last":"2026-03-10T08:00:00Z","ids":["a"]}],)"
        R"("handles":[{"value":"@ana","listings":1,"cities":1,"regions":1,)"
        R"("first":"2026-03-12T08:00:00Z","last":"2026-03-12T08:00:00Z",)"
        R"("ids":["b"]}],)"
        R"("cluster":null})");

  std::string none;
  index.AppendLinksJson({}, TemplateSignature(), &none);
  CHECK(none == R"({"phones":[],"emails":[],"handles":[],"cluster":null})");
}

TEST_CASE("a listing's template cluster is written as JSON") {
  const std::vector<TestListing> listings = SampleListings();
  const LinkIndex index = IndexOf(listings, {0, 1, 2, 3, 4, 5});
  TemplateIndex templates;
  for (int i = 0; i < 6; ++i) {
    templates.Add(listings[i].signature, listings[i].posting.id,
                  listings[i].entities[0].value);
  }
  const std::optional<TemplateCluster> cluster =
      templates.ClusterOf(listings[2].signature);
  REQUIRE(cluster);
  REQUIRE(cluster->size == 6);

  std::string json;
  index.AppendLinksJson({}, listings[2].signature, &json);
  CHECK(json == R"({"phones":[],"emails":[],"handles":[],"cluster":{"key":")" +
                    cluster->key +
                    R"(","size":6,"phones":4,"ids":["id10","id11","id12",)"
                    R"("id13","id14"]}})");
}

// ---------------------------------------------------------------------------
// ApplyLinkRules.

constexpr const char* kLinkPack = R"(pack:
  name: links
  text_fields: [body]
rules:
  - id: a.young
    title: Young
    category: youth
    weight: 0.3
    any: ['\byoung\b']
  - id: b.cities
    title: One phone in many cities
    category: linked
    weight: 0.3
    links: {phone_listings: 2, phone_cities: 3}
  - id: c.young_shared
    title: Young and a shared phone
    category: linked
    weight: 0.2
    any: ['\byoung\b']
    links: {phone_listings: 5}
  - id: d.old
    title: Old
    category: age
    weight: 0.1
    any: ['\bold\b']
  - id: e.retired
    title: Retired
    category: linked
    weight: 0.1
    status: deprecated
    links: {phone_listings: 1}
  - id: f.obscured
    title: Obscured
    category: linked
    weight: 0.1
    links: {obscured_phones: 1}
)";

// Returns a match of rule `rule` by pattern, with one text hit in field 0.
RuleMatch PatternMatch(int rule) {
  Hit hit;
  hit.field = 0;
  hit.span = {0, 5};
  return RuleMatch{rule, {hit}};
}

// Returns facts with the given values, each from "+19155550110".
LinkFacts MakeFacts(int64_t listings, int64_t cities, int64_t obscured = 0) {
  LinkFacts facts;
  facts.Raise(LinkMeasure::kPhoneListings, listings, "+19155550110");
  facts.Raise(LinkMeasure::kPhoneCities, cities, "+19155550110");
  facts.Raise(LinkMeasure::kObscuredPhones, obscured, "+19155550110");
  return facts;
}

// Returns the rules of `result`, in its order.
std::vector<int> Rules(const MatchResult& result) {
  std::vector<int> rules;
  for (const RuleMatch& match : result.rules) rules.push_back(match.rule);
  return rules;
}

// Returns the link measures of the hits of `match`, -1 for text hits.
std::vector<int> HitLinks(const RuleMatch& match) {
  std::vector<int> links;
  for (const Hit& hit : match.hits) links.push_back(hit.link);
  return links;
}

TEST_CASE("a links-only rule fires when every condition holds") {
  const RulePack pack = ParsePack(kLinkPack);
  MatchResult result;
  result.rules = {PatternMatch(0), PatternMatch(3)};
  ApplyLinkRules(pack, MakeFacts(2, 3), &result);
  REQUIRE(Rules(result) == std::vector<int>{0, 1, 3});
  const RuleMatch& fired = result.rules[1];
  REQUIRE(fired.hits.size() == 2);
  CHECK(HitLinks(fired) ==
        std::vector<int>{static_cast<int>(LinkMeasure::kPhoneListings),
                         static_cast<int>(LinkMeasure::kPhoneCities)});
  for (const Hit& hit : fired.hits) {
    CHECK(hit.field == -1);
    CHECK(hit.span.start == 0);
    CHECK(hit.span.end == 0);
  }
  CHECK(HitLinks(result.rules[0]) == std::vector<int>{-1});
  CHECK(HitLinks(result.rules[2]) == std::vector<int>{-1});
}

TEST_CASE("a links-only rule does not fire when one condition falls short") {
  const RulePack pack = ParsePack(kLinkPack);
  for (const LinkFacts& facts : {MakeFacts(1, 3), MakeFacts(2, 2)}) {
    MatchResult result;
    result.rules = {PatternMatch(3)};
    ApplyLinkRules(pack, facts, &result);
    CHECK(Rules(result) == std::vector<int>{3});
  }
  MatchResult empty;
  ApplyLinkRules(pack, LinkFacts(), &empty);
  CHECK(empty.rules.empty());
}

TEST_CASE("a links-only rule fires on its own and goes in pack order") {
  const RulePack pack = ParsePack(kLinkPack);
  MatchResult result;
  ApplyLinkRules(pack, MakeFacts(9, 9, 1), &result);
  CHECK(Rules(result) == std::vector<int>{1, 5});
  REQUIRE(result.rules.size() == 2);
  CHECK(HitLinks(result.rules[1]) ==
        std::vector<int>{static_cast<int>(LinkMeasure::kObscuredPhones)});
}

TEST_CASE("a rule with patterns and links needs both") {
  const RulePack pack = ParsePack(kLinkPack);
  SECTION("patterns fired and links met: pattern hits, then link hits") {
    MatchResult result;
    result.rules = {PatternMatch(0), PatternMatch(2), PatternMatch(3)};
    ApplyLinkRules(pack, MakeFacts(5, 1), &result);
    REQUIRE(Rules(result) == std::vector<int>{0, 2, 3});
    CHECK(HitLinks(result.rules[1]) ==
          std::vector<int>{-1, static_cast<int>(LinkMeasure::kPhoneListings)});
    CHECK(result.rules[1].hits[0].field == 0);
    CHECK(result.rules[1].hits[1].field == -1);
  }
  SECTION("patterns fired, links unmet: the match is removed") {
    MatchResult result;
    result.rules = {PatternMatch(0), PatternMatch(2), PatternMatch(3)};
    ApplyLinkRules(pack, MakeFacts(4, 1), &result);
    CHECK(Rules(result) == std::vector<int>{0, 3});
  }
  SECTION("links met, patterns did not fire: nothing") {
    MatchResult result;
    result.rules = {PatternMatch(3)};
    ApplyLinkRules(pack, MakeFacts(5, 1), &result);
    CHECK(Rules(result) == std::vector<int>{3});
  }
}

TEST_CASE("deprecated and out-of-scope link rules never fire") {
  const RulePack pack = ParsePack(kLinkPack);
  MatchResult result;
  result.rules = {PatternMatch(2)};
  result.out_of_scope = {1, 2, 5};
  ApplyLinkRules(pack, MakeFacts(9, 9, 9), &result);
  // Rule 2's pattern match is left alone: the matcher decides its scope.
  CHECK(Rules(result) == std::vector<int>{2});
  REQUIRE(result.rules.size() == 1);
  CHECK(HitLinks(result.rules[0]) == std::vector<int>{-1});

  MatchResult in_scope;
  ApplyLinkRules(pack, MakeFacts(9, 9, 9), &in_scope);
  CHECK(Rules(in_scope) == std::vector<int>{1, 5});
}

// ---------------------------------------------------------------------------
// Parsing `links` and examples with links.

TEST_CASE("a rule's links are read in measure order with their places") {
  const RulePack pack = ParsePack(R"(rules:
  - id: r
    title: R
    category: linked
    weight: 0.3
    links:
      cluster_size: 4
      phone_listings: 2
      phone_cities: 30
      obscured_phones: 1
)");
  REQUIRE(pack.rules.size() == 1);
  const std::vector<LinkCondition>& links = pack.rules[0].links;
  REQUIRE(links.size() == 4);
  CHECK(links[0].measure == LinkMeasure::kPhoneListings);
  CHECK(links[0].at_least == 2);
  CHECK(Place(links[0].pos) == "t.yaml:8:23");
  CHECK(links[1].measure == LinkMeasure::kPhoneCities);
  CHECK(links[1].at_least == 30);
  CHECK(Place(links[1].pos) == "t.yaml:9:21");
  CHECK(links[2].measure == LinkMeasure::kClusterSize);
  CHECK(links[2].at_least == 4);
  CHECK(Place(links[2].pos) == "t.yaml:7:21");
  CHECK(links[3].measure == LinkMeasure::kObscuredPhones);
  CHECK(links[3].at_least == 1);
  CHECK(Place(links[3].pos) == "t.yaml:10:24");
  CHECK(pack.rules[0].any.empty());
}

TEST_CASE("measure names read back") {
  for (int m = 0; m < kLinkMeasureCount; ++m) {
    LinkMeasure measure = LinkMeasure::kPhoneListings;
    REQUIRE(ParseLinkMeasure(LinkMeasureName(static_cast<LinkMeasure>(m)),
                             &measure));
    CHECK(static_cast<int>(measure) == m);
  }
  LinkMeasure measure = LinkMeasure::kClusterSize;
  CHECK_FALSE(ParseLinkMeasure("phone_citys", &measure));
  CHECK(measure == LinkMeasure::kClusterSize);
  CHECK(std::string(LinkMeasureName(LinkMeasure::kPhoneCities)) ==
        "phone_cities");
}

TEST_CASE("examples may give their linked context") {
  const RulePack pack = ParsePack(R"(rules:
  - id: r
    title: R
    category: linked
    weight: 0.3
    links: {phone_cities: 3}
    examples:
      hit:
        - {text: 'one phone everywhere', links: {phone_cities: 4}}
        - links: {phone_cities: 5, cluster_size: 2}
      miss:
        - 'a plain text'
        - text: 'two cities only'
          links: {phone_cities: 2}
)");
  REQUIRE(pack.rules.size() == 1);
  const Rule& rule = pack.rules[0];
  REQUIRE(rule.hit_examples.size() == 2);
  CHECK(rule.hit_examples[0].text == "one phone everywhere");
  CHECK(rule.hit_examples[0].links ==
        std::map<LinkMeasure, int64_t>{{LinkMeasure::kPhoneCities, 4}});
  CHECK(Place(rule.hit_examples[0].pos) == "t.yaml:9:18");
  CHECK(rule.hit_examples[1].text.empty());
  CHECK(rule.hit_examples[1].links ==
        std::map<LinkMeasure, int64_t>{{LinkMeasure::kPhoneCities, 5},
                                       {LinkMeasure::kClusterSize, 2}});
  CHECK(Place(rule.hit_examples[1].pos) == "t.yaml:10:11");
  REQUIRE(rule.miss_examples.size() == 2);
  CHECK(rule.miss_examples[0].text == "a plain text");
  CHECK(rule.miss_examples[0].links.empty());
  CHECK(rule.miss_examples[1].text == "two cities only");
  CHECK(rule.miss_examples[1].links ==
        std::map<LinkMeasure, int64_t>{{LinkMeasure::kPhoneCities, 2}});
  CHECK(Place(rule.miss_examples[1].pos) == "t.yaml:13:17");
}

// ---------------------------------------------------------------------------
// Examples run with their linked context.

TEST_CASE("examples run with the links they give") {
  const RulePack pack = ParsePack(R"(rules:
  - id: r.cities
    title: One phone in three cities
    category: linked
    weight: 0.3
    links: {phone_cities: 3}
    examples:
      hit:
        - {text: 'Ask for Mira', links: {phone_cities: 3}}
        - links: {phone_cities: 7}
      miss:
        - {text: 'Ask for Mira', links: {phone_cities: 2}}
        - 'Ask for Mira'
  - id: r.obscured
    title: A phone written to evade
    category: obscured_contact
    weight: 0.3
    links: {obscured_phones: 1}
    examples:
      hit: ['Call nine one five 555 0110']
      miss: ['Call 915 555 0110', 'Call Mira']
)");
  ExampleReport report;
  std::vector<Diagnostic> problems;
  REQUIRE(RunRuleExamples(pack, &report, &problems));
  CHECK(problems.empty());
  for (const ExampleFailure& failure : report.failures) {
    FAIL_CHECK(FormatDiagnostic(ExampleDiagnostic(failure)));
  }
  CHECK(report.passed == 7);
}

TEST_CASE("an example whose links fall short fails at its place") {
  const RulePack pack = ParsePack(R"(rules:
  - id: r.cities
    title: One phone in three cities
    category: linked
    weight: 0.3
    links: {phone_cities: 3}
    examples:
      hit:
        - {text: 'Ask for Mira', links: {phone_cities: 2}}
      miss:
        - {text: 'Ask for Mira', links: {phone_cities: 3}}
)");
  ExampleReport report;
  std::vector<Diagnostic> problems;
  REQUIRE(RunRuleExamples(pack, &report, &problems));
  CHECK(report.passed == 0);
  REQUIRE(report.failures.size() == 2);
  CHECK(FormatDiagnostic(ExampleDiagnostic(report.failures[0])) ==
        "t.yaml:9:18: error: example should fire rule 'r.cities' but did not");
  CHECK(FormatDiagnostic(ExampleDiagnostic(report.failures[1])) ==
        "t.yaml:11:18: error: example should not fire rule 'r.cities' but "
        "did");
  CHECK(report.failures[1].fired == Ids{"r.cities"});
}

}  // namespace
}  // namespace adflag

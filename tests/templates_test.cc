// Tests of template detection: signatures (determinism, a known answer,
// short texts), clusters of generated template families, the exact merge of
// sharded indexes, and the written form with its errors.

#include "adflag/templates.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {
namespace {

// Returns a number in [0, n). std::uniform_int_distribution differs across
// standard libraries; mt19937's raw output does not.
size_t Pick(std::mt19937& rng, size_t n) { return rng() % n; }

// Shuffles `items` the same way with every standard library.
template <typename T>
void Shuffle(std::mt19937& rng, std::vector<T>* items) {
  for (size_t i = items->size(); i > 1; --i) {
    std::swap((*items)[i - 1], (*items)[Pick(rng, i)]);
  }
}

// Returns `count` distinct made-up words of two to four syllables.
std::vector<std::string> MakeVocabulary(std::mt19937& rng, size_t count) {
  static const char* const kSyllables[] = {
      "ka", "lo",  "mi", "ren", "tas", "vo", "pel", "dun", "ri",  "sha",
      "bo", "nek", "ta", "ul",  "fer", "gi", "ham", "jo",  "qui", "zed"};
  std::set<std::string> seen;
  std::vector<std::string> words;
  while (words.size() < count) {
    std::string word;
    const size_t syllables = 2 + Pick(rng, 3);
    for (size_t i = 0; i < syllables; ++i) word += kSyllables[Pick(rng, 20)];
    if (seen.insert(word).second) words.push_back(word);
  }
  return words;
}

// One generated listing: its id, folded text and phones; `group` is the
// template family, or -1 for an unrelated listing.
struct Listing {
  std::string id;
  std::string text;
  std::vector<std::string> phones;
  int group = -1;
};

constexpr int kFamilies = 8;
constexpr int kUnrelated = 300;
constexpr size_t kTemplateWords = 60;

const char* const kNames[] = {"alina", "brisa", "calla", "dalia", "elke",
                              "fenna", "greta", "hanne", "ilse",  "jolie"};
const char* const kCities[] = {"el paso",   "reno",    "tucson", "houston",
                               "las vegas", "memphis", "tampa",  "boise"};

// Slots of a family's template, by word position.
constexpr size_t kNameSlot = 4;
constexpr size_t kCitySlot = 15;
constexpr size_t kPhoneSlot = 33;
constexpr size_t kPriceSlot = 47;

bool IsSlot(size_t pos) {
  return pos == kNameSlot || pos == kCitySlot || pos == kPhoneSlot ||
         pos == kPriceSlot;
}

// Returns the phones of one family listing, from the family's pool: most
// have one, some none, some two.
std::vector<std::string> FamilyPhones(std::mt19937& rng, int family) {
  const size_t pool = 2 + static_cast<size_t>(family);
  auto phone = [&] {
    return "+1915555" + std::to_string(1000 + family * 100 + Pick(rng, pool));
  };
  const size_t kind = Pick(rng, 10);
  if (kind == 0) return {};
  if (kind == 1) return {phone(), phone()};
  return {phone()};
}

// Fills the template `words` for one listing: slots get a name, city,
// phone and price, and two other words are swapped for random ones.
std::string FillTemplate(std::mt19937& rng, std::vector<std::string> words,
                         const std::vector<std::string>& vocabulary,
                         const std::vector<std::string>& phones) {
  words[kNameSlot] = kNames[Pick(rng, 10)];
  words[kCitySlot] = kCities[Pick(rng, 8)];
  words[kPhoneSlot] = phones.empty() ? "text me" : phones[0].substr(2);
  words[kPriceSlot] = "$" + std::to_string(100 + 10 * Pick(rng, 30));
  for (int swaps = 0; swaps < 2;) {
    const size_t pos = Pick(rng, words.size());
    if (IsSlot(pos)) continue;
    words[pos] = vocabulary[Pick(rng, vocabulary.size())];
    ++swaps;
  }

  std::string text = words[0] + " " + words[1] + " " + words[2] + "\n";
  for (size_t i = 3; i < words.size(); ++i) {
    text += words[i];
    text += i % 9 == 8 ? ". " : " ";
  }
  return text;
}

// Returns an id that sorts by group, then by index.
std::string ListingId(const std::string& prefix, size_t index) {
  std::string number = std::to_string(index);
  return prefix + std::string(3 - number.size(), '0') + number;
}

// Appends 10 to 30 listings of each of kFamilies template families.
void AddFamilies(std::mt19937& rng, const std::vector<std::string>& vocabulary,
                 std::vector<Listing>* listings) {
  for (int family = 0; family < kFamilies; ++family) {
    std::vector<std::string> words(kTemplateWords);
    for (std::string& word : words) {
      word = vocabulary[Pick(rng, vocabulary.size())];
    }

    const size_t count = 10 + Pick(rng, 21);
    for (size_t i = 0; i < count; ++i) {
      Listing listing;
      listing.id = ListingId("f" + std::to_string(family) + "-", i);
      listing.phones = FamilyPhones(rng, family);
      listing.text = FillTemplate(rng, words, vocabulary, listing.phones);
      listing.group = family;
      listings->push_back(std::move(listing));
    }
  }
}

// Appends kUnrelated listings of 60 random words, each with its own phone.
void AddUnrelated(std::mt19937& rng, const std::vector<std::string>& vocabulary,
                  std::vector<Listing>* listings) {
  for (int i = 0; i < kUnrelated; ++i) {
    Listing listing;
    listing.id = ListingId("u-", static_cast<size_t>(i));
    for (size_t word = 0; word < kTemplateWords; ++word) {
      listing.text += vocabulary[Pick(rng, vocabulary.size())] + " ";
    }
    listing.phones = {"+1702555" + std::to_string(1000 + i)};
    listings->push_back(std::move(listing));
  }
}

// The generated corpus: template families, then unrelated listings.
std::vector<Listing> MakeCorpus() {
  std::mt19937 rng(20261203);
  const std::vector<std::string> vocabulary = MakeVocabulary(rng, 3000);
  std::vector<Listing> listings;
  AddFamilies(rng, vocabulary, &listings);
  AddUnrelated(rng, vocabulary, &listings);
  return listings;
}

// Returns 40 windows of 60 words, each 8 words on from the one before, of
// one stream of random words: neighbours are near duplicates, windows 8 or
// more apart share no word.
std::vector<Listing> MakeChain() {
  std::mt19937 rng(7);
  const std::vector<std::string> vocabulary = MakeVocabulary(rng, 3000);
  std::vector<std::string> stream(8 * 39 + kTemplateWords);
  for (std::string& word : stream) {
    word = vocabulary[Pick(rng, vocabulary.size())];
  }

  std::vector<Listing> chain(40);
  for (size_t i = 0; i < chain.size(); ++i) {
    chain[i].id = ListingId("c-", i);
    for (size_t word = 0; word < kTemplateWords; ++word) {
      chain[i].text += stream[8 * i + word] + " ";
    }
    chain[i].group = kFamilies;
  }
  return chain;
}

void AddAll(const std::vector<Listing>& listings, TemplateIndex* index) {
  for (const Listing& listing : listings) {
    index->Add(ComputeSignature(listing.text), listing.id, listing.phones);
  }
}

std::string Written(const TemplateIndex& index) {
  std::string out;
  index.Write(&out);
  return out;
}

// Returns `index` written and read back.
TemplateIndex RoundTrip(const TemplateIndex& index) {
  TemplateIndex read;
  std::string error;
  REQUIRE(TemplateIndex::Read(Written(index), &read, &error));
  CHECK(error.empty());
  return read;
}

// Returns the error Read gives for `data`, or "accepted".
std::string ReadError(std::string_view data) {
  TemplateIndex index;
  std::string error;
  if (TemplateIndex::Read(data, &index, &error)) return "accepted";
  return error;
}

std::vector<std::string> HexKeys(const TemplateSignature& signature) {
  std::vector<std::string> keys;
  for (uint64_t key : signature.band_keys()) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(key));
    keys.push_back(hex);
  }
  return keys;
}

constexpr std::string_view kFixedText =
    "sweet and sexy\nindependent companion, upscale and discreet, by "
    "appointment. call or text anytime. serious inquiries only. parking on "
    "site. photos are recent.";

TEST_CASE("the same text always gives the same signature") {
  const TemplateSignature first = ComputeSignature(kFixedText);
  REQUIRE_FALSE(first.empty());
  CHECK(ComputeSignature(std::string(kFixedText)) == first);
  CHECK(EstimateSimilarity(first, first) == 1.0);
}

TEST_CASE("a fixed text has known band keys") {
  const std::vector<std::string> expected = {
      "b0fcf45d442e37c7", "2fcc5d4ac8f405bb", "477780193ec97798",
      "3f6357d31c487820", "b752b1331ad53428", "d476035ddef0b298",
      "4c5778619a23e778", "9e6dd980c432d9b4", "b92ac8c0a2f81c5f",
      "6f62e6001445a133", "84905241ba4c7123", "69cb33b4aa7f1333",
      "e364e55e9282dc72", "adb26b862dd5af9e", "301870fab07c4461",
      "03baf60c87b2e016"};
  CHECK(HexKeys(ComputeSignature(kFixedText)) == expected);
}

TEST_CASE("any run of non-word bytes separates words alike") {
  const TemplateSignature spaced =
      ComputeSignature("a b c d e f g h i j k l m n o p");
  CHECK(ComputeSignature("a, b!  c\nd\te (f) g-h i/j k.l m n o p...") ==
        spaced);
  CHECK(ComputeSignature("  a b c d e f g h i j k l m n o p  ") == spaced);
}

TEST_CASE("non-ASCII bytes belong to words") {
  const TemplateSignature accented =
      ComputeSignature("el se\xc3\xb1or de la casa vende una mesa grande hoy");
  const TemplateSignature split =
      ComputeSignature("el se or de la casa vende una mesa grande hoy");
  REQUIRE_FALSE(accented.empty());
  REQUIRE_FALSE(split.empty());
  CHECK_FALSE(accented == split);
  CHECK(ComputeSignature("el se\xc3\xb1or de la casa vende una mesa grande "
                         "hoy") == accented);
}

TEST_CASE("the word order of a shingle counts") {
  CHECK_FALSE(ComputeSignature("a b c d e f g h i j k l") ==
              ComputeSignature("l k j i h g f e d c b a"));
}

TEST_CASE("texts of fewer than 8 shingles get no signature") {
  CHECK(ComputeSignature("").empty());
  CHECK(ComputeSignature("!!! ,,, ...").empty());
  CHECK(ComputeSignature("call me").empty());
  CHECK(
      ComputeSignature("one two three four five six seven eight nine").empty());
  const TemplateSignature ten =
      ComputeSignature("one two three four five six seven eight nine ten");
  CHECK_FALSE(ten.empty());
  CHECK(EstimateSimilarity(ten, TemplateSignature()) == 0.0);

  TemplateIndex index;
  index.Add(TemplateSignature(), "short", "+19155550110");
  CHECK(index.listing_count() == 0);
  CHECK(index.band_key_count() == 0);
  CHECK_FALSE(index.ClusterOf(TemplateSignature()).has_value());
}

TEST_CASE("near duplicates share most sketch values, others none") {
  const std::vector<Listing> corpus = MakeCorpus();
  const Listing& first = corpus[0];
  const Listing& sibling = corpus[1];
  const Listing& stranger = corpus.back();
  REQUIRE(first.group == sibling.group);
  REQUIRE(stranger.group == -1);
  const TemplateSignature signature = ComputeSignature(first.text);
  CHECK(EstimateSimilarity(signature, ComputeSignature(sibling.text)) ==
        0.578125);
  CHECK(EstimateSimilarity(signature, ComputeSignature(stranger.text)) == 0.0);
}

TEST_CASE("listings sharing a band are one cluster with exact aggregates") {
  const std::string text(kFixedText);
  const TemplateSignature same = ComputeSignature(text);
  const TemplateSignature near =
      ComputeSignature(text + " weekends preferred.");
  const TemplateSignature other = ComputeSignature(
      "warehouse associate, forklift license a plus, nineteen an hour, "
      "apply in person");
  TemplateIndex index;
  index.Add(same, "id-7", "+19155550110");
  index.Add(near, "id-3",
            std::vector<std::string>{"+19155550111", "", "+19155550110"});
  index.Add(other, "id-5", "");

  const std::optional<TemplateCluster> cluster = index.ClusterOf(same);
  REQUIRE(cluster.has_value());
  CHECK(cluster->size == 2);
  CHECK(cluster->phones == 2);
  CHECK(cluster->sample_ids == std::vector<std::string>{"id-3", "id-7"});
  CHECK(index.ClusterOf(near) == cluster);

  const std::optional<TemplateCluster> alone = index.ClusterOf(other);
  REQUIRE(alone.has_value());
  CHECK(alone->size == 1);
  CHECK(alone->phones == 0);
  CHECK(alone->sample_ids == std::vector<std::string>{"id-5"});
  CHECK(index.listing_count() == 3);
  CHECK(index.Clusters().size() == 2);
  CHECK(index.Clusters(2) == std::vector<TemplateCluster>{*cluster});

  const TemplateSignature unknown = ComputeSignature(
      "a text that nobody added to this index at any time before now");
  CHECK_FALSE(index.ClusterOf(unknown).has_value());
}

TEST_CASE("the cluster key is the smallest band key, 16 hex digits") {
  const TemplateSignature signature = ComputeSignature(kFixedText);
  TemplateIndex index;
  index.Add(signature, "a", "");
  std::vector<std::string> keys = HexKeys(signature);
  CHECK(index.ClusterOf(signature)->key ==
        *std::min_element(keys.begin(), keys.end()));
}

TEST_CASE("samples are the five smallest listing ids in byte order") {
  const TemplateSignature signature = ComputeSignature(kFixedText);
  TemplateIndex index;
  for (const char* id : {"m", "b", "Z", "x", "a", "c", "\xc3\xa9", "B"}) {
    index.Add(signature, id, "");
  }
  const std::optional<TemplateCluster> cluster = index.ClusterOf(signature);
  REQUIRE(cluster.has_value());
  CHECK(cluster->size == 8);
  CHECK(cluster->sample_ids ==
        std::vector<std::string>{"B", "Z", "a", "b", "c"});
}

// Checks that the listings of `group` form one cluster of exactly their
// number, with their distinct phones and five smallest ids.
void CheckGroup(const std::vector<Listing>& corpus, int group,
                const TemplateIndex& index) {
  INFO("group " << group);
  std::vector<std::string> ids;
  std::set<std::string> phones;
  std::optional<TemplateCluster> first;
  for (const Listing& listing : corpus) {
    if (listing.group != group) continue;
    ids.push_back(listing.id);
    phones.insert(listing.phones.begin(), listing.phones.end());
    const std::optional<TemplateCluster> cluster =
        index.ClusterOf(ComputeSignature(listing.text));
    REQUIRE(cluster.has_value());
    if (!first) first = cluster;
    CHECK(*cluster == *first);
  }

  REQUIRE(first.has_value());
  CHECK(first->size == ids.size());
  CHECK(first->phones == phones.size());
  std::sort(ids.begin(), ids.end());
  ids.resize(std::min<size_t>(ids.size(), TemplateIndex::kMaxSampleIds));
  CHECK(first->sample_ids == ids);
}

// Returns the number of unrelated listings of `corpus` alone in a cluster.
size_t Singletons(const std::vector<Listing>& corpus,
                  const TemplateIndex& index) {
  size_t singletons = 0;
  for (const Listing& listing : corpus) {
    if (listing.group != -1) continue;
    const std::optional<TemplateCluster> cluster =
        index.ClusterOf(ComputeSignature(listing.text));
    if (cluster && cluster->size == 1) ++singletons;
  }
  return singletons;
}

TEST_CASE("each template family is one cluster of exactly its size") {
  const std::vector<Listing> corpus = MakeCorpus();
  TemplateIndex index;
  AddAll(corpus, &index);

  for (int family = 0; family < kFamilies; ++family) {
    CheckGroup(corpus, family, index);
  }
  CHECK(Singletons(corpus, index) == kUnrelated);
  CHECK(index.Clusters().size() == kFamilies + kUnrelated);
  CHECK(index.Clusters(2).size() == kFamilies);
  CHECK(index.listing_count() == corpus.size());
}

TEST_CASE("a chain of near duplicates is one cluster, transitively") {
  const std::vector<Listing> chain = MakeChain();
  CHECK(EstimateSimilarity(ComputeSignature(chain.front().text),
                           ComputeSignature(chain.back().text)) == 0.0);
  TemplateIndex index;
  AddAll(chain, &index);
  CheckGroup(chain, kFamilies, index);
  CHECK(index.Clusters().size() == 1);
}

// The generated families, the chain and the unrelated listings.
std::vector<Listing> MakeEverything() {
  std::vector<Listing> listings = MakeCorpus();
  const std::vector<Listing> chain = MakeChain();
  listings.insert(listings.end(), chain.begin(), chain.end());
  return listings;
}

// Splits `listings` in a shuffled order over `count` indexes, each written
// and read back.
std::vector<TemplateIndex> ShardedIndexes(std::vector<Listing> listings,
                                          size_t count) {
  std::mt19937 rng(99);
  Shuffle(rng, &listings);
  std::vector<TemplateIndex> shards(count);
  for (size_t i = 0; i < listings.size(); ++i) {
    const Listing& listing = listings[i];
    shards[i % count].Add(ComputeSignature(listing.text), listing.id,
                          listing.phones);
  }
  for (TemplateIndex& shard : shards) shard = RoundTrip(shard);
  return shards;
}

TEST_CASE("merged shards equal one index fed everything") {
  const std::vector<Listing> listings = MakeEverything();
  TemplateIndex whole;
  AddAll(listings, &whole);
  const std::vector<TemplateIndex> shards = ShardedIndexes(listings, 4);
  for (const TemplateIndex& shard : shards) {
    CHECK(shard.listing_count() < listings.size());
  }

  TemplateIndex merged;
  for (const TemplateIndex& shard : shards) merged.Merge(shard);
  CHECK(merged.Clusters() == whole.Clusters());
  CHECK(Written(merged) == Written(whole));
  CHECK(merged.listing_count() == listings.size());
  CHECK(merged.band_key_count() == whole.band_key_count());
  for (const Listing& listing : listings) {
    const TemplateSignature signature = ComputeSignature(listing.text);
    CHECK(merged.ClusterOf(signature) == whole.ClusterOf(signature));
  }
  for (int group = 0; group <= kFamilies; ++group) {
    CheckGroup(listings, group, merged);
  }
  CHECK(Singletons(listings, merged) == kUnrelated);
}

TEST_CASE("merging in any order writes the same bytes") {
  const std::vector<TemplateIndex> shards = ShardedIndexes(MakeEverything(), 4);
  TemplateIndex in_order;
  for (const TemplateIndex& shard : shards) in_order.Merge(shard);

  TemplateIndex scrambled;
  for (size_t i : {3, 1, 0, 2}) scrambled.Merge(shards[i]);

  TemplateIndex left = shards[2];
  left.Merge(shards[0]);
  TemplateIndex right = shards[3];
  right.Merge(shards[1]);
  right.Merge(left);

  const std::string expected = Written(in_order);
  CHECK(Written(scrambled) == expected);
  CHECK(Written(right) == expected);
}

TEST_CASE("adding in another order writes the same bytes") {
  std::vector<Listing> listings = MakeEverything();
  TemplateIndex forward;
  AddAll(listings, &forward);
  std::reverse(listings.begin(), listings.end());
  TemplateIndex backward;
  AddAll(listings, &backward);
  CHECK(Written(backward) == Written(forward));
}

TEST_CASE("merging an index into itself counts its listings twice") {
  TemplateIndex index;
  index.Add(ComputeSignature(kFixedText), "a", "+19155550110");
  index.Merge(index);
  const std::optional<TemplateCluster> cluster =
      index.ClusterOf(ComputeSignature(kFixedText));
  REQUIRE(cluster.has_value());
  CHECK(cluster->size == 2);
  CHECK(cluster->phones == 1);
  CHECK(cluster->sample_ids == std::vector<std::string>{"a"});
}

TEST_CASE("an index round-trips exactly through its written form") {
  TemplateIndex index;
  AddAll(MakeEverything(), &index);
  const TemplateIndex read = RoundTrip(index);
  CHECK(read.Clusters() == index.Clusters());
  CHECK(Written(read) == Written(index));
  CHECK(read.listing_count() == index.listing_count());

  const TemplateIndex empty;
  CHECK(Written(RoundTrip(empty)) == Written(empty));
  CHECK(Written(empty) ==
        "{\"format\":\"adflag-templates\",\"version\":1,\"clusters\":0,"
        "\"listings\":0,\"band_keys\":0}\n");
}

// A small index of three listings in two clusters, written.
std::string SmallWritten() {
  TemplateIndex index;
  const std::string text(kFixedText);
  index.Add(ComputeSignature(text), "x1", "+19155550110");
  index.Add(ComputeSignature(text + " weekends preferred."), "x2", "");
  index.Add(ComputeSignature("room for rent in a quiet house, no smoking, "
                             "utilities included"),
            "x3", "+19155550111");
  return Written(index);
}

TEST_CASE("every truncation of a written index is rejected") {
  const std::string written = SmallWritten();
  CHECK(ReadError(written) == "accepted");
  for (size_t size = 0; size < written.size(); ++size) {
    INFO("size " << size);
    const std::string error = ReadError(written.substr(0, size));
    CHECK(error != "accepted");
    CHECK_FALSE(error.empty());
  }
  CHECK(ReadError("") == "empty input: no header line");
  CHECK(ReadError(written.substr(0, 20)) ==
        "truncated: the last line has no newline");
  const size_t second_line = written.find('\n') + 1;
  CHECK(ReadError(written.substr(0, second_line))
            .starts_with(
                "truncated or inconsistent: the header promises 2 clusters, 3 "
                "listings"));
}

// Returns `text` with the first `from` replaced by `to`.
std::string Replaced(std::string text, std::string_view from,
                     std::string_view to) {
  const size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

TEST_CASE("a garbled written index is rejected with a clear error") {
  const std::string written = SmallWritten();
  CHECK(ReadError("hello\n") ==
        "line 1: not an adflag template index (no \"format\": "
        "\"adflag-templates\")");
  CHECK(ReadError(Replaced(written, "\"version\":1", "\"version\":2")) ==
        "line 1: unsupported version 2 (this build reads version 1)");
  CHECK(ReadError(Replaced(written, "\"clusters\":2", "\"clusters\":-2")) ==
        "line 1: \"clusters\" must be a whole number");
  CHECK(ReadError(Replaced(written, "\"size\":", "\"size\":0,\"x\":")) ==
        "line 2: \"size\" must be at least 1");
  CHECK(ReadError(Replaced(written, "{\"key\"", "[\"key\"")) ==
        "line 2: not a JSON object");
  CHECK(ReadError(Replaced(written, "\"key\":\"", "\"key\":\"g")) ==
        "line 2: \"key\" must be 16 hex digits");
  CHECK(
      ReadError(Replaced(written, "\"band_keys\":[\"", "\"band_keys\":[\"0")) ==
      "line 2: band key \"0" +
          written.substr(written.find("\"band_keys\":[\"") + 14, 16) +
          "\" is not 16 hex digits");
  CHECK(
      ReadError(Replaced(written, "\"samples\":[\"x", "\"samples\":[1,\"x")) ==
      "line 2: \"samples\" must be an array of non-empty strings in "
      "ascending order");
  CHECK(ReadError(written + "\n") == "line 4: not a JSON object");
  CHECK(ReadError(written + written.substr(written.find('\n') + 1)) ==
        "line 4: band key " +
            written.substr(written.find("\"band_keys\":[\"") + 14, 16) +
            " is in two clusters");
}

TEST_CASE("a failed read leaves the index as it was") {
  TemplateIndex index;
  index.Add(ComputeSignature(kFixedText), "kept", "");
  const std::string before = Written(index);
  std::string error;
  CHECK_FALSE(TemplateIndex::Read("garbage\n", &index, &error));
  CHECK(Written(index) == before);
}

}  // namespace
}  // namespace adflag

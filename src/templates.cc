#include "adflag/templates.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "sorted_strings.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace adflag {
namespace {

using Signature = TemplateSignature;

// Bands of 4 rows out of 64 values: two texts of Jaccard similarity s
// share at least one band with probability 1 - (1 - s^4)^16:
//   s:  0.1    0.2    0.3    0.4    0.5    0.6    0.7    0.8    0.9
//   p:  0.002  0.025  0.122  0.340  0.644  0.892  0.988  0.9998 1.0
// The curve crosses 1/2 near s = 0.46.
static_assert(Signature::kBands * Signature::kRowsPerBand ==
              Signature::kValues);

// One-permutation hashing: the top 6 bits of a shingle hash pick its bin.
constexpr int kBinShift = 64 - std::countr_zero(unsigned{Signature::kValues});
static_assert(Signature::kValues == 64, "bin masks are 64-bit words");

// Fixed seeds, so that signatures never change between runs or machines.
constexpr uint64_t kWordSeed = 0x6a09e667f3bcc908ull;
constexpr uint64_t kDensifySeed = 0xbb67ae8584caa73bull;
constexpr uint64_t kBandSeed = 0x3c6ef372fe94f82bull;
constexpr uint64_t kMul1 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMul2 = 0xc2b2ae3d27d4eb4full;
constexpr uint64_t kMul3 = 0x165667b19e3779f9ull;

// Densification probes this many bins before walking to the next filled
// one; with at least one filled bin of 64 the walk is almost never taken.
constexpr int kMaxDensifyProbes = 256;

// The SplitMix64 finalizer: a bijection that mixes every bit into every
// other.
constexpr uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

#if defined(__SSE2__)

// Returns one bit per byte of the 16 `bytes` that belongs to a word: an
// ASCII letter or digit, or a byte >= 0x80 (its sign bit).
inline uint64_t WordBytes16(__m128i bytes) {
  const __m128i lower = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                    _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  const __m128i digit =
      _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('0' - 1)),
                    _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1)));
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), bytes)));
}

// Returns one bit per byte of the 64 bytes at `block` that belongs to a
// word, the first byte in the lowest bit.
inline uint64_t WordBytes64(const char* block) {
  uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i bytes =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i));
    mask |= WordBytes16(bytes) << (16 * i);
  }
  return mask;
}

#else  // Without SSE2, one byte at a time.

inline uint64_t WordBytes64(const char* block) {
  uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    const auto byte = static_cast<unsigned char>(block[i]);
    const unsigned char lower = byte | 0x20;
    const bool word = byte >= 0x80 || (byte >= '0' && byte <= '9') ||
                      (lower >= 'a' && lower <= 'z');
    mask |= uint64_t{word} << i;
  }
  return mask;
}

#endif

// Returns the word-byte mask of the 64 bytes of `text` from `block`; bytes
// past the end of `text` count as separators.
inline uint64_t WordBytesAt(std::string_view text, size_t block) {
  if (text.size() - block >= 64) return WordBytes64(text.data() + block);
  char padded[64] = {};
  std::memcpy(padded, text.data() + block, text.size() - block);
  return WordBytes64(padded);
}

// Calls on_word(start, end) for each word [start, end) of `text`, in
// order: runs of ASCII letters and digits and of bytes >= 0x80. Works 64
// bytes at a time: the k-th word start of a block pairs with its k-th word
// end, after the end of a word that runs in from the block before.
template <typename OnWord>
void ForEachWord(std::string_view text, OnWord on_word) {
  size_t open_start = 0;
  uint64_t carry = 0;
  for (size_t block = 0; block < text.size(); block += 64) {
    const uint64_t words = WordBytesAt(text, block);
    const uint64_t before = (words << 1) | carry;
    uint64_t starts = words & ~before;
    uint64_t ends = ~words & before;
    if (carry != 0 && ends != 0) {
      on_word(open_start, block + std::countr_zero(ends));
      ends &= ends - 1;
    }
    while (ends != 0) {
      on_word(block + std::countr_zero(starts), block + std::countr_zero(ends));
      starts &= starts - 1;
      ends &= ends - 1;
    }
    if (starts != 0) open_start = block + std::countr_zero(starts);
    carry = words >> 63;
  }
  if (carry != 0) on_word(open_start, text.size());
}

// Returns the 8 bytes at `bytes` as a little-endian number, so that hashes
// are the same on machines of either byte order.
inline uint64_t LoadLittle64(const char* bytes) {
  uint64_t value;
  std::memcpy(&value, bytes, 8);
  if constexpr (std::endian::native == std::endian::big) {
    value = __builtin_bswap64(value);
  }
  return value;
}

// Returns the `size` (1 to 8) bytes at `bytes` as a little-endian number.
// Reads 8 bytes at once when `end` allows it.
inline uint64_t LoadTail(const char* bytes, size_t size, const char* end) {
  if (end - bytes >= 8) {
    return LoadLittle64(bytes) << (8 * (8 - size)) >> (8 * (8 - size));
  }
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    value |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  }
  return value;
}

__extension__ using Uint128 = unsigned __int128;

// Multiplies `a` by `b` to 128 bits and folds the halves together: one
// multiplication that mixes every input bit into the upper output bits.
inline uint64_t MultiplyFold(uint64_t a, uint64_t b) {
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// Returns the hash of the word [bytes, bytes + size). REQUIRES: size > 0
// and [bytes, bytes + size) lies within [.., end).
inline uint64_t HashWord(const char* bytes, size_t size, const char* end) {
  uint64_t hash = kWordSeed ^ size;
  while (size > 8) {
    hash = MultiplyFold(hash ^ LoadLittle64(bytes), kMul2);
    bytes += 8;
    size -= 8;
  }
  return MultiplyFold(hash ^ LoadTail(bytes, size, end), kMul1);
}

// The hash of three consecutive word hashes, in order.
inline uint64_t HashShingle(uint64_t first, uint64_t second, uint64_t third) {
  return MultiplyFold(first ^ std::rotl(second, 23) ^ kMul3, third ^ kMul2);
}

// A MinHash sketch under construction in `values`: the smallest hash per
// bin, and which bins have one.
struct Sketch {
  std::array<uint64_t, Signature::kValues>& values;
  uint64_t filled = 0;
};

inline void AddShingle(uint64_t hash, Sketch* sketch) {
  const int bin = static_cast<int>(hash >> kBinShift);
  sketch->values[bin] = std::min(sketch->values[bin], hash);
  sketch->filled |= uint64_t{1} << bin;
}

// Hashes each word of `text` once, adds each run of three words to the
// sketch and returns the number of such runs.
int AddShingles(std::string_view text, Sketch* sketch) {
  const char* const end = text.data() + text.size();
  uint64_t words[Signature::kShingleWords] = {0, 0, 0};
  int word_count = 0;
  ForEachWord(text, [&](size_t start, size_t stop) {
    words[0] = words[1];
    words[1] = words[2];
    words[2] = HashWord(text.data() + start, stop - start, end);
    if (++word_count >= Signature::kShingleWords) {
      AddShingle(HashShingle(words[0], words[1], words[2]), sketch);
    }
  });
  return std::max(0, word_count - (Signature::kShingleWords - 1));
}

// The `probe`-th bin that empty bin `bin` may copy: a fixed pseudo-random
// sequence per bin.
constexpr int ProbedBin(int bin, int probe) {
  const uint64_t hash = Mix(kDensifySeed ^ (static_cast<uint64_t>(bin) << 32 |
                                            static_cast<uint64_t>(probe)));
  return static_cast<int>(hash >> kBinShift);
}

// The first kTableProbes probed bins of every bin, worked out at compile
// time.
constexpr int kTableProbes = 4;
using ProbeTable =
    std::array<std::array<uint8_t, kTableProbes>, Signature::kValues>;

constexpr ProbeTable MakeProbeTable() {
  ProbeTable table{};
  for (int bin = 0; bin < Signature::kValues; ++bin) {
    for (int probe = 0; probe < kTableProbes; ++probe) {
      table[bin][probe] = static_cast<uint8_t>(ProbedBin(bin, probe));
    }
  }
  return table;
}

constexpr ProbeTable kProbeTable = MakeProbeTable();
static_assert(kTableProbes == 4, "DensifySource tests four probes");

// Returns the first filled bin of the probe sequence of `bin` after the
// table's probes, or, after kMaxDensifyProbes probes, the next filled bin
// after `bin`. REQUIRES: some bin is filled.
int SlowDensifySource(int bin, uint64_t filled) {
  for (int probe = kTableProbes; probe < kMaxDensifyProbes; ++probe) {
    const int source = ProbedBin(bin, probe);
    if (filled & (uint64_t{1} << source)) return source;
  }
  return static_cast<int>(std::countr_zero(std::rotr(filled, bin)) + bin) %
         Signature::kValues;
}

// Returns the filled bin that empty bin `bin` copies: the first filled
// one of its probe sequence ("optimal densification", Shrivastava 2017),
// so that two texts with the same filled bins copy alike. Tests the
// table's probes without branches. REQUIRES: some bin is filled.
inline int DensifySource(int bin, uint64_t filled) {
  const std::array<uint8_t, kTableProbes>& probes = kProbeTable[bin];
  const auto hit = [&](int probe) {
    return static_cast<unsigned>((filled >> probes[probe]) & 1) << probe;
  };
  const unsigned hits = hit(0) | hit(1) | hit(2) | hit(3);
  if (hits == 0) return SlowDensifySource(bin, filled);
  return kProbeTable[bin][std::countr_zero(hits)];
}

// Fills every empty bin of `sketch` from a filled one.
void Densify(Sketch* sketch) {
  for (uint64_t empty = ~sketch->filled; empty != 0; empty &= empty - 1) {
    const int bin = std::countr_zero(empty);
    sketch->values[bin] = sketch->values[DensifySource(bin, sketch->filled)];
  }
}

// The key of band `band`: its index and its values, hashed.
uint64_t BandKey(int band, const std::array<uint64_t, Signature::kValues>& v) {
  static_assert(Signature::kRowsPerBand == 4);
  const uint64_t* rows = v.data() + band * Signature::kRowsPerBand;
  return Mix(kBandSeed + static_cast<uint64_t>(band) + rows[0] * kMul1 +
             std::rotl(rows[1], 16) * kMul2 + std::rotl(rows[2], 32) * kMul3 +
             std::rotl(rows[3], 48));
}

}  // namespace

// TODO: about 8,300 instructions (97 per word) for a 550-byte listing,
// measured at 840 to 1,400 ns on a shared 2-core machine: above the 600 ns
// target. Hashing short words straight from the 64-byte blocks and a wider
// (AVX2) word scan would cut it.
TemplateSignature ComputeSignature(std::string_view folded_text) {
  TemplateSignature signature;
  signature.values_.fill(UINT64_MAX);
  Sketch sketch{signature.values_};
  if (AddShingles(folded_text, &sketch) < Signature::kMinShingles) {
    signature.values_.fill(0);
    return signature;
  }

  Densify(&sketch);
  signature.empty_ = false;
  for (int band = 0; band < Signature::kBands; ++band) {
    signature.band_keys_[band] = BandKey(band, signature.values_);
  }
  return signature;
}

double EstimateSimilarity(const TemplateSignature& a,
                          const TemplateSignature& b) {
  if (a.empty() || b.empty()) return 0.0;
  int equal = 0;
  for (int i = 0; i < Signature::kValues; ++i) {
    if (a.values()[i] == b.values()[i]) ++equal;
  }
  return static_cast<double>(equal) / Signature::kValues;
}

namespace {

constexpr std::string_view kFormatName = "adflag-templates";
constexpr uint64_t kFormatVersion = 1;

// The slot table starts at 2^kInitialSlotBits slots and doubles before it
// is more than 7/10 full.
constexpr int kInitialSlotBits = 10;

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Returns `key` as 16 lower-case hex digits.
std::string HexKey(uint64_t key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i) {
    hex[i] = kDigits[key & 15];
    key >>= 4;
  }
  return hex;
}

// Parses 16 lower-case hex digits into *key.
bool ParseHexKey(std::string_view hex, uint64_t* key) {
  if (hex.size() != 16) return false;
  uint64_t value = 0;
  for (char c : hex) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  *key = value;
  return true;
}

// Calls visit(root, keys) once per cluster of `keys`, a KeysByCluster()
// or KeysByRoot() result, with the cluster's band keys in their order
// there.
template <typename Keys, typename Visit>
void ForEachCluster(const Keys& keys, Visit visit) {
  std::vector<uint64_t> cluster_keys;
  for (size_t begin = 0; begin < keys.size();) {
    cluster_keys.clear();
    size_t end = begin;
    while (end < keys.size() && keys[end].root == keys[begin].root) {
      cluster_keys.push_back(keys[end++].key);
    }
    visit(keys[begin].root, std::span<const uint64_t>(cluster_keys));
    begin = end;
  }
}

// Appends `line` and a newline to *out. Bytes that are not UTF-8 are
// replaced, so that dumping never throws.
// TODO: a listing id or phone that is not valid UTF-8 does not round-trip
// exactly (the listing parser repairs input, so this should not happen).
void AppendLine(const OrderedJson& line, std::string* out) {
  out->append(line.dump(-1, ' ', false, Json::error_handler_t::replace));
  out->push_back('\n');
}

// Returns the field `name` of `object`, or null when it has none.
const Json* FieldOf(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// Reads the unsigned number field `name` of `object` into *value.
bool ReadCount(const Json& object, const char* name, uint64_t* value,
               std::string* error) {
  const Json* field = FieldOf(object, name);
  if (field == nullptr || !field->is_number_unsigned()) {
    *error = "\"" + std::string(name) + "\" must be a whole number";
    return false;
  }
  *value = field->get<uint64_t>();
  return true;
}

// Reads the field `name` of `object`, an array of non-empty strings in
// strictly ascending byte order, into *values.
bool ReadSortedStrings(const Json& object, const char* name,
                       std::vector<std::string>* values, std::string* error) {
  const Json* field = FieldOf(object, name);
  *error = "\"" + std::string(name) +
           "\" must be an array of non-empty strings in ascending order";
  if (field == nullptr || !field->is_array()) return false;
  values->clear();
  for (const Json& value : *field) {
    if (!value.is_string()) return false;
    const std::string& text = value.get_ref<const std::string&>();
    if (text.empty() || (!values->empty() && values->back() >= text)) {
      return false;
    }
    values->push_back(text);
  }
  error->clear();
  return true;
}

// Reads the field `name` of `object`, an array of band keys in hex in
// strictly ascending order, into *keys.
bool ReadBandKeys(const Json& object, const char* name,
                  std::vector<uint64_t>* keys, std::string* error) {
  std::vector<std::string> hex_keys;
  if (!ReadSortedStrings(object, name, &hex_keys, error)) return false;
  keys->assign(hex_keys.size(), 0);
  for (size_t i = 0; i < hex_keys.size(); ++i) {
    if (!ParseHexKey(hex_keys[i], &(*keys)[i])) {
      *error = "band key \"" + hex_keys[i] + "\" is not 16 hex digits";
      return false;
    }
  }
  if (keys->empty()) {
    *error = "a cluster must have at least one band key";
    return false;
  }
  return true;
}

// What the header line of a written index promises.
struct IndexHeader {
  uint64_t clusters = 0;
  uint64_t listings = 0;
  uint64_t band_keys = 0;
};

bool ParseHeader(std::string_view line, IndexHeader* header,
                 std::string* error) {
  const Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  const Json* format = FieldOf(json, "format");
  if (format == nullptr || *format != kFormatName) {
    *error = "not an adflag template index (no \"format\": \"" +
             std::string(kFormatName) + "\")";
    return false;
  }
  uint64_t version = 0;
  if (!ReadCount(json, "version", &version, error)) return false;
  if (version != kFormatVersion) {
    *error = "unsupported version " + std::to_string(version) +
             " (this build reads version " + std::to_string(kFormatVersion) +
             ")";
    return false;
  }
  return ReadCount(json, "clusters", &header->clusters, error) &&
         ReadCount(json, "listings", &header->listings, error) &&
         ReadCount(json, "band_keys", &header->band_keys, error);
}

// Checks that an index read holds what its header promised.
bool CheckCounts(const IndexHeader& promised, const IndexHeader& found,
                 std::string* error) {
  if (found.clusters == promised.clusters &&
      found.listings == promised.listings &&
      found.band_keys == promised.band_keys) {
    return true;
  }
  *error = "truncated or inconsistent: the header promises " +
           std::to_string(promised.clusters) + " clusters, " +
           std::to_string(promised.listings) + " listings and " +
           std::to_string(promised.band_keys) + " band keys; found " +
           std::to_string(found.clusters) + ", " +
           std::to_string(found.listings) + " and " +
           std::to_string(found.band_keys);
  return false;
}

// Splits `data` into lines. REQUIRES: `data` ends with a newline.
std::vector<std::string_view> SplitLines(std::string_view data) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < data.size()) {
    const size_t end = data.find('\n', start);
    lines.push_back(data.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// One cluster line of a written index.
struct ClusterLine {
  uint64_t key = 0;
  uint64_t size = 0;
  std::vector<std::string> phones;
  std::vector<std::string> sample_ids;
  std::vector<uint64_t> band_keys;
};

// Checks what a cluster line's fields must agree on.
bool CheckClusterLine(const ClusterLine& cluster, std::string* error) {
  if (cluster.size == 0) {
    *error = "\"size\" must be at least 1";
    return false;
  }
  const uint64_t max_samples =
      std::min<uint64_t>(cluster.size, TemplateIndex::kMaxSampleIds);
  if (cluster.sample_ids.empty() || cluster.sample_ids.size() > max_samples) {
    *error = "\"samples\" must hold 1 to " + std::to_string(max_samples) +
             " listing ids";
    return false;
  }
  if (cluster.key != cluster.band_keys.front()) {
    *error = "\"key\" must be the smallest of the cluster's band keys";
    return false;
  }
  return true;
}

bool ParseClusterLine(std::string_view line, ClusterLine* cluster,
                      std::string* error) {
  const Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    *error = "not a JSON object";
    return false;
  }
  const Json* key = FieldOf(json, "key");
  if (key == nullptr || !key->is_string() ||
      !ParseHexKey(key->get_ref<const std::string&>(), &cluster->key)) {
    *error = "\"key\" must be 16 hex digits";
    return false;
  }
  return ReadCount(json, "size", &cluster->size, error) &&
         ReadSortedStrings(json, "phones", &cluster->phones, error) &&
         ReadSortedStrings(json, "samples", &cluster->sample_ids, error) &&
         ReadBandKeys(json, "band_keys", &cluster->band_keys, error) &&
         CheckClusterLine(*cluster, error);
}

}  // namespace

void TemplateIndex::Add(const TemplateSignature& signature,
                        std::string_view listing_id, std::string_view phone) {
  const std::string phones[] = {std::string(phone)};
  Add(signature, listing_id, std::span<const std::string>(phones));
}

void TemplateIndex::Add(const TemplateSignature& signature,
                        std::string_view listing_id,
                        std::span<const std::string> phones) {
  if (signature.empty()) return;
  std::array<uint64_t, Signature::kBands> keys = signature.band_keys();
  std::sort(keys.begin(), keys.end());
  const size_t distinct = std::unique(keys.begin(), keys.end()) - keys.begin();

  // The hot path of a run: no totals of its own for the listing.
  const uint32_t root =
      JoinKeys(std::span<const uint64_t>(keys.data(), distinct));
  ClusterTotals& cluster = totals_[root];
  ++cluster.listings;
  ++listing_count_;
  for (const std::string& phone : phones) {
    if (!phone.empty()) cluster.phones.insert(phone);
  }
  AddToSorted(listing_id, &cluster.sample_ids, kMaxSampleIds);
}

void TemplateIndex::Merge(const TemplateIndex& other) {
  if (&other == this) {
    const TemplateIndex copy = other;
    Merge(copy);
    return;
  }
  // Merging is exact in any order, so the clusters need no sorting.
  ForEachCluster(other.KeysByRoot(),
                 [&](uint32_t root, std::span<const uint64_t> keys) {
                   AddToCluster(keys, other.totals_.find(root)->second);
                 });
}

std::optional<TemplateCluster> TemplateIndex::ClusterOf(
    const TemplateSignature& signature) const {
  if (signature.empty()) return std::nullopt;
  for (uint64_t key : signature.band_keys()) {
    const std::optional<uint32_t> node = FindNode(key);
    if (node) return ClusterAt(RootOf(*node));
  }
  return std::nullopt;
}

std::vector<TemplateCluster> TemplateIndex::Clusters(uint64_t min_size) const {
  std::vector<TemplateCluster> clusters;
  for (const auto& [root, totals] : totals_) {
    if (totals.listings >= min_size) clusters.push_back(ClusterAt(root));
  }
  std::sort(clusters.begin(), clusters.end(),
            [](const TemplateCluster& a, const TemplateCluster& b) {
              return a.key < b.key;
            });
  return clusters;
}

void TemplateIndex::Write(std::string* out) const {
  out->clear();
  OrderedJson header = {{"format", kFormatName},
                        {"version", kFormatVersion},
                        {"clusters", totals_.size()},
                        {"listings", listing_count_},
                        {"band_keys", keys_.size()}};
  AppendLine(header, out);

  ForEachCluster(KeysByCluster(),
                 [&](uint32_t root, std::span<const uint64_t> keys) {
                   const ClusterTotals& totals = totals_.find(root)->second;
                   OrderedJson hex_keys = OrderedJson::array();
                   for (uint64_t key : keys) hex_keys.push_back(HexKey(key));
                   OrderedJson line = {{"key", HexKey(totals.smallest_key)},
                                       {"size", totals.listings},
                                       {"phones", totals.phones},
                                       {"samples", totals.sample_ids},
                                       {"band_keys", std::move(hex_keys)}};
                   AppendLine(line, out);
                 });
}

bool TemplateIndex::Read(std::string_view data, TemplateIndex* index,
                         std::string* error) {
  if (data.empty() || data.back() != '\n') {
    *error = data.empty() ? "empty input: no header line"
                          : "truncated: the last line has no newline";
    return false;
  }
  const std::vector<std::string_view> lines = SplitLines(data);
  IndexHeader header;
  if (!ParseHeader(lines[0], &header, error)) {
    *error = "line 1: " + *error;
    return false;
  }

  TemplateIndex read;
  ClusterLine cluster;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string where = "line " + std::to_string(i + 1) + ": ";
    if (!ParseClusterLine(lines[i], &cluster, error)) {
      *error = where + *error;
      return false;
    }
    for (uint64_t key : cluster.band_keys) {
      if (read.FindNode(key)) {
        *error = where + "band key " + HexKey(key) + " is in two clusters";
        return false;
      }
    }
    ClusterTotals totals;
    totals.listings = cluster.size;
    totals.phones.insert(cluster.phones.begin(), cluster.phones.end());
    totals.sample_ids = std::move(cluster.sample_ids);
    read.AddToCluster(cluster.band_keys, totals);
  }

  const IndexHeader found{lines.size() - 1, read.listing_count_,
                          read.keys_.size()};
  if (!CheckCounts(header, found, error)) return false;
  *index = std::move(read);
  return true;
}

// TODO: each new cluster costs a hash-map node, a phone-set node and a
// sample id, about 250 bytes and a microsecond or two; singletons, the
// common case, could be kept in a compact table of their own.
void TemplateIndex::AddToCluster(std::span<const uint64_t> keys,
                                 const ClusterTotals& totals) {
  if (keys.empty()) return;
  ClusterTotals& cluster = totals_[JoinKeys(keys)];
  cluster.listings += totals.listings;
  cluster.phones.insert(totals.phones.begin(), totals.phones.end());
  MergeSorted(totals.sample_ids, &cluster.sample_ids, kMaxSampleIds);
  listing_count_ += totals.listings;
}

uint32_t TemplateIndex::JoinKeys(std::span<const uint64_t> keys) {
  PrefetchKeys(keys);

  // Few keys each time: small vectors kept between calls, no allocation.
  join_roots_.clear();
  join_new_nodes_.clear();
  for (uint64_t key : keys) {
    const std::optional<uint32_t> node = FindNode(key);
    if (node) {
      join_roots_.push_back(Root(*node));
    } else {
      join_new_nodes_.push_back(CreateNode(key));
    }
  }
  std::sort(join_roots_.begin(), join_roots_.end());
  join_roots_.erase(std::unique(join_roots_.begin(), join_roots_.end()),
                    join_roots_.end());

  uint32_t root =
      join_roots_.empty() ? join_new_nodes_.front() : join_roots_.front();
  for (size_t i = 1; i < join_roots_.size(); ++i) {
    root = Union(root, join_roots_[i]);
  }
  ClusterTotals& cluster = totals_[root];
  for (uint32_t node : join_new_nodes_) {
    parents_[node] = root;
    ++cluster.band_keys;
    cluster.smallest_key = std::min(cluster.smallest_key, keys_[node]);
  }
  return root;
}

namespace {

// A slot of the table: the high half of the key, which the multiplicative
// home slot hardly depends on, and node + 1 (0 marks a free slot). Probing
// compares the halves first, so it reads no node of another key.
uint64_t SlotEntry(uint64_t key, uint32_t node) {
  return (key & 0xffffffff00000000ull) | (uint64_t{node} + 1);
}

bool SameKeyHalf(uint64_t entry, uint64_t key) {
  return ((entry ^ key) >> 32) == 0;
}

uint32_t EntryNode(uint64_t entry) { return static_cast<uint32_t>(entry) - 1; }

}  // namespace

void TemplateIndex::PrefetchKeys(std::span<const uint64_t> keys) const {
  if (slots_.empty()) return;

  // Band keys are random, so each lookup misses the cache. Asking for
  // every key's home slot before reading any lets the misses overlap
  // instead of queueing. (Asking for the nodes the slots name as well
  // costs more than it saves: it probes every key twice.)
  for (uint64_t key : keys) __builtin_prefetch(&slots_[HomeSlot(key)]);
}

size_t TemplateIndex::HomeSlot(uint64_t key) const {
  return (key * kMul1) >> (64 - slot_bits_);
}

std::optional<uint32_t> TemplateIndex::FindNode(uint64_t key) const {
  if (slots_.empty()) return std::nullopt;
  const size_t mask = slots_.size() - 1;
  for (size_t slot = HomeSlot(key); slots_[slot] != 0;
       slot = (slot + 1) & mask) {
    const uint64_t entry = slots_[slot];
    if (SameKeyHalf(entry, key) && keys_[EntryNode(entry)] == key) {
      return EntryNode(entry);
    }
  }
  return std::nullopt;
}

uint32_t TemplateIndex::CreateNode(uint64_t key) {
  // TODO: nodes are 32-bit, so an index of more than 4 billion band keys
  // (some 250 million distinct listings) would overflow.
  if ((keys_.size() + 1) * 10 > slots_.size() * 7) GrowSlots();
  const auto node = static_cast<uint32_t>(keys_.size());
  keys_.push_back(key);
  parents_.push_back(node);
  PlaceInSlot(key, node);
  return node;
}

void TemplateIndex::PlaceInSlot(uint64_t key, uint32_t node) {
  const size_t mask = slots_.size() - 1;
  size_t slot = HomeSlot(key);
  while (slots_[slot] != 0) slot = (slot + 1) & mask;
  slots_[slot] = SlotEntry(key, node);
}

void TemplateIndex::GrowSlots() {
  slot_bits_ = slot_bits_ == 0 ? kInitialSlotBits : slot_bits_ + 1;
  slots_.assign(size_t{1} << slot_bits_, 0);
  for (size_t node = 0; node < keys_.size(); ++node) {
    PlaceInSlot(keys_[node], static_cast<uint32_t>(node));
  }
}

uint32_t TemplateIndex::Root(uint32_t node) {
  while (parents_[node] != node) {
    parents_[node] = parents_[parents_[node]];
    node = parents_[node];
  }
  return node;
}

uint32_t TemplateIndex::RootOf(uint32_t node) const {
  while (parents_[node] != node) node = parents_[node];
  return node;
}

uint32_t TemplateIndex::Union(uint32_t a, uint32_t b) {
  auto into = totals_.find(a);
  auto from = totals_.find(b);
  if (into->second.band_keys < from->second.band_keys) std::swap(into, from);
  parents_[from->first] = into->first;

  ClusterTotals& big = into->second;
  ClusterTotals& small = from->second;
  big.listings += small.listings;
  big.band_keys += small.band_keys;
  big.smallest_key = std::min(big.smallest_key, small.smallest_key);
  if (big.phones.size() < small.phones.size()) big.phones.swap(small.phones);
  big.phones.merge(small.phones);
  MergeSorted(small.sample_ids, &big.sample_ids, kMaxSampleIds);

  const uint32_t root = into->first;
  totals_.erase(from);
  return root;
}

std::vector<TemplateIndex::KeyInCluster> TemplateIndex::KeysByRoot() const {
  // A counting sort by root: each root's keys start where the counts of
  // the roots before it end.
  std::vector<uint32_t> roots(keys_.size());
  std::vector<uint32_t> starts(keys_.size() + 1, 0);
  for (uint32_t node = 0; node < keys_.size(); ++node) {
    roots[node] = RootOf(node);
    ++starts[roots[node] + 1];
  }
  for (size_t i = 1; i < starts.size(); ++i) starts[i] += starts[i - 1];

  std::vector<KeyInCluster> keys(keys_.size());
  for (uint32_t node = 0; node < keys_.size(); ++node) {
    keys[starts[roots[node]]++] = {0, keys_[node], roots[node]};
  }
  return keys;
}

std::vector<TemplateIndex::KeyInCluster> TemplateIndex::KeysByCluster() const {
  std::vector<KeyInCluster> keys;
  keys.reserve(keys_.size());
  for (uint32_t node = 0; node < keys_.size(); ++node) {
    const uint32_t root = RootOf(node);
    keys.push_back(
        {totals_.find(root)->second.smallest_key, keys_[node], root});
  }
  std::sort(keys.begin(), keys.end(),
            [](const KeyInCluster& a, const KeyInCluster& b) {
              return a.cluster_key != b.cluster_key
                         ? a.cluster_key < b.cluster_key
                         : a.key < b.key;
            });
  return keys;
}

TemplateCluster TemplateIndex::ClusterAt(uint32_t root) const {
  const ClusterTotals& totals = totals_.find(root)->second;
  return TemplateCluster{HexKey(totals.smallest_key), totals.listings,
                         totals.phones.size(), totals.sample_ids};
}

}  // namespace adflag

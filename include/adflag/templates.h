// Template detection: finds listings written from the same text template
// (the same ad posted again and again with a new name, city, phone or price
// filled in), so that a reviewer can see a whole family of ads at once.
//
// Each folded text gets a signature: a MinHash sketch of its 3-word
// shingles, cut into locality-sensitive bands. A TemplateIndex joins every
// two listings whose signatures share a band into one cluster, transitively,
// and keeps per cluster the listing count, the distinct phones and a few
// sample listing ids. Indexes built on separate shards merge exactly, and
// write themselves to text for sharded runs.
//
// Usage:
//   TemplateIndex index;
//   for (const Listing& listing : shard) {
//     TemplateSignature signature = ComputeSignature(folded_text);
//     index.Add(signature, listing.id, listing.phone);
//   }
//   index.Merge(other_shard_index);
//   std::optional<TemplateCluster> cluster = index.ClusterOf(signature);
//   // cluster->size listings share a template with this one.
//
// A TemplateIndex is not thread-safe; build one per shard and merge them.

#ifndef ADFLAG_TEMPLATES_H_
#define ADFLAG_TEMPLATES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace adflag {

// The near-duplicate signature of one text. Either empty (the text was too
// short to call a template) or a full MinHash sketch with its band keys.
class TemplateSignature {
 public:
  // Words per shingle.
  static constexpr int kShingleWords = 3;
  // Texts with fewer shingles (fewer than 10 words) get an empty signature.
  static constexpr int kMinShingles = 8;
  // MinHash values in the sketch, cut into kBands bands of kRowsPerBand.
  static constexpr int kValues = 64;
  static constexpr int kBands = 16;
  static constexpr int kRowsPerBand = 4;

  // An empty signature.
  TemplateSignature() = default;

  // Returns true when the text had fewer than kMinShingles shingles. An
  // empty signature has all values and band keys zero.
  bool empty() const { return empty_; }

  // The MinHash sketch: value i is the smallest shingle hash of bin i, or
  // a densified copy of another bin's value when bin i had none.
  const std::array<uint64_t, kValues>& values() const { return values_; }

  // One key per band: the hash of the band's index and its kRowsPerBand
  // values. Two texts share band b's key when their values in band b match.
  const std::array<uint64_t, kBands>& band_keys() const { return band_keys_; }

  bool operator==(const TemplateSignature&) const = default;

 private:
  friend TemplateSignature ComputeSignature(std::string_view folded_text);

  bool empty_ = true;
  std::array<uint64_t, kValues> values_{};
  std::array<uint64_t, kBands> band_keys_{};
};

// Returns the signature of `folded_text`, the normalizer's folded view of a
// listing (e.g. title + "\n" + body). Words are runs of ASCII letters and
// digits and of bytes >= 0x80; every other byte separates words. The result
// is empty when the text has fewer than TemplateSignature::kMinShingles
// shingles. Hashes use fixed seeds: the same text gives the same signature
// on every machine and in every run. Never fails; one hash per word.
TemplateSignature ComputeSignature(std::string_view folded_text);

// Returns the fraction of equal sketch values of `a` and `b`, an estimate
// of the Jaccard similarity of their shingle sets, in [0, 1]. Returns 0
// when either signature is empty.
double EstimateSimilarity(const TemplateSignature& a,
                          const TemplateSignature& b);

// What a TemplateIndex knows of one cluster. Independent of the order in
// which listings were added and of how they were split over shards.
struct TemplateCluster {
  // The smallest band key of the cluster, as 16 lower-case hex digits.
  std::string key;
  // Listings in the cluster.
  uint64_t size = 0;
  // Distinct non-empty phones of those listings.
  uint64_t phones = 0;
  // The (up to) kMaxSampleIds smallest listing ids, in byte order.
  std::vector<std::string> sample_ids;

  bool operator==(const TemplateCluster&) const = default;
};

// An exact, mergeable clustering of listings by signature bands: listings
// whose signatures share any band key are in one cluster, transitively.
// Memory grows with the distinct band keys (24 to 36 bytes each: the key,
// its union-find parent and a hash slot), and per cluster with its distinct
// phones and sample ids, never with the text. Every query sees all listings
// added so far: there is no Finish step.
//
// TODO: clusters are the transitive closure of shared bands, and at 16 x 4
// one pair in eight of Jaccard 0.3 shares a band, so texts built from the
// same boilerplate sentences chain into one giant cluster (19,269 of the
// 20,000 listings of bench/gen_listings.py). Dropping boilerplate shingles
// or a stricter band shape (e.g. 128 values as 16 bands of 8 rows) would
// cut the chaining; 8 bands of 8 rows tried here cut it (largest cluster
// 184 of 200,000) but also split template families whose slots differ
// (Jaccard about 0.6), which is what the index is for. Dropping shingles
// by document frequency needs a count over the whole run first (a
// count-min sketch would keep it mergeable).
class TemplateIndex {
 public:
  // Sample listing ids kept per cluster.
  static constexpr size_t kMaxSampleIds = 5;

  // Adds one listing with its canonical phone (e.g. "+19155550110"; empty
  // when it has none). Does nothing when `signature` is empty. REQUIRES:
  // every listing is added once, to one index of a sharded run; a listing
  // added twice counts twice.
  void Add(const TemplateSignature& signature, std::string_view listing_id,
           std::string_view phone);

  // The same for a listing with any number of phones; empty strings in
  // `phones` are skipped.
  void Add(const TemplateSignature& signature, std::string_view listing_id,
           std::span<const std::string> phones);

  // Adds every listing of `other` (e.g. another shard's index). Adding
  // listings in any order, split over any number of indexes, then merging
  // them in any order gives the same clusters and aggregates as one index
  // fed everything. REQUIRES: the indexes hold disjoint listings (merging
  // an index into itself counts its listings twice).
  void Merge(const TemplateIndex& other);

  // Returns the cluster that holds the first band key of `signature` the
  // index knows; for a signature added to this index (or to one merged
  // into it) that is its own cluster. Returns nullopt when `signature` is
  // empty or none of its band keys is known.
  std::optional<TemplateCluster> ClusterOf(
      const TemplateSignature& signature) const;

  // Returns every cluster of at least `min_size` listings, ordered by key.
  std::vector<TemplateCluster> Clusters(uint64_t min_size = 1) const;

  // Returns the number of listings added, over all clusters.
  uint64_t listing_count() const { return listing_count_; }

  // Returns the number of distinct band keys held.
  size_t band_key_count() const { return keys_.size(); }

  // Replaces *out with the index as versioned JSON lines: a header line,
  // then one line per cluster ordered by key, each with its sorted band
  // keys, phones and sample ids. Canonical: two indexes with the same
  // clusters and aggregates write the same bytes, however built.
  void Write(std::string* out) const;

  // Parses the output of Write into *index, replacing its contents. Returns
  // false with a message in *error (naming the line) when `data` is
  // truncated, garbled, of another format or version, or inconsistent;
  // *index is then left unchanged. Never throws.
  static bool Read(std::string_view data, TemplateIndex* index,
                   std::string* error);

 private:
  // Aggregates of one cluster, kept at its union-find root only.
  struct ClusterTotals {
    uint64_t listings = 0;
    uint64_t band_keys = 0;
    uint64_t smallest_key = UINT64_MAX;
    std::set<std::string, std::less<>> phones;
    // Sorted, unique, at most kMaxSampleIds.
    std::vector<std::string> sample_ids;
  };

  // One band key, its cluster's smallest key and its union-find root.
  struct KeyInCluster {
    uint64_t cluster_key;
    uint64_t key;
    uint32_t root;
  };

  // Puts the distinct `keys` into one cluster with every cluster that
  // already holds one of them, and adds `totals` to that cluster.
  void AddToCluster(std::span<const uint64_t> keys,
                    const ClusterTotals& totals);

  // Puts the distinct `keys` into one cluster with every cluster that
  // already holds one of them, creating the keys it lacks, and returns
  // the cluster's root. The cluster's totals are left to the caller.
  uint32_t JoinKeys(std::span<const uint64_t> keys);

  // Asks the processor to load the home slots of `keys`, which
  // JoinKeys is about to look up.
  void PrefetchKeys(std::span<const uint64_t> keys) const;

  // Returns the slot where the search for `key` starts.
  size_t HomeSlot(uint64_t key) const;

  // Returns the node of `key`, or nullopt when the index lacks it.
  std::optional<uint32_t> FindNode(uint64_t key) const;

  // Adds `key`, which the index lacks, as a node of its own; its parent
  // is itself until the caller sets it.
  uint32_t CreateNode(uint64_t key);

  // Puts `node`, whose key is `key`, into the first free slot from the
  // key's home slot on.
  void PlaceInSlot(uint64_t key, uint32_t node);

  // Doubles the slot table and puts every node back into it.
  void GrowSlots();

  // Returns the root of `node`, halving the path on the way.
  uint32_t Root(uint32_t node);

  // Returns the root of `node`, leaving the path as it is.
  uint32_t RootOf(uint32_t node) const;

  // Joins the clusters of roots `a` and `b` (a != b) and returns the root
  // of the union: the root of the cluster with more band keys.
  uint32_t Union(uint32_t a, uint32_t b);

  // Returns every key with its root, ordered by the cluster's smallest key,
  // then by key: the keys of each cluster are adjacent.
  std::vector<KeyInCluster> KeysByCluster() const;

  // Returns every key with its root, the keys of each cluster adjacent,
  // in linear time; the clusters come in no set order and their
  // cluster_key is left 0.
  std::vector<KeyInCluster> KeysByRoot() const;

  // Returns the public view of the cluster rooted at `root`.
  TemplateCluster ClusterAt(uint32_t root) const;

  // Band key and union-find parent of each node.
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> parents_;
  // Open-addressing table from key to node: each slot holds the key's
  // high half and node + 1 (0 marks a free slot); its size is a power of
  // two, or zero before the first key.
  std::vector<uint64_t> slots_;
  int slot_bits_ = 0;
  // Totals of each root.
  std::unordered_map<uint32_t, ClusterTotals> totals_;
  uint64_t listing_count_ = 0;
  // Scratch space of JoinKeys.
  std::vector<uint32_t> join_roots_;
  std::vector<uint32_t> join_new_nodes_;
};

}  // namespace adflag

#endif  // ADFLAG_TEMPLATES_H_

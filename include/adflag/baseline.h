// Baselines for nightly runs: each output record carries a fingerprint of
// what the reviewer saw in it, so that the next night's run, given this
// night's output as its baseline, can tell which flags are new.
//
// The fingerprint is a hash of the listing's normalized text (the pack's
// text fields, folded as rules see them, with runs of white space made
// one space) and of the ids of the rules it fired, counted and shadow,
// sorted. It never depends on line numbers, file names, the listing id,
// scores or run times, so it survives reordering and re-exports. It is
// written "sha256:" and 32 hex digits; in a redacted run "hmac:" and the
// HMAC-SHA-256 under the redaction key, so that a shared output cannot
// be used to confirm a guessed text.
//
// A record's status against the baseline:
//   seen     the baseline holds a record with the same fingerprint;
//   changed  otherwise, the baseline holds a record with the same id;
//   new      neither.
// Records of a baseline written with --all whose listing was not flagged
// ("flagged":false) are read and left out: they were never reviewed.
// A listing without an id is reported under "SOURCE:LINE", which names a
// place, not a listing: it is seen or new, never changed, and such ids in
// the baseline are not compared.
//
// Usage:
//   Baseline baseline;
//   if (!Baseline::Load(path, max_line_bytes, keyed, &baseline, &error)) ...
//   Fingerprinter fingerprinter(key);                // one per thread
//   std::string fp = fingerprinter.Compute(pack, listing, fields, verdict);
//   BaselineStatus status = baseline.StatusOf(id, fp);

#ifndef ADFLAG_BASELINE_H_
#define ADFLAG_BASELINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/normalizer.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"

namespace adflag {

// A record's status against the baseline, in the order counts use.
enum class BaselineStatus { kNew, kChanged, kSeen };

// Returns "new", "changed" or "seen".
const char* BaselineStatusName(BaselineStatus status);

// Computes fingerprints. Holds a normalizer's buffers: one per thread.
class Fingerprinter {
 public:
  // An empty `key` makes plain SHA-256 fingerprints; any other the keyed
  // fingerprints of a redacted run.
  explicit Fingerprinter(std::string key = "");
  ~Fingerprinter();
  Fingerprinter(const Fingerprinter&) = delete;
  Fingerprinter& operator=(const Fingerprinter&) = delete;

  // Returns the fingerprint of `listing` with `verdict`: its values of the
  // fields `text_fields` (indexes into Listing::values, in the pack's
  // text_fields order) and the rules the verdict fired. The values are
  // folded as the rules see them; those `matcher` folded for the listing
  // already are taken from it, when it is given.
  std::string Compute(const RulePack& pack, const Listing& listing,
                      const std::vector<int>& text_fields,
                      const Verdict& verdict, const Matcher* matcher = nullptr);

 private:
  // OpenSSL's SHA-256, fetched once: a fetch per listing costs as much
  // as the hash.
  struct Digest;

  // The folded text of a value: the matcher's, or folded here.
  std::string_view FoldedText(int field, size_t position,
                              const FieldValue& value, const Matcher* matcher);

  std::string key_;
  std::unique_ptr<Digest> digest_;
  Normalizer normalizer_;
  NormalizedText folded_;
  std::string input_;
};

// The records of an earlier output: their ids and fingerprints. Immutable
// once loaded; any number of threads may read it.
class Baseline {
 public:
  // Reads the JSONL output of an earlier scan at `path` (compressed or
  // not) into *baseline. `keyed` says whether this run makes keyed
  // fingerprints (--redact). Returns false with a message in *error,
  // naming the file, line and, for broken JSON, column, when the file
  // cannot be read, a line is not a record of adflag scan with an id and
  // a fingerprint, or its fingerprints are of the other kind than this
  // run's. Blank lines are skipped.
  static bool Load(const std::string& path, uint64_t max_line_bytes, bool keyed,
                   Baseline* baseline, std::string* error);

  // Returns the status of a record with `id` and `fingerprint`; an empty
  // `id` (a listing without one) is never changed.
  BaselineStatus StatusOf(std::string_view id,
                          std::string_view fingerprint) const;

  // The number of records read, those left out included.
  uint64_t records() const { return records_; }

 private:
  std::unordered_set<std::string> ids_;
  std::unordered_set<std::string> fingerprints_;
  uint64_t records_ = 0;
};

}  // namespace adflag

#endif  // ADFLAG_BASELINE_H_

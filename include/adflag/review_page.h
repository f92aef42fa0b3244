// The review page of `adflag scan --format html`: one self-contained HTML
// file for the reviewer of a night's flags. The page's markup, style and
// script are ordinary files of the project (src/report/), embedded at
// build time; adflag only puts the night's data into it, as JSON inside a
// script element, escaped so that no listing text can end that element.
// The page's script sets listing text with textContent only.
//
// The page shows the flags sorted by score, so every record is held
// until the run ends: memory grows with the flagged listings (about the
// size of their JSON records, which carry the text of the fields the
// rules read), not with the input.
//
// Usage:
//   ReviewPage page(pack);
//   page.Add(batch_records);          // JSON lines, in input order
//   page.Write(run, [&](std::string_view part) { return out.Write(part); });

#ifndef ADFLAG_REVIEW_PAGE_H_
#define ADFLAG_REVIEW_PAGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "adflag/rule_pack.h"

namespace adflag {

// What the page says about the run besides its flags.
struct ReviewRun {
  std::vector<std::string> sources;
  uint64_t lines = 0;
  uint64_t listings = 0;
  uint64_t blank = 0;
  uint64_t rejected = 0;
  uint64_t repaired = 0;
  // The score from which listings were written.
  double threshold = 0;
  // True when listings were linked, so records carry `links`.
  bool linking = false;
  // True when every listing was written (--all).
  bool all = false;
};

// Receives the page part by part. Returns false when writing failed.
using PageSink = std::function<bool(std::string_view)>;

// Returns `json` with every '<', '>', '&', U+2028 and U+2029 written as a
// \u escape, so that it can stand inside an HTML script element and be
// read back by JSON.parse unchanged. REQUIRES: `json` is valid JSON, so
// that those characters occur only inside strings.
std::string EscapeJsonForScript(std::string_view json);

// Returns the "score" member of a flag record as the flag writer wrote
// it, or -1 when the record has none.
double RecordScore(std::string_view record);

// Gathers the flag records of a run and writes the page. Not
// thread-safe: one writer thread adds the records.
class ReviewPage {
 public:
  // `pack` must outlive the page.
  explicit ReviewPage(const RulePack& pack);

  // Takes the records of one batch: JSON lines each ending in "\n", as
  // the flag writer writes them (with their field texts), in input order.
  void Add(std::string_view records);

  // The number of records taken.
  size_t size() const { return records_.size(); }

  // Writes the whole page to `sink`: the records sorted by score, highest
  // first, listings of equal score in input order. Returns false as soon
  // as the sink does.
  bool Write(const ReviewRun& run, const PageSink& sink) const;

 private:
  struct Record {
    double score;
    std::string json;
  };

  std::string RunJson(const ReviewRun& run) const;

  const RulePack& pack_;
  std::vector<Record> records_;
};

}  // namespace adflag

#endif  // ADFLAG_REVIEW_PAGE_H_

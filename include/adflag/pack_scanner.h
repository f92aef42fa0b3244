// A PackScanner runs one rule pack over listings, one line at a time: it
// parses the line for the fields the pack reads, matches it, scores it and
// says whether the listing is flagged under the pack's own threshold. It
// is the per-listing path of a scan without the pipeline around it, for
// commands that want verdicts one by one; `adflag diff` runs two of them,
// one per pack, over the same lines.
//
// A PackScanner owns its pack and the scratch space of its parser and
// matcher, and keeps the listing and verdict of the last line it scanned:
// one PackScanner per thread.
//
// Usage:
//   auto scanner = PackScanner::Create(std::move(pack), fields, &problems);
//   RejectReason reason;
//   if (scanner->Scan(line.content(), &reason) && scanner->flagged()) ...

#ifndef ADFLAG_PACK_SCANNER_H_
#define ADFLAG_PACK_SCANNER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "adflag/diagnostic.h"
#include "adflag/links.h"
#include "adflag/listing_links.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"

namespace adflag {

// Returns true when a verdict is a flag: at least one counted rule fired
// and the score reached `threshold`.
bool IsFlagged(const Verdict& verdict, double threshold);

// Scores listings with one pack.
class PackScanner {
 public:
  ~PackScanner();
  PackScanner(const PackScanner&) = delete;
  PackScanner& operator=(const PackScanner&) = delete;

  // Compiles `pack` and prepares a parser that takes from each listing the
  // id and strict-UTF-8 setting of `fields` and the fields the pack reads
  // (fields.text_fields is replaced; included_fields is kept). Returns
  // null and adds diagnostics when a pattern does not compile. REQUIRES:
  // `pack` passed the loader's checks (LoadRulePack returned true).
  static std::unique_ptr<PackScanner> Create(
      RulePack pack, ListingFields fields,
      std::vector<Diagnostic>* diagnostics);

  // Parses, matches and scores one line: the text of Line::content(), not
  // blank. Returns false and fills *reason when the line is rejected; the
  // previous listing and verdict are then no longer valid.
  bool Scan(std::string_view content, RejectReason* reason);

  // The pack, as loaded.
  const RulePack& pack() const { return pack_; }

  // The listing and verdict of the last line Scan accepted.
  const Listing& listing() const { return listing_; }
  const Verdict& verdict() const { return verdict_; }

  // True when the last listing is flagged under the pack's threshold.
  bool flagged() const;

  // True when the pack has rules on linking: every input must then be read
  // through Gather (GatherInputs) before any line is scanned.
  bool uses_links() const { return linking_; }

  // Adds the listing on one line to what the scanner knows of the run's
  // contacts and templates, under `fallback_id` when it has no id. Lines
  // that are not listings are skipped here; Scan rejects them.
  void Gather(std::string_view content, const std::string& fallback_id);

 private:
  explicit PackScanner(RulePack pack);

  // Declared in the order they are built: each refers to those above it.
  RulePack pack_;
  std::unique_ptr<CompiledPack> compiled_;
  std::unique_ptr<Scorer> scorer_;
  std::unique_ptr<ListingParser> parser_;
  std::unique_ptr<Matcher> matcher_;
  LinkFields link_fields_;
  std::unique_ptr<ListingLinker> linker_;
  bool linking_ = false;
  LinkIndex links_;
  LinkFacts facts_;

  Listing listing_;
  MatchResult matches_;
  Verdict verdict_;
};

// The first pass of a run whose packs have rules on linking: reads every
// input once and gathers each listing into every scanner that uses links.
// Returns false with a message in *error when an input cannot be read, or
// is standard input ("-"), which cannot be read twice.
bool GatherInputs(const std::vector<std::string>& inputs,
                  uint64_t max_line_bytes,
                  const std::vector<PackScanner*>& scanners,
                  std::string* error);

}  // namespace adflag

#endif  // ADFLAG_PACK_SCANNER_H_

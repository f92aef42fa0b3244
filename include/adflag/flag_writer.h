// The flag writer turns a listing's verdict into its output record: one
// JSON object per line, as the README describes, with the evidence of
// every fired rule cut from the original field text. Every output format
// writes the same ListingRecord through a RecordWriter: its fingerprint,
// its status against a baseline and, in a redacted run, the Redactor that
// replaces its contacts (csv_writer.h is the other format).

#ifndef ADFLAG_FLAG_WRITER_H_
#define ADFLAG_FLAG_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "adflag/entities.h"
#include "adflag/links.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/redaction.h"
#include "adflag/scorer.h"

namespace adflag {

// A listing and where it came from, ready to be written.
struct ListingRecord {
  const std::string* source = nullptr;
  uint64_t line = 0;
  const Listing* listing = nullptr;
  const Verdict* verdict = nullptr;
  bool flagged = false;
  // The listing's entities; null writes none.
  const std::vector<Entity>* entities = nullptr;
  // In a linked run: what linking says of the listing, for the evidence of
  // link conditions, and its `links` object as JSON; null otherwise.
  const LinkFacts* facts = nullptr;
  const std::string* links_json = nullptr;
  // The listing's fingerprint (baseline.h); empty writes none.
  std::string_view fingerprint = {};
  // Its status against the baseline ("new", "changed", "seen"); null when
  // the run has no baseline.
  const char* status = nullptr;
  // In a redacted run, replaces the contacts in everything written from
  // the listing; null otherwise. One per thread, like the record.
  Redactor* redactor = nullptr;
};

// How records are written.
struct OutputOptions {
  // Write every listing, not only flagged ones; records then carry a
  // "flagged" member.
  bool all = false;
  // Fields copied through, in the order Listing::included holds them.
  std::vector<std::string> include_fields;
  // The run has a baseline: records carry a status.
  bool status = false;
  // The run links listings: records carry links.
  bool links = false;
  // Add a "texts" member: every value of the fields the rules read, the
  // pack's text fields first, so that the review page can show evidence
  // in place.
  bool with_texts = false;
};

// Returns the id a listing is reported under: its id field, or
// "SOURCE:LINE" when it has none.
std::string ListingId(const ListingRecord& record);

// Formats output records in one format. Immutable; shared by all
// threads.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;

  // Appends what the output starts with, before any record (the header
  // row of CSV), to *out; nothing for JSON lines.
  virtual void AppendHeader(std::string* out) const;

  // Appends the output of `record` to *out.
  virtual void Append(const ListingRecord& record, std::string* out) const = 0;
};

// Formats output records as JSON lines.
class FlagWriter : public RecordWriter {
 public:
  // `pack` must outlive the writer.
  FlagWriter(const CompiledPack& pack, OutputOptions options);

  // Appends the JSON line of `record`, ending in "\n", to *out.
  void Append(const ListingRecord& record, std::string* out) const override;

 private:
  const CompiledPack& pack_;
  OutputOptions options_;
};

}  // namespace adflag

#endif  // ADFLAG_FLAG_WRITER_H_

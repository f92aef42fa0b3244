// The CSV output of `adflag scan --format csv`: a header row, then one row
// per written listing, as RFC 4180 says (rows end in CRLF; a field that
// holds a comma, a double quote, a CR or an LF is put in double quotes,
// with its double quotes doubled). Spreadsheets and sqlite3's `.import`
// read it as it is.
//
// The columns, in order (those in brackets only when the run has them):
//
//   id, source, line, score, level, [flagged] (--all), [status]
//   (--baseline), fingerprint, rules, shadow, evidence_rule,
//   evidence_field, evidence_start, evidence_end, evidence_text, phones,
//   emails, urls, handles, obscured, [phone_listings, phone_cities,
//   phone_regions, email_listings, handle_listings, cluster_size,
//   cluster_phones, obscured_phones, cluster] (linked runs), then one
//   column per --include field, named as given.
//
// Lists (rule ids, entities) are joined by single spaces. The evidence is
// the first hit in text of the first counted rule that has one (of a
// shadow rule when no counted rule has); evidence_field is the field,
// with "[i]" for the i-th element of an array. An included string is its
// text; another JSON value its JSON text; a missing field or null an
// empty cell. In a redacted run every contact is replaced by its token,
// as in JSON lines.

#ifndef ADFLAG_CSV_WRITER_H_
#define ADFLAG_CSV_WRITER_H_

#include <string>
#include <string_view>

#include "adflag/flag_writer.h"

namespace adflag {

// Appends `field` to *out as one CSV field: in double quotes, with its
// double quotes doubled, when it holds a comma, a double quote, a CR or an
// LF; as it is otherwise.
void AppendCsvField(std::string_view field, std::string* out);

// Formats output records as CSV rows. Immutable; shared by all threads.
class CsvWriter : public RecordWriter {
 public:
  // `pack` must outlive the writer.
  CsvWriter(const CompiledPack& pack, OutputOptions options);

  // Appends the header row, ending in CRLF.
  void AppendHeader(std::string* out) const override;

  // Appends the row of `record`, ending in CRLF.
  void Append(const ListingRecord& record, std::string* out) const override;

 private:
  void AppendEvidence(const ListingRecord& record, std::string* out) const;
  void AppendIncluded(const ListingRecord& record, std::string* out) const;

  const CompiledPack& pack_;
  OutputOptions options_;
};

}  // namespace adflag

#endif  // ADFLAG_CSV_WRITER_H_

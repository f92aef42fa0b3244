// Fuzzes the line reader and the listing parser together, as a scan feeds
// them: the input is read from a file in memory (plain, gzip or zstd, by
// its bytes), every line is parsed as a listing, leniently and strictly.
// For a plain input the lines put back together are the input byte for
// byte, line numbers count up from 1, and every accepted listing's values
// are valid UTF-8, as the normalizer requires.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adflag/line_reader.h"
#include "adflag/listing_parser.h"
#include "fuzz_check.h"

namespace {

using adflag::fuzz::Check;

// A line limit small enough for the fuzzer to cross.
constexpr uint64_t kMaxLineBytes = 512;

adflag::ListingFields Fields(bool strict) {
  adflag::ListingFields fields;
  fields.text_fields = {"title", "body", "/contact/phone", "/tags"};
  fields.included_fields = {"url", "/a/b"};
  fields.strict_utf8 = strict;
  fields.first_late_field = 2;
  return fields;
}

void CheckListing(const adflag::Listing& listing) {
  Check(adflag::fuzz::IsValidUtf8(listing.id), "id is not UTF-8");
  for (const auto& values : listing.values) {
    for (const adflag::FieldValue& value : values) {
      Check(adflag::fuzz::IsValidUtf8(value.text), "value is not UTF-8");
    }
  }
}

// Parses one line as a scan does, in both UTF-8 modes.
void ParseLine(const adflag::Line& line, adflag::ListingParser* lenient,
               adflag::ListingParser* strict) {
  if (line.too_long || adflag::IsBlankLine(line.content())) return;

  adflag::Listing listing;
  adflag::RejectReason reason;
  if (lenient->Parse(line.content(), &listing, &reason)) {
    lenient->ReadLateFields(&listing);
    CheckListing(listing);
  } else {
    Check(!reason.message.empty(), "rejected without a reason");
    Check(reason.column >= 0, "negative column");
    Check(static_cast<size_t>(reason.column) <= line.content().size() + 1,
          "column past the end of the line");
  }

  adflag::Listing strict_listing;
  if (strict->Parse(line.content(), &strict_listing, &reason)) {
    CheckListing(strict_listing);
    Check(!strict_listing.repaired, "strict mode repaired a line");
  }
}

// An in-memory file holding `data`, named by its /proc path.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view data)
      : fd_(memfd_create("fuzz-input", MFD_CLOEXEC)) {
    Check(fd_ >= 0, "memfd_create failed");
    Check(write(fd_, data.data(), data.size()) ==
              static_cast<ssize_t>(data.size()),
          "cannot fill the in-memory file");
  }
  ~MemoryFile() { close(fd_); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  MemoryFile file(input);
  std::string error;
  std::unique_ptr<adflag::LineReader> reader =
      adflag::LineReader::Open(file.path(), kMaxLineBytes, &error);
  Check(reader != nullptr, "a readable file did not open");

  adflag::ListingParser lenient(Fields(false));
  adflag::ListingParser strict(Fields(true));
  std::string joined;
  adflag::Line line;
  uint64_t expected_number = 1;
  while (reader->Next(&line)) {
    Check(line.number == expected_number++, "line numbers skip");
    Check(line.too_long == (line.raw.size() > kMaxLineBytes),
          "too_long disagrees with the line's size");
    ParseLine(line, &lenient, &strict);
    joined += line.raw;
    joined += '\n';
  }

  if (reader->compression() != adflag::Compression::kNone) return 0;
  Check(reader->error().empty(), "a plain input failed to read");
  if (!input.empty() && input.back() != '\n') joined.pop_back();
  Check(joined == input, "lines do not add up to the input");
  return 0;
}

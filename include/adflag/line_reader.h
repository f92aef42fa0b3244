// The line reader turns one input (a file, or standard input for "-") into
// a stream of lines, decompressing gzip and zstd inputs on the way. The
// format is recognised by its magic bytes, not by the file name, so a
// compressed export renamed to .jsonl still reads.
//
// Every line keeps its exact bytes, so a line that is rejected later can be
// written out byte for byte and run again. A line longer than the limit
// is still read in full (it is needed for the rejects file) but flagged.
//
// A LineReader is used by one thread at a time.

#ifndef ADFLAG_LINE_READER_H_
#define ADFLAG_LINE_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {

// How an input was stored.
enum class Compression { kNone, kGzip, kZstd };

// One line of input.
struct Line {
  // The line's bytes as they were in the input, without the final "\n"
  // but with any "\r" before it and, on line 1, any byte-order mark.
  std::string raw;
  // 1-based line number within its input.
  uint64_t number = 0;
  // True when `raw` is longer than the reader's limit.
  bool too_long = false;

  // Returns the line without a UTF-8 byte-order mark on line 1 and without
  // a final "\r": the text that is parsed as JSON.
  std::string_view content() const { return ContentOf(raw, number); }

  // The same for the bytes `raw` of line `number`.
  static std::string_view ContentOf(std::string_view raw, uint64_t number);
};

// Reads lines from one input.
class LineReader {
 public:
  virtual ~LineReader() = default;

  // Opens `path` ("-" for standard input) and detects its compression.
  // Lines longer than `max_line_bytes` are flagged too_long. Returns null
  // and sets *error to a message naming the file when it cannot be read.
  static std::unique_ptr<LineReader> Open(const std::string& path,
                                          uint64_t max_line_bytes,
                                          std::string* error);

  // Opens part `shard` (1-based) of `shards` equal byte ranges of the
  // uncompressed file `path`, as the split of a map-reduce job. A line
  // belongs to the part that holds its first byte, and keeps the line
  // number it has in the whole file, so the parts' outputs put end to end
  // are the whole file's. Returns null and sets *error when `path` is
  // standard input, not a regular file, compressed or unreadable.
  static std::unique_ptr<LineReader> OpenShard(const std::string& path,
                                               uint64_t max_line_bytes,
                                               int shard, int shards,
                                               std::string* error);

  // Reads the next line into *line. Returns false at the end of the input
  // or on a read error; error() tells which. A last line without a final
  // "\n" is still returned.
  virtual bool Next(Line* line) = 0;

  // Reads the next line as Next does, but appends its bytes to *bytes and
  // leaves line->raw empty: the form for a reader that gathers many lines
  // in one buffer. Appends nothing when it returns false.
  virtual bool NextAppended(std::string* bytes, Line* line) = 0;

  // Returns an empty string, or the message of the read or decompression
  // error that ended the input early, naming the file and the line after
  // which it happened (for example "nightly.jsonl.gz: truncated gzip
  // stream after line 1200").
  virtual const std::string& error() const = 0;

  // The bytes read from the file so far, as stored: compressed bytes for a
  // compressed input. Runs ahead of the lines returned by up to a chunk.
  virtual uint64_t bytes_read() const = 0;

  // The compression detected when the input was opened.
  virtual Compression compression() const = 0;

  // The name used in diagnostics and in listing ids: the path as given,
  // or "<stdin>".
  virtual const std::string& name() const = 0;
};

// Returns true when `content` holds nothing but spaces, tabs and carriage
// returns: a blank line, which is counted, not rejected.
bool IsBlankLine(std::string_view content);

// Returns true when every input can be opened for reading ("-" always
// can). Otherwise returns false and sets *error naming the first one that
// cannot, so that a mistyped name fails before any output is written.
bool CheckInputsReadable(const std::vector<std::string>& inputs,
                         std::string* error);

}  // namespace adflag

#endif  // ADFLAG_LINE_READER_H_

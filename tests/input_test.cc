// Tests of the input side: the line reader and the listing parser.

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adflag/line_reader.h"
#include "adflag/listing_parser.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kNoLimit = uint64_t{1} << 40;

// A directory of its own for one test, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("adflag_input_test_" + std::to_string(getpid()) + "_" +
             std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  // Writes `bytes` to the file `name` in the directory; returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    std::string file = (path_ / name).string();
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }

  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// Deflates `parts` into one gzip member, flushing after each part so that
// a cut at offsets[i] leaves parts 0..i decodable.
std::string Gzip(const std::vector<std::string>& parts,
                 std::vector<size_t>* offsets = nullptr) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                       16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  size_t total = 0;
  for (const std::string& part : parts) total += part.size();
  std::string out(deflateBound(&stream, total) + 64 * parts.size(), '\0');
  for (size_t i = 0; i < parts.size(); ++i) {
    stream.next_in =
        reinterpret_cast<Bytef*>(const_cast<char*>(parts[i].data()));
    stream.avail_in = static_cast<uInt>(parts[i].size());
    int flush = i + 1 == parts.size() ? Z_FINISH : Z_FULL_FLUSH;
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    REQUIRE(deflate(&stream, flush) ==
            (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
    if (offsets != nullptr) offsets->push_back(stream.total_out);
  }
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string Gzip(const std::string& text) {
  return Gzip(std::vector<std::string>{text});
}

std::string Zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t size =
      ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  REQUIRE(!ZSTD_isError(size));
  out.resize(size);
  return out;
}

std::unique_ptr<LineReader> OpenOrFail(const std::string& path,
                                       uint64_t max_line_bytes = kNoLimit) {
  std::string error;
  std::unique_ptr<LineReader> reader =
      LineReader::Open(path, max_line_bytes, &error);
  INFO(error);
  REQUIRE(reader != nullptr);
  return reader;
}

// Reads every line's raw bytes.
std::vector<std::string> ReadRaw(LineReader* reader) {
  std::vector<std::string> lines;
  Line line;
  while (reader->Next(&line)) {
    CHECK(line.number == lines.size() + 1);
    lines.push_back(line.raw);
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST_CASE("plain lines come without their newlines", "[line_reader]") {
  TempDir dir;
  std::string path = dir.Write("ads.jsonl", "{\"id\":1}\n{\"id\":2}\n");
  auto reader = OpenOrFail(path);
  CHECK(reader->compression() == Compression::kNone);
  CHECK(reader->name() == path);
  CHECK(ReadRaw(reader.get()) == Lines{"{\"id\":1}", "{\"id\":2}"});
  CHECK(reader->error().empty());
}

TEST_CASE("CRLF lines keep the CR in raw but not in content", "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("crlf.jsonl", "a\r\nb\r\n"));
  Line line;
  REQUIRE(reader->Next(&line));
  CHECK(line.raw == "a\r");
  CHECK(line.content() == "a");
  REQUIRE(reader->Next(&line));
  CHECK(line.raw == "b\r");
  CHECK(line.content() == "b");
  CHECK_FALSE(reader->Next(&line));
}

TEST_CASE("a byte-order mark is dropped from line 1's content only",
          "[line_reader]") {
  TempDir dir;
  auto reader =
      OpenOrFail(dir.Write("bom.jsonl", "\xEF\xBB\xBF{}\n\xEF\xBB\xBF{}\n"));
  Line line;
  REQUIRE(reader->Next(&line));
  CHECK(line.raw == "\xEF\xBB\xBF{}");
  CHECK(line.content() == "{}");
  REQUIRE(reader->Next(&line));
  CHECK(line.content() == "\xEF\xBB\xBF{}");
}

TEST_CASE("blank lines come through as empty content", "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("blank.jsonl", "a\n\n\r\nb\n"));
  Line line;
  std::vector<std::string> contents;
  while (reader->Next(&line)) contents.emplace_back(line.content());
  CHECK(contents == Lines{"a", "", "", "b"});
}

TEST_CASE("a last line without a newline is returned", "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("last.jsonl", "a\nb"));
  CHECK(ReadRaw(reader.get()) == Lines{"a", "b"});
  CHECK(reader->error().empty());
}

TEST_CASE("an empty file yields no lines", "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("empty.jsonl", ""));
  CHECK(ReadRaw(reader.get()).empty());
  CHECK(reader->error().empty());
}

TEST_CASE("concatenated gzip members are read one after another",
          "[line_reader]") {
  TempDir dir;
  std::string path =
      dir.Write("two.jsonl.gz", Gzip("one\ntwo\n") + Gzip("three\nfour"));
  auto reader = OpenOrFail(path);
  CHECK(reader->compression() == Compression::kGzip);
  CHECK(ReadRaw(reader.get()) == Lines{"one", "two", "three", "four"});
  CHECK(reader->error().empty());
}

TEST_CASE("gzip is detected by its magic bytes, not the file name",
          "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("renamed.jsonl", Gzip("a\nb\n")));
  CHECK(reader->compression() == Compression::kGzip);
  CHECK(ReadRaw(reader.get()) == Lines{"a", "b"});
}

TEST_CASE("zstd frames are read one after another", "[line_reader]") {
  TempDir dir;
  std::string path =
      dir.Write("two.jsonl.zst", Zstd("one\ntwo\n") + Zstd("three\n"));
  auto reader = OpenOrFail(path);
  CHECK(reader->compression() == Compression::kZstd);
  CHECK(ReadRaw(reader.get()) == Lines{"one", "two", "three"});
  CHECK(reader->error().empty());
}

TEST_CASE("a truncated gzip stream ends with an error after the last line",
          "[line_reader]") {
  TempDir dir;
  std::string first;
  for (int i = 1; i <= 12; ++i) first += "{\"id\":" + std::to_string(i) + "}\n";
  std::vector<size_t> offsets;
  std::string gzip = Gzip({first, "{\"id\":13}\n{\"id\":14}\n"}, &offsets);
  std::string path = dir.Write("x.jsonl.gz", gzip.substr(0, offsets[0]));

  auto reader = OpenOrFail(path);
  std::vector<std::string> lines = ReadRaw(reader.get());
  CHECK(lines.size() == 12);
  CHECK(lines.back() == "{\"id\":12}");
  CHECK(reader->error() == path + ": truncated gzip stream after line 12");
}

TEST_CASE("a gzip stream missing only its trailer is truncated",
          "[line_reader]") {
  TempDir dir;
  std::string gzip = Gzip("a\nb\n");
  std::string path = dir.Write("x.gz", gzip.substr(0, gzip.size() - 4));
  auto reader = OpenOrFail(path);
  CHECK(ReadRaw(reader.get()) == Lines{"a", "b"});
  CHECK(reader->error() == path + ": truncated gzip stream after line 2");
}

TEST_CASE("corrupt zstd data ends with an error naming the last line",
          "[line_reader]") {
  TempDir dir;
  std::string path =
      dir.Write("x.jsonl.zst", Zstd("a\nb\nc\n") + "not zstd at all");
  auto reader = OpenOrFail(path);
  CHECK(ReadRaw(reader.get()) == Lines{"a", "b", "c"});
  CHECK(reader->error() ==
        path + ": corrupt zstd data after line 3: Unknown frame descriptor");
}

TEST_CASE("a truncated zstd frame ends with an error", "[line_reader]") {
  TempDir dir;
  std::string zstd = Zstd("a\nb\n") + Zstd("c\n");
  std::string path = dir.Write("x.zst", zstd.substr(0, zstd.size() - 1));
  auto reader = OpenOrFail(path);
  CHECK(ReadRaw(reader.get()) == Lines{"a", "b"});
  CHECK(reader->error() == path + ": truncated zstd stream after line 2");
}

TEST_CASE("a missing file cannot be opened", "[line_reader]") {
  TempDir dir;
  std::string path = dir.path() + "/x.jsonl";
  std::string error;
  CHECK(LineReader::Open(path, kNoLimit, &error) == nullptr);
  CHECK(error == "cannot open '" + path + "': No such file or directory");
}

TEST_CASE("a directory cannot be read", "[line_reader]") {
  TempDir dir;
  std::string error;
  CHECK(LineReader::Open(dir.path(), kNoLimit, &error) == nullptr);
  CHECK(error == "cannot read '" + dir.path() + "': Is a directory");
}

TEST_CASE("lines over the limit are read in full and flagged too_long",
          "[line_reader]") {
  TempDir dir;
  auto reader = OpenOrFail(dir.Write("long.jsonl", "12345\n123456\n1234\n"), 5);
  Line line;
  REQUIRE(reader->Next(&line));
  CHECK_FALSE(line.too_long);
  REQUIRE(reader->Next(&line));
  CHECK(line.raw == "123456");
  CHECK(line.too_long);
  REQUIRE(reader->Next(&line));
  CHECK_FALSE(line.too_long);
}

TEST_CASE("lines longer than the read buffers are joined", "[line_reader]") {
  TempDir dir;
  std::string big(3 * 1024 * 1024 + 17, 'x');
  std::string text = "a\n" + big + "\nb\n";
  for (const std::string& bytes : {text, Gzip(text), Zstd(text)}) {
    auto reader = OpenOrFail(dir.Write("big", bytes), 1000);
    Line line;
    REQUIRE(reader->Next(&line));
    REQUIRE(reader->Next(&line));
    CHECK(line.raw == big);
    CHECK(line.too_long);
    REQUIRE(reader->Next(&line));
    CHECK(line.raw == "b");
    CHECK(line.number == 3);
    CHECK_FALSE(reader->Next(&line));
  }
}

TEST_CASE("a file longer than a mapped window is read whole", "[line_reader]") {
  TempDir dir;
  // 999-byte lines, so that lines straddle every 8 MiB window edge.
  std::string text;
  const std::string line_bytes(998, 'y');
  for (int i = 0; i < 20000; ++i) text += line_bytes + "\n";
  text += "last";
  auto reader = OpenOrFail(dir.Write("long", text), kNoLimit);
  Line line;
  uint64_t count = 0;
  bool all_whole = true;
  std::string last;
  while (reader->Next(&line)) {
    ++count;
    if (count <= 20000 && line.raw != line_bytes) all_whole = false;
    last = line.raw;
  }
  CHECK(count == 20001);
  CHECK(all_whole);
  CHECK(last == "last");
  CHECK(reader->error().empty());
}

TEST_CASE("a file that shrinks while it is read ends with an error",
          "[line_reader]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 30000; ++i) text += std::string(99, 'z') + "\n";
  const std::string path = dir.Write("shrinking", text);
  auto reader = OpenOrFail(path, kNoLimit);
  Line line;
  REQUIRE(reader->Next(&line));

  // Ten lines are left; the pages after them are gone.
  fs::resize_file(path, 1000);
  uint64_t count = 1;
  while (reader->Next(&line)) ++count;
  CHECK(count == 10);
  CHECK(reader->error() == path +
                               ": read error after line 10: the file shrank "
                               "while it was read");
}

// A line as read: its number and its bytes.
using NumberedLine = std::pair<uint64_t, std::string>;

// Reads every line of part `shard` of `shards` of `path`.
std::vector<NumberedLine> ReadShard(const std::string& path, int shard,
                                    int shards) {
  std::string error;
  auto reader = LineReader::OpenShard(path, kNoLimit, shard, shards, &error);
  INFO(error);
  REQUIRE(reader != nullptr);
  std::vector<NumberedLine> lines;
  Line line;
  while (reader->Next(&line)) lines.emplace_back(line.number, line.raw);
  CHECK(reader->error().empty());
  return lines;
}

TEST_CASE("the parts of a file put end to end are the whole file",
          "[line_reader]") {
  TempDir dir;
  std::string long_line(2 * 1024 * 1024 + 5, 'y');
  const std::vector<std::string> files = {
      "",
      "a\n",
      "\xEF\xBB\xBF"
      "first\nsecond\nthird",
      "one\r\ntwo\r\n\r\nfour\r\n",
      "\n\n\n\n\n",
      "x\n" + long_line + "\nz\n",
      "0123456789\nab\nc\n\nlast line without newline"};
  for (const std::string& bytes : files) {
    std::string path = dir.Write("whole.jsonl", bytes);
    std::vector<NumberedLine> whole = ReadShard(path, 1, 1);
    for (int shards = 1; shards <= 9; ++shards) {
      std::vector<NumberedLine> joined;
      for (int shard = 1; shard <= shards; ++shard) {
        for (NumberedLine& line : ReadShard(path, shard, shards)) {
          joined.push_back(std::move(line));
        }
      }
      INFO(shards << " shards of a file of " << bytes.size() << " bytes");
      CHECK(joined == whole);
    }
  }
}

TEST_CASE("a line belongs to the part that holds its first byte",
          "[line_reader]") {
  TempDir dir;
  // 24 bytes: part 1 of 2 is bytes 0-11, part 2 starts at byte 12.
  std::string path = dir.Write("two.jsonl", "aaaaa\nbbbbb\nccccc\nddddd\n");
  CHECK(ReadShard(path, 1, 2) ==
        std::vector<NumberedLine>{{1, "aaaaa"}, {2, "bbbbb"}});
  CHECK(ReadShard(path, 2, 2) ==
        std::vector<NumberedLine>{{3, "ccccc"}, {4, "ddddd"}});
  // Part 2 of 3 starts at byte 8, inside line 2: it gets line 3 only.
  CHECK(ReadShard(path, 1, 3) ==
        std::vector<NumberedLine>{{1, "aaaaa"}, {2, "bbbbb"}});
  CHECK(ReadShard(path, 2, 3) == std::vector<NumberedLine>{{3, "ccccc"}});
  CHECK(ReadShard(path, 3, 3) == std::vector<NumberedLine>{{4, "ddddd"}});
}

TEST_CASE("only uncompressed regular files are read in parts",
          "[line_reader]") {
  TempDir dir;
  std::string error;
  std::string gzipped = dir.Write("x.jsonl.gz", Gzip("a\nb\n"));
  CHECK(LineReader::OpenShard(gzipped, kNoLimit, 1, 2, &error) == nullptr);
  CHECK(error == "cannot read '" + gzipped +
                     "' in shards: it is compressed; decompress it first");
  CHECK(LineReader::OpenShard(dir.path(), kNoLimit, 1, 2, &error) == nullptr);
  CHECK(error ==
        "cannot read '" + dir.path() + "' in shards: it is not a regular file");
  CHECK(LineReader::OpenShard("-", kNoLimit, 1, 2, &error) == nullptr);
  CHECK(error == "cannot read standard input in shards: name a file");
  std::string missing = dir.path() + "/missing.jsonl";
  CHECK(LineReader::OpenShard(missing, kNoLimit, 1, 2, &error) == nullptr);
  CHECK(error ==
        "cannot read '" + missing + "' in shards: No such file or directory");
}

// --- Listing parser ---

ListingFields Fields(std::vector<std::string> text,
                     std::vector<std::string> included = {}) {
  ListingFields fields;
  fields.text_fields = std::move(text);
  fields.included_fields = std::move(included);
  return fields;
}

// Parses a line that must be accepted.
Listing ParseOk(ListingParser* parser, std::string_view line) {
  Listing listing;
  RejectReason reason;
  bool accepted = parser->Parse(line, &listing, &reason);
  INFO(reason.message);
  CHECK(accepted);
  return listing;
}

// Parses a line that must be rejected.
RejectReason ParseRejected(ListingParser* parser, std::string_view line) {
  Listing listing;
  RejectReason reason;
  CHECK_FALSE(parser->Parse(line, &listing, &reason));
  return reason;
}

std::vector<std::string> Texts(const std::vector<FieldValue>& values) {
  std::vector<std::string> texts;
  for (const FieldValue& value : values) texts.push_back(value.text);
  return texts;
}

TEST_CASE("field names become JSON pointers", "[listing_parser]") {
  CHECK(FieldPointer("body") == "/body");
  CHECK(FieldPointer("a/b~c") == "/a~1b~0c");
  CHECK(FieldPointer("/contact/phone") == "/contact/phone");
}

TEST_CASE("pointer syntax is checked", "[listing_parser]") {
  CHECK(IsValidPointer(""));
  CHECK(IsValidPointer("/a/~0~1"));
  CHECK_FALSE(IsValidPointer("a"));
  CHECK_FALSE(IsValidPointer("/a~2"));
  CHECK_FALSE(IsValidPointer("/a~"));
}

TEST_CASE("a string id is taken as it is", "[listing_parser]") {
  ListingParser parser(Fields({}));
  Listing listing = ParseOk(&parser, R"({"id": "ad-\u00e9-7"})");
  CHECK(listing.has_id);
  CHECK(listing.id == "ad-\xC3\xA9-7");
}

TEST_CASE("a number id is taken as its JSON text", "[listing_parser]") {
  ListingParser parser(Fields({}));
  Listing listing = ParseOk(&parser, R"({"id": 1042})");
  CHECK(listing.has_id);
  CHECK(listing.id == "1042");
}

TEST_CASE("a missing, null or boolean id gives no id", "[listing_parser]") {
  ListingParser parser(Fields({}));
  for (const char* line : {R"({"title": "x"})", R"({"id": null})",
                           R"({"id": true})", R"({"id": {"n": 1}})"}) {
    Listing listing = ParseOk(&parser, line);
    CHECK_FALSE(listing.has_id);
    CHECK(listing.id.empty());
  }
}

TEST_CASE("the id may be a nested pointer", "[listing_parser]") {
  ListingFields fields = Fields({});
  fields.id_field = "/meta/ref";
  ListingParser parser(fields);
  Listing listing = ParseOk(&parser, R"({"meta": {"ref": "r-9"}})");
  CHECK(listing.id == "r-9");
}

TEST_CASE("pointers reach nested fields", "[listing_parser]") {
  ListingParser parser(Fields({"/contact/phone", "/tags/1"}));
  Listing listing =
      ParseOk(&parser,
              R"({"contact": {"phone": "555-0142"}, "tags": ["bike", "red"]})");
  REQUIRE(listing.values.size() == 2);
  REQUIRE(listing.values[0].size() == 1);
  CHECK(listing.values[0][0].text == "555-0142");
  CHECK(listing.values[0][0].index == -1);
  CHECK(Texts(listing.values[1]) == Lines{"red"});
}

TEST_CASE("top-level names may contain slashes and tildes",
          "[listing_parser]") {
  ListingParser parser(Fields({"seller/name", "a~b"}));
  Listing listing =
      ParseOk(&parser, R"({"seller/name": "Ola Nordmann", "a~b": "t"})");
  CHECK(Texts(listing.values[0]) == Lines{"Ola Nordmann"});
  CHECK(Texts(listing.values[1]) == Lines{"t"});
}

TEST_CASE("arrays give their scalar elements with their index",
          "[listing_parser]") {
  ListingParser parser(Fields({"tags"}));
  Listing listing = ParseOk(
      &parser, R"({"tags": ["cheap", 7, null, {"x": 1}, ["y"], false]})");
  REQUIRE(listing.values[0].size() == 3);
  CHECK(listing.values[0][0].text == "cheap");
  CHECK(listing.values[0][0].index == 0);
  CHECK(listing.values[0][1].text == "7");
  CHECK(listing.values[0][1].index == 1);
  CHECK(listing.values[0][2].text == "false");
  CHECK(listing.values[0][2].index == 5);
}

TEST_CASE("numbers and booleans are taken as their JSON text",
          "[listing_parser]") {
  ListingParser parser(Fields({"a", "b", "c", "d", "e"}));
  Listing listing = ParseOk(
      &parser,
      R"({"a": 42, "b": -7, "c": 18446744073709551615, "d": 2.5, "e": true})");
  CHECK(Texts(listing.values[0]) == Lines{"42"});
  CHECK(Texts(listing.values[1]) == Lines{"-7"});
  CHECK(Texts(listing.values[2]) == Lines{"18446744073709551615"});
  CHECK(Texts(listing.values[3]) == Lines{"2.5"});
  CHECK(Texts(listing.values[4]) == Lines{"true"});
}

TEST_CASE("null, object and missing fields give nothing", "[listing_parser]") {
  ListingParser parser(Fields({"a", "b", "c"}));
  Listing listing = ParseOk(&parser, R"({"a": null, "b": {"x": "y"}})");
  REQUIRE(listing.values.size() == 3);
  CHECK(listing.values[0].empty());
  CHECK(listing.values[1].empty());
  CHECK(listing.values[2].empty());
}

TEST_CASE("included fields are copied as minified JSON", "[listing_parser]") {
  ListingParser parser(Fields({}, {"price", "title", "/seller/id", "gone"}));
  Listing listing = ParseOk(
      &parser,
      R"({"price": { "amount" : 10 , "currency": "NOK" }, "title": "Sofa",)"
      R"( "seller": {"id": [1, 2]}})");
  REQUIRE(listing.included.size() == 4);
  CHECK(listing.included[0] == R"({"amount":10,"currency":"NOK"})");
  CHECK(listing.included[1] == R"("Sofa")");
  CHECK(listing.included[2] == "[1,2]");
  CHECK_FALSE(listing.included[3].has_value());
}

TEST_CASE("a reused listing holds only the current line's values",
          "[listing_parser]") {
  ListingParser parser(Fields({"tags"}, {"x"}));
  Listing listing;
  RejectReason reason;
  REQUIRE(parser.Parse(R"({"id": "a", "tags": ["p", "q"], "x": 1})", &listing,
                       &reason));
  REQUIRE(parser.Parse(R"({"tags": "r"})", &listing, &reason));
  CHECK_FALSE(listing.has_id);
  REQUIRE(listing.values[0].size() == 1);
  CHECK(listing.values[0][0].text == "r");
  CHECK(listing.values[0][0].index == -1);
  CHECK_FALSE(listing.included[0].has_value());
}

TEST_CASE("a truncated line is rejected at its end", "[listing_parser]") {
  ListingParser parser(Fields({}));
  std::string line = R"({"id": "a1", "body": "Call 555-0142)";
  RejectReason reason = ParseRejected(&parser, line);
  CHECK(reason.message == "unexpected end of line (truncated JSON)");
  CHECK(reason.column == static_cast<int>(line.size()) + 1);
}

TEST_CASE("plain text is rejected as not JSON at its first character",
          "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, "  hello world");
  CHECK(reason.message == "not JSON (each line must hold one JSON object)");
  CHECK(reason.column == 3);
}

TEST_CASE("a bad character inside an object is named with its column",
          "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, R"({"a": hello})");
  CHECK(reason.message == "invalid character 'h'");
  CHECK(reason.column == 7);
}

TEST_CASE("a root that is not an object is rejected", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, "[1, 2, 3]");
  CHECK(reason.message == "not a JSON object (found an array)");
  CHECK(reason.column == 1);
  reason = ParseRejected(&parser, R"( "text")");
  CHECK(reason.message == "not a JSON object (found a string)");
  CHECK(reason.column == 2);
}

TEST_CASE("trailing content after the object is rejected", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, R"({"id": 1} {"id": 2})");
  CHECK(reason.message == "trailing content after the object");
  CHECK(reason.column == 11);
}

TEST_CASE("syntax errors inside the object are located", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, R"({"id" 1})");
  CHECK(reason.message == "expected ':'");
  CHECK(reason.column == 7);
  reason = ParseRejected(&parser, R"({"id": 1,})");
  CHECK(reason.message == "expected a quoted key");
  CHECK(reason.column == 10);
  reason = ParseRejected(&parser, R"({"a": "x\qy"})");
  CHECK(reason.message == "invalid escape in string");
  CHECK(reason.column == 10);
}

TEST_CASE("a byte-order mark after line 1 is named", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, "\xEF\xBB\xBF{\"a\": 1}");
  CHECK(reason.message ==
        "byte-order mark inside the file (only line 1 may start with one)");
  CHECK(reason.column == 1);
}

TEST_CASE("listings split by CR alone are named as such", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, "{\"a\": 1}\r{\"a\": 2}\r");
  CHECK(reason.message ==
        "content after a CR: lines must end in LF or CRLF, not CR alone");
  CHECK(reason.column == 10);
  reason = ParseRejected(&parser, "{\"a\": 1} {\"a\": 2}");
  CHECK(reason.message == "trailing content after the object");
}

TEST_CASE("nesting past 1024 levels is rejected where it starts",
          "[listing_parser]") {
  ListingParser parser(Fields({}));
  const std::string deep =
      "{\"a\": " + std::string(1100, '[') + std::string(1100, ']') + "}";
  RejectReason reason = ParseRejected(&parser, deep);
  CHECK(reason.message == "JSON nested too deeply (more than 1024 levels)");
  CHECK(reason.column == 1030);
}

TEST_CASE("a lone surrogate escape is repaired with U+FFFD",
          "[listing_parser]") {
  ListingParser parser(Fields({"a", "b"}));
  Listing listing = ParseOk(
      &parser, R"({"a": "x\ud83d y \udE00", "b": "\ud83d\ude00 \\ud83d"})");
  CHECK(listing.repaired);
  CHECK(Texts(listing.values[0]) == Lines{"x\xEF\xBF\xBD y \xEF\xBF\xBD"});
  // A whole pair is kept, and an escaped backslash starts no escape.
  CHECK(Texts(listing.values[1]) == Lines{"\xF0\x9F\x98\x80 \\ud83d"});

  listing = ParseOk(&parser, R"({"a": "\ud83d\ude00"})");
  CHECK_FALSE(listing.repaired);
}

TEST_CASE("a lone surrogate and invalid UTF-8 are both repaired",
          "[listing_parser]") {
  ListingParser parser(Fields({"a"}));
  Listing listing = ParseOk(&parser, "{\"a\": \"\\udc00\xFF.\"}");
  CHECK(listing.repaired);
  CHECK(Texts(listing.values[0]) == Lines{"\xEF\xBF\xBD\xEF\xBF\xBD."});
}

TEST_CASE("strict UTF-8 rejects a lone surrogate escape at its backslash",
          "[listing_parser]") {
  ListingFields fields = Fields({});
  fields.strict_utf8 = true;
  ListingParser parser(fields);
  RejectReason reason = ParseRejected(&parser, R"({"a": "x\ud83d y"})");
  CHECK(reason.message == "unpaired surrogate in string");
  CHECK(reason.column == 9);
}

TEST_CASE("a number out of range is rejected without a column",
          "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, R"({"price": 1e999})");
  CHECK(reason.message == "number out of range");
  CHECK(reason.column == 0);
}

TEST_CASE("an empty line is rejected", "[listing_parser]") {
  ListingParser parser(Fields({}));
  RejectReason reason = ParseRejected(&parser, "   ");
  CHECK(reason.message == "empty line");
  CHECK(reason.column == 0);
}

TEST_CASE("invalid UTF-8 is repaired with U+FFFD", "[listing_parser]") {
  ListingParser parser(Fields({"body"}));
  Listing listing = ParseOk(&parser, "{\"body\": \"caf\xE9 \xF0\x9F\x98 ok\"}");
  CHECK(listing.repaired);
  CHECK(Texts(listing.values[0]) == Lines{"caf\xEF\xBF\xBD \xEF\xBF\xBD ok"});

  listing = ParseOk(&parser, R"({"body": "clean"})");
  CHECK_FALSE(listing.repaired);
}

TEST_CASE("each maximal invalid subpart becomes one U+FFFD",
          "[listing_parser]") {
  ListingParser parser(Fields({"b"}));
  // A surrogate's lead byte ED has no valid follower in A0, so each of the
  // three bytes is replaced; C0 is never valid; E2 82 starts a sequence.
  Listing listing =
      ParseOk(&parser, "{\"b\": \"\xED\xA0\x80|\xC0\xAF|\xE2\x82|\"}");
  CHECK(Texts(listing.values[0]) ==
        Lines{"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
              "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD|"});
}

TEST_CASE("strict UTF-8 rejects invalid bytes at their column",
          "[listing_parser]") {
  ListingFields fields = Fields({"body"});
  fields.strict_utf8 = true;
  ListingParser parser(fields);
  RejectReason reason = ParseRejected(&parser, "{\"body\": \"caf\xE9\"}");
  CHECK(reason.message == "invalid UTF-8");
  CHECK(reason.column == 14);
}

}  // namespace
}  // namespace adflag

// Tests of what adflag writes: the JSON line of a flagged listing, and the
// output file that appears only when a run completes.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adflag/flag_writer.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"
#include "output_file.h"

namespace adflag {
namespace {

namespace fs = std::filesystem;

const char kPack[] =
    "pack: {name: test, threshold: 0.3}\n"
    "rules:\n"
    "  - id: youth\n"
    "    title: Youth\n"
    "    category: youth\n"
    "    weight: 0.35\n"
    "    any: ['\\byoung\\b']\n"
    "  - id: trial\n"
    "    title: Trial\n"
    "    category: test\n"
    "    weight: 0.2\n"
    "    status: experimental\n"
    "    any: ['\\btown\\b']\n";

// Parses, matches, scores and writes one listing.
std::string Write(const std::string& json, OutputOptions options) {
  RulePack pack;
  std::vector<Diagnostic> problems;
  REQUIRE(ParseRulePack({{"t.yaml", kPack}}, &pack, &problems));
  auto compiled = CompiledPack::Compile(pack, &problems);
  REQUIRE(compiled != nullptr);
  ListingFields fields;
  fields.text_fields = compiled->fields();
  fields.included_fields = options.include_fields;
  ListingParser parser(fields);
  Listing listing;
  RejectReason reason;
  REQUIRE(parser.Parse(json, &listing, &reason));

  Matcher matcher(*compiled);
  MatchResult matches;
  matcher.Match(listing, &matches);
  Verdict verdict;
  Scorer(pack).Score(matches, &verdict);
  std::string source = "night.jsonl";
  FlagWriter writer(*compiled, options);
  std::string out;
  writer.Append({&source, 7, &listing, &verdict, true}, &out);
  return out;
}

TEST_CASE("a flagged listing is one JSON line with its evidence") {
  std::string line =
      Write(R"({"id":"L1","title":"Ünïcode young","body":"in town"})", {});
  CHECK(line ==
        "{\"id\":\"L1\",\"source\":\"night.jsonl\",\"line\":7,"
        "\"score\":0.35,\"level\":\"low\",\"rules\":[{\"id\":\"youth\","
        "\"category\":\"youth\",\"weight\":0.35,\"hits\":[{\"field\":"
        "\"title\",\"start\":10,\"end\":15,\"text\":\"young\"}]}],"
        "\"shadow\":[{\"id\":\"trial\",\"category\":\"test\",\"weight\":0.2,"
        "\"hits\":[{\"field\":\"body\",\"start\":3,\"end\":7,"
        "\"text\":\"town\"}]}]}\n");
}

TEST_CASE("a listing without an id is named by source and line") {
  std::string line = Write(R"({"body":"young"})", {});
  CHECK(line.rfind("{\"id\":\"night.jsonl:7\",", 0) == 0);
}

TEST_CASE("--all adds flagged and --include copies fields through") {
  OutputOptions options;
  options.all = true;
  options.include_fields = {"url", "/geo/city", "missing"};
  std::string line =
      Write(R"({"id":7,"body":"young","url":"https://example.invalid/a",)"
            R"("geo":{"city":"Fresno","zip":null}})",
            options);
  CHECK(line.find("\"id\":\"7\"") != std::string::npos);
  CHECK(line.find("\"level\":\"low\",\"flagged\":true,") != std::string::npos);
  CHECK(line.find("\"url\":\"https://example.invalid/a\","
                  "\"/geo/city\":\"Fresno\",\"missing\":null}") !=
        std::string::npos);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory for one test.
fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("adflag_output_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST_CASE("output appears at its name only on commit") {
  fs::path dir = TempDir("commit");
  fs::path target = dir / "flags.jsonl";
  std::string error;
  OutputFile file;
  REQUIRE(file.Open(target.string(), &error));
  REQUIRE(file.Write("line\n", &error));
  CHECK_FALSE(fs::exists(target));
  REQUIRE(file.Commit(&error));
  CHECK(ReadFile(target) == "line\n");
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 1);
}

TEST_CASE("a discarded output leaves the earlier file and no temporary") {
  fs::path dir = TempDir("discard");
  fs::path target = dir / "flags.jsonl";
  std::ofstream(target) << "yesterday\n";
  std::string error;
  {
    OutputFile file;
    REQUIRE(file.Open(target.string(), &error));
    REQUIRE(file.Write("partial", &error));
  }
  CHECK(ReadFile(target) == "yesterday\n");
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 1);
}

TEST_CASE("an output in a missing directory is an error naming it") {
  std::string error;
  OutputFile file;
  CHECK_FALSE(file.Open("/nonexistent-dir/flags.jsonl", &error));
  CHECK(error ==
        "cannot write '/nonexistent-dir/flags.jsonl': No such file or "
        "directory");
}

TEST_CASE("a named pipe is written in place, not replaced by a file") {
  fs::path dir = TempDir("fifo");
  fs::path fifo = dir / "flags.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Held open for reading (and writing, so that opening does not wait).
  const int reader = open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(reader >= 0);

  std::string error;
  OutputFile file;
  REQUIRE(file.Open(fifo.string(), &error));
  REQUIRE(file.Write("line\n", &error));
  REQUIRE(file.Commit(&error));
  char buffer[16] = {};
  CHECK(read(reader, buffer, sizeof buffer) == 5);
  CHECK(std::string(buffer) == "line\n");
  close(reader);
  CHECK(fs::is_fifo(fifo));
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 1);
}

TEST_CASE("a full device is a write error naming it") {
  // A link to /dev/full: were it replaced, only the link would be.
  fs::path dir = TempDir("full");
  fs::path full = dir / "flags.jsonl";
  fs::create_symlink("/dev/full", full);
  std::string error;
  OutputFile file;
  REQUIRE(file.Open(full.string(), &error));
  CHECK_FALSE(file.Write("line\n", &error));
  CHECK(error ==
        "cannot write '" + full.string() + "': No space left on device");
  CHECK(fs::is_symlink(full));
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 1);
}

}  // namespace
}  // namespace adflag

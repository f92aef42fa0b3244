// Tests of what adflag writes: the JSON line of a flagged listing, its CSV
// row, both redacted, the data of the review page, and the output file
// that appears only when a run completes.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adflag/csv_writer.h"
#include "adflag/flag_writer.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/redaction.h"
#include "adflag/review_page.h"
#include "adflag/rule_pack.h"
#include "adflag/scorer.h"
#include "interrupt.h"
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

// A listing parsed, matched and scored with kPack, ready to be written.
struct Scanned {
  RulePack pack;
  std::unique_ptr<CompiledPack> compiled;
  Listing listing;
  Verdict verdict;
  std::string source = "night.jsonl";

  ListingRecord Record() const {
    return {&source, 7, &listing, &verdict, true};
  }
};

// Parses, matches and scores one listing, copying `include` through.
std::unique_ptr<Scanned> Scan(const std::string& json,
                              const std::vector<std::string>& include) {
  auto scanned = std::make_unique<Scanned>();
  std::vector<Diagnostic> problems;
  REQUIRE(ParseRulePack({{"t.yaml", kPack}}, &scanned->pack, &problems));
  scanned->compiled = CompiledPack::Compile(scanned->pack, &problems);
  REQUIRE(scanned->compiled != nullptr);
  ListingFields fields;
  fields.text_fields = scanned->compiled->fields();
  fields.included_fields = include;
  ListingParser parser(fields);
  RejectReason reason;
  REQUIRE(parser.Parse(json, &scanned->listing, &reason));

  Matcher matcher(*scanned->compiled);
  MatchResult matches;
  matcher.Match(scanned->listing, &matches);
  Scorer(scanned->pack).Score(matches, &scanned->verdict);
  return scanned;
}

// Parses, matches, scores and writes one listing as a JSON line.
std::string Write(const std::string& json, OutputOptions options) {
  auto scanned = Scan(json, options.include_fields);
  FlagWriter writer(*scanned->compiled, options);
  std::string out;
  writer.Append(scanned->Record(), &out);
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

TEST_CASE("a CSV field is quoted only when it must be") {
  const std::pair<std::string, std::string> cases[] = {
      {"plain", "plain"},
      {"", ""},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"one\r\ntwo", "\"one\r\ntwo\""},
      {"line\n", "\"line\n\""},
      {"caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93"}};
  for (const auto& [field, written] : cases) {
    std::string out = "x";
    AppendCsvField(field, &out);
    CHECK(out == "x" + written);
  }
}

TEST_CASE("a CSV row holds the listing, its first evidence and includes") {
  OutputOptions options;
  options.include_fields = {"url", "geo"};
  auto scanned =
      Scan(R"({"id":"L1","title":"in town, young","body":"Young \"one\"",)"
           R"("url":"https://example.invalid/a","geo":{"city":"Fresno"}})",
           options.include_fields);
  CsvWriter writer(*scanned->compiled, options);
  std::string out;
  writer.AppendHeader(&out);
  CHECK(out ==
        "id,source,line,score,level,fingerprint,rules,shadow,evidence_rule,"
        "evidence_field,evidence_start,evidence_end,evidence_text,phones,"
        "emails,urls,handles,obscured,url,geo\r\n");
  out.clear();
  writer.Append(scanned->Record(), &out);
  CHECK(out ==
        "L1,night.jsonl,7,0.35,low,,youth,trial,youth,title,9,14,young,,,,,,"
        "https://example.invalid/a,\"{\"\"city\"\":\"\"Fresno\"\"}\"\r\n");
}

TEST_CASE("a redacted record holds tokens, its texts too, with spans") {
  OutputOptions options;
  options.with_texts = true;
  options.include_fields = {"phone"};
  auto scanned =
      Scan(R"({"id":"R1","title":"young","body":"call 510-555-0134 in town",)"
           R"("phone":5105550134})",
           options.include_fields);
  Redactor redactor("0123456789abcdef", EntityOptions{});
  const std::string phone = redactor.Token(EntityKind::kPhone, "+15105550134");
  ListingRecord record = scanned->Record();
  record.redactor = &redactor;
  FlagWriter writer(*scanned->compiled, options);
  std::string out;
  writer.Append(record, &out);
  // "town" is at 21 in the body as written, at 36 once the token of the
  // phone, 15 bytes longer than the 12 it replaces, stands in.
  CHECK(out ==
        "{\"id\":\"R1\",\"source\":\"night.jsonl\",\"line\":7,\"score\":0.35,"
        "\"level\":\"low\",\"redacted\":true,\"rules\":[{\"id\":\"youth\","
        "\"category\":\"youth\",\"weight\":0.35,\"hits\":[{\"field\":"
        "\"title\",\"start\":0,\"end\":5,\"text\":\"young\"}]}],\"shadow\":"
        "[{\"id\":\"trial\",\"category\":\"test\",\"weight\":0.2,\"hits\":"
        "[{\"field\":\"body\",\"start\":36,\"end\":40,\"text\":\"town\"}]}],"
        "\"phone\":\"" +
            phone +
            "\",\"texts\":[{\"field\":\"title\","
            "\"text\":\"young\"},{\"field\":\"body\",\"text\":\"call " +
            phone + " in town\"}]}\n");
  CHECK(phone ==
        "phone:hmac:" + HmacSha256Hex("0123456789abcdef", "+15105550134", 16));
}

TEST_CASE("page data cannot end its script element") {
  CHECK(EscapeJsonForScript(R"({"t":"</script><b>&amp;"})") ==
        R"({"t":"\u003c/script\u003e\u003cb\u003e\u0026amp;"})");
  CHECK(EscapeJsonForScript("[\"a\xE2\x80\xA8z\xE2\x80\xA9\"]") ==
        "[\"a\\u2028z\\u2029\"]");
  CHECK(RecordScore(R"({"id":"a","source":"s","line":1,"score":0.5775,)"
                    R"("level":"low"})") == 0.5775);
  CHECK(RecordScore(R"({"id":"a"})") == -1);
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

// Runs `child` in a forked process and returns its wait status.
template <typename Child>
int RunForked(Child child) {
  const pid_t pid = fork();
  if (pid == 0) {
    child();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST_CASE("a signal removes the temporary file of an unwritten output") {
  fs::path dir = TempDir("signal");
  std::ofstream(dir / "flags.jsonl") << "yesterday\n";
  const int status = RunForked([&] {
    RemoveTempFilesOnSignal();
    std::string error;
    OutputFile done;
    OutputFile pending;
    if (!done.Open((dir / "summary.json").string(), &error) ||
        !done.Write("{}\n", &error) || !done.Commit(&error) ||
        !pending.Open((dir / "flags.jsonl").string(), &error) ||
        !pending.Write("partial", &error)) {
      _exit(1);
    }
    raise(SIGTERM);
  });

  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(ReadFile(dir / "flags.jsonl") == "yesterday\n");
  CHECK(ReadFile(dir / "summary.json") == "{}\n");
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 2);
}

TEST_CASE("a second signal to a scan removes its temporary file too") {
  fs::path dir = TempDir("second_signal");
  const int status = RunForked([&] {
    RemoveTempFilesOnSignal();
    InterruptCatcher catcher;
    std::string error;
    OutputFile pending;
    if (!pending.Open((dir / "flags.jsonl").string(), &error)) _exit(1);
    raise(SIGINT);
    if (CaughtSignal() != SIGINT) _exit(2);
    raise(SIGINT);
  });

  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGINT);
  CHECK(std::distance(fs::directory_iterator(dir), {}) == 0);
}

}  // namespace
}  // namespace adflag

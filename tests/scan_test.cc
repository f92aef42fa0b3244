// Property tests of whole scans over generated listings with random
// corruption (fixed seeds, so every run tests the same inputs): every line
// is counted once, every rejected line is kept byte for byte, and the
// output does not depend on the number of threads.

#include "adflag/scan.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace adflag {
namespace {

namespace fs = std::filesystem;

// Lines longer than this are rejected in these runs.
constexpr uint64_t kMaxLineBytes = 400;

const char* const kWords[] = {"barely", "legal", "young",   "ask",
                              "for",    "Kiki",  "manager", "my",
                              "new",    "in",    "town",    "professional",
                              "Line",   "cook",  "nights",  "weekends"};

// One generated input line and whether it was corrupted.
struct InputLine {
  std::string bytes;
  bool corrupted = false;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : random_(seed) {}

  // A valid listing of a few random words, most of them flaggable.
  std::string Listing(int number) {
    std::string title = Words(1 + Below(4));
    std::string body = Words(Below(12));
    return "{\"id\": \"G" + std::to_string(number) + "\", \"title\": \"" +
           title + "\", \"body\": \"" + body + "\", \"phone\": \"(510) 555-01" +
           std::to_string(10 + Below(90)) + "\"}";
  }

  // Damages `line` in one of the ways real exports are damaged. Clears
  // *corrupted when the damage is one the parser repairs, so the line must
  // not be rejected; sets it when the line may be rejected.
  std::string Corrupt(std::string line, bool* corrupted) {
    *corrupted = true;
    switch (Below(14)) {
      case 0:
        return line.substr(0, Below(line.size()));
      case 1:
        line[Below(line.size())] = static_cast<char>(Below(256));
        return line;
      case 2:
        return line.insert(Below(line.size()), std::string(1, '\0'));
      case 3:
        return "[" + line + "]";
      case 4:
        return "\xEF\xBB\xBF" + line;
      case 5:
        return line + "\r";
      case 6:
        return line + " trailing";
      case 7:
        return line + std::string(kMaxLineBytes, ' ');
      case 8:
        return std::string(Below(3), ' ');
      default:
        return Repairable(std::move(line), corrupted);
    }
  }

  size_t Below(size_t bound) {
    return bound == 0
               ? 0
               : std::uniform_int_distribution<size_t>(0, bound - 1)(random_);
  }

 private:
  std::string Words(size_t count) {
    std::string text;
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) text += ' ';
      text += kWords[Below(std::size(kWords))];
    }
    return text;
  }

  // Damage that the parser repairs: the line stays a listing.
  std::string Repairable(std::string line, bool* corrupted) {
    *corrupted = false;
    const size_t title = line.find("\"title\": \"") + 10;
    static const char* const kDamage[] = {"\xFF",    "\xC0\xAF", "\xED\xA0\x80",
                                          "\\ud83d", "\\udc00x", "\xE2\x82"};
    return line.insert(title, kDamage[Below(std::size(kDamage))]);
  }

  std::mt19937 random_;
};

// Writes `count` generated lines, about one in five damaged (never the
// last), to `path`; the last line has no final newline when `seed` is odd.
// Returns the lines as a reader splits them.
std::vector<InputLine> WriteInput(const fs::path& path, uint32_t seed,
                                  int count) {
  Generator generator(seed);
  std::vector<InputLine> lines;
  std::ofstream out(path, std::ios::binary);
  for (int number = 1; number <= count; ++number) {
    InputLine line{generator.Listing(number), false};
    if (number < count && generator.Below(5) == 0) {
      line.bytes = generator.Corrupt(line.bytes, &line.corrupted);
    }
    // A damaged byte may be a newline: the line is then two lines.
    std::string_view rest = line.bytes;
    for (size_t cut; (cut = rest.find('\n')) != rest.npos;) {
      lines.push_back({std::string(rest.substr(0, cut)), true});
      rest.remove_prefix(cut + 1);
    }
    lines.push_back(
        {std::string(rest), line.corrupted || rest.size() < line.bytes.size()});
    out << line.bytes;
    if (number < count || seed % 2 == 0) out << '\n';
  }
  return lines;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string_view rest = text;
  for (size_t cut; (cut = rest.find('\n')) != rest.npos;) {
    lines.emplace_back(rest.substr(0, cut));
    rest.remove_prefix(cut + 1);
  }
  if (!rest.empty()) lines.emplace_back(rest);
  return lines;
}

// What one scan of the input gave.
struct ScanResult {
  ScanReport report;
  std::string output;
  std::string rejects;
};

ScanResult Scan(const fs::path& dir, const fs::path& input, int threads) {
  ScanOptions options;
  options.inputs = {input.string()};
  options.rules_path = ADFLAG_SOURCE_DIR "/tests/data/cli_pack.yaml";
  const std::string name = "t" + std::to_string(threads);
  options.output_path = (dir / (name + ".out.jsonl")).string();
  options.rejects_path = (dir / (name + ".rejects.jsonl")).string();
  options.all = true;
  options.threads = threads;
  options.max_line_bytes = kMaxLineBytes;
  options.quiet = true;
  ScanResult result{RunScan(options), ReadFile(options.output_path),
                    ReadFile(options.rejects_path)};
  return result;
}

// A fresh directory for one seed's files.
fs::path TempDir(uint32_t seed) {
  fs::path dir =
      fs::temp_directory_path() / ("adflag_scan_test_" + std::to_string(seed));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Checks that the rejected lines are the input's lines, byte for byte,
// in input order, and never a line left intact.
void CheckRejects(const std::vector<InputLine>& input,
                  const std::string& rejects, uint64_t rejected) {
  const std::vector<std::string> lines = SplitLines(rejects);
  REQUIRE(lines.size() == rejected);
  size_t next = 0;
  for (const std::string& line : lines) {
    while (next < input.size() && input[next].bytes != line) ++next;
    REQUIRE(next < input.size());
    CHECK(input[next].corrupted);
    ++next;
  }
}

TEST_CASE("every line of a damaged input is counted once and kept",
          "[scan][property]") {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    INFO("seed " << seed);
    const fs::path dir = TempDir(seed);
    const std::vector<InputLine> input =
        WriteInput(dir / "in.jsonl", seed, 5000);

    const ScanResult result = Scan(dir, dir / "in.jsonl", 1);
    const RunStats& stats = result.report.stats;
    REQUIRE(result.report.status == ScanStatus::kDone);
    CHECK(stats.lines == input.size());
    CHECK(stats.lines == stats.listings + stats.blank + stats.rejected);
    CHECK(stats.rejected > 0);
    CHECK(stats.repaired > 0);
    CHECK(SplitLines(result.output).size() == stats.listings);
    CheckRejects(input, result.rejects, stats.rejected);
    fs::remove_all(dir);
  }
}

TEST_CASE("output is the same for 1, 2 and 8 threads", "[scan][property]") {
  for (uint32_t seed : {11u, 12u, 13u}) {
    INFO("seed " << seed);
    const fs::path dir = TempDir(seed);
    WriteInput(dir / "in.jsonl", seed, 7000);

    const ScanResult one = Scan(dir, dir / "in.jsonl", 1);
    REQUIRE(one.report.status == ScanStatus::kDone);
    REQUIRE(one.report.stats.flagged_total() > 0);
    for (int threads : {2, 8}) {
      INFO(threads << " threads");
      const ScanResult many = Scan(dir, dir / "in.jsonl", threads);
      REQUIRE(many.report.status == ScanStatus::kDone);
      CHECK(many.output == one.output);
      CHECK(many.rejects == one.rejects);
      const RunStats& a = one.report.stats;
      const RunStats& b = many.report.stats;
      CHECK(b.lines == a.lines);
      CHECK(b.listings == a.listings);
      CHECK(b.blank == a.blank);
      CHECK(b.rejected == a.rejected);
      CHECK(b.repaired == a.repaired);
      CHECK(b.flagged == a.flagged);
      CHECK(b.rule_hits == a.rule_hits);
    }
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace adflag

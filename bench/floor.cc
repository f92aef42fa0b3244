// floor: the least work adflag's design can do per listing, for benchmarks.
//
// Reads a JSON Lines file, parses every line with the simdjson DOM parser,
// and runs one RE2::Set of the benchmark pack's patterns over the title and
// the body. Nothing else: no normalization, no evidence spans, no scoring,
// no output per listing. Its time is the physical floor that adflag's
// single-thread time is compared with in scripts/bench.sh.
//
//   floor PATTERNS_FILE LISTINGS.jsonl
//
// PATTERNS_FILE holds one RE2 pattern per line (blank lines are skipped).
// Prints one line of counts to stdout, e.g.
//   lines=200000 listings=200000 errors=0 hit_listings=31234 hits=45678
//   sets=1 set_out_of_memory=0
// where hits counts (listing, pattern) pairs that matched title or body.
// A pack too large for one set (RE2's default memory budget) is split into
// several sets, and a text on which a set's DFA runs out of memory is
// matched pattern by pattern, as the design prescribes; `sets` and
// `set_out_of_memory` say when that happened. With the 40-pattern
// benchmark pack it is one set and no fallback.
// Exits 2 when a pattern does not compile or a file cannot be read.

#include <re2/re2.h>
#include <re2/set.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr size_t kBlockBytes = 8 << 20;

struct Counts {
  uint64_t lines = 0;
  uint64_t listings = 0;
  uint64_t errors = 0;
  uint64_t hit_listings = 0;
  uint64_t hits = 0;
  uint64_t set_out_of_memory = 0;
};

// Reads one pattern per line into `patterns`. Returns false when the file
// cannot be read or holds no pattern.
bool ReadPatterns(const char* path, std::vector<std::string>* patterns) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) patterns->push_back(line);
  }
  return !patterns->empty();
}

// The patterns, compiled into as few RE2::Sets as fit in memory, and one
// by one for the texts on which a set runs out of memory.
class PatternSets {
 public:
  explicit PatternSets(const RE2::Options& options) : options_(options) {}

  // Compiles `patterns`. Returns false, after printing the reason, when a
  // pattern does not compile even on its own.
  bool Build(const std::vector<std::string>& patterns) {
    for (const std::string& pattern : patterns) {
      singles_.push_back(std::make_unique<RE2>(pattern, options_));
      if (!singles_.back()->ok()) {
        std::fprintf(stderr, "floor: bad pattern '%s': %s\n",
                     pattern.c_str(), singles_.back()->error().c_str());
        return false;
      }
    }
    std::vector<int> all(patterns.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    return AddSets(patterns, all);
  }

  // Marks in `seen` the patterns that match `text`.
  void Match(std::string_view text, std::vector<int>* entries,
             std::vector<bool>* seen, uint64_t* out_of_memory) const {
    for (size_t s = 0; s < sets_.size(); ++s) {
      RE2::Set::ErrorInfo error;
      entries->clear();
      if (sets_[s]->Match(text, entries, &error)) {
        for (int entry : *entries) (*seen)[members_[s][entry]] = true;
      } else if (error.kind != RE2::Set::kNoError) {
        ++*out_of_memory;
        for (int pattern : members_[s]) {
          if (RE2::PartialMatch(text, *singles_[pattern])) {
            (*seen)[pattern] = true;
          }
        }
      }
    }
  }

  size_t set_count() const { return sets_.size(); }

 private:
  // Compiles `members` into one set, or splits them in two halves when
  // that set does not fit in RE2's memory budget.
  bool AddSets(const std::vector<std::string>& patterns,
               const std::vector<int>& members) {
    auto set = std::make_unique<RE2::Set>(options_, RE2::UNANCHORED);
    for (int pattern : members) {
      std::string error;
      if (set->Add(patterns[pattern], &error) < 0) {
        std::fprintf(stderr, "floor: bad pattern '%s': %s\n",
                     patterns[pattern].c_str(), error.c_str());
        return false;
      }
    }
    if (set->Compile()) {
      sets_.push_back(std::move(set));
      members_.push_back(members);
      return true;
    }
    if (members.size() == 1) {
      std::fprintf(stderr, "floor: pattern '%s' does not fit in a set\n",
                   patterns[members[0]].c_str());
      return false;
    }
    size_t half = members.size() / 2;
    return AddSets(patterns, {members.begin(), members.begin() + half}) &&
           AddSets(patterns, {members.begin() + half, members.end()});
  }

  RE2::Options options_;
  std::vector<std::unique_ptr<RE2>> singles_;
  std::vector<std::unique_ptr<RE2::Set>> sets_;
  std::vector<std::vector<int>> members_;  // pattern of each set entry
};

// Parses one line and counts its matches. `line` must be followed by at
// least simdjson::SIMDJSON_PADDING readable bytes.
void ScanLine(simdjson::dom::parser& parser, const PatternSets& sets,
              std::string_view line, std::vector<int>* matches,
              std::vector<bool>* seen, Counts* counts) {
  ++counts->lines;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size(), false).get(doc) ||
      !doc.is_object()) {
    ++counts->errors;
    return;
  }
  ++counts->listings;

  std::fill(seen->begin(), seen->end(), false);
  for (const char* field : {"title", "body"}) {
    std::string_view text;
    if (!doc[field].get(text)) {
      sets.Match(text, matches, seen, &counts->set_out_of_memory);
    }
  }
  uint64_t hits = std::count(seen->begin(), seen->end(), true);
  counts->hits += hits;
  if (hits > 0) ++counts->hit_listings;
}

// Streams `path` in large blocks and scans each complete line. The block
// buffer keeps simdjson's padding after the data, so lines are parsed in
// place without a copy. Returns false when the file cannot be read.
bool ScanFile(const char* path, const PatternSets& sets, size_t pattern_count,
              Counts* counts) {
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) return false;

  simdjson::dom::parser parser;
  std::vector<char> buffer(kBlockBytes + simdjson::SIMDJSON_PADDING);
  std::vector<int> matches;
  std::vector<bool> seen(pattern_count);
  size_t filled = 0;
  bool at_end = false;
  while (!at_end) {
    size_t block = buffer.size() - simdjson::SIMDJSON_PADDING;
    if (filled == block) {  // one line longer than a block: grow the block
      block *= 2;
      buffer.resize(block + simdjson::SIMDJSON_PADDING);
    }
    size_t room = block - filled;
    size_t got = std::fread(buffer.data() + filled, 1, room, file);
    filled += got;
    at_end = got == 0;

    // Scan every complete line; at the end of the file, the rest too.
    const char* start = buffer.data();
    const char* end = buffer.data() + filled;
    while (start < end) {
      const char* newline =
          static_cast<const char*>(std::memchr(start, '\n', end - start));
      if (newline == nullptr && !at_end) break;
      const char* stop = newline != nullptr ? newline : end;
      if (stop > start) {
        ScanLine(parser, sets, std::string_view(start, stop - start),
                 &matches, &seen, counts);
      }
      start = stop + 1;
    }
    size_t rest = start < end ? end - start : 0;
    std::memmove(buffer.data(), start, rest);
    filled = rest;
  }
  bool ok = !std::ferror(file);
  std::fclose(file);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: floor PATTERNS_FILE LISTINGS.jsonl\n");
    return 2;
  }
  std::vector<std::string> patterns;
  if (!ReadPatterns(argv[1], &patterns)) {
    std::fprintf(stderr, "floor: no patterns in '%s'\n", argv[1]);
    return 2;
  }

  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  PatternSets sets(options);
  if (!sets.Build(patterns)) return 2;

  Counts counts;
  if (!ScanFile(argv[2], sets, patterns.size(), &counts)) {
    std::fprintf(stderr, "floor: cannot read '%s'\n", argv[2]);
    return 2;
  }
  std::printf("lines=%llu listings=%llu errors=%llu hit_listings=%llu "
              "hits=%llu sets=%zu set_out_of_memory=%llu\n",
              static_cast<unsigned long long>(counts.lines),
              static_cast<unsigned long long>(counts.listings),
              static_cast<unsigned long long>(counts.errors),
              static_cast<unsigned long long>(counts.hit_listings),
              static_cast<unsigned long long>(counts.hits), sets.set_count(),
              static_cast<unsigned long long>(counts.set_out_of_memory));
  return 0;
}

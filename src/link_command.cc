#include "link_command.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "adflag/links.h"
#include "output_file.h"

namespace adflag {
namespace {

constexpr int kExitDone = 0;
constexpr int kExitCannotRun = 2;

// Reads the whole of `path` ("-" for standard input) into *data.
bool ReadWhole(const std::string& path, std::string* data) {
  if (path == "-") {
    data->assign(std::istreambuf_iterator<char>(std::cin),
                 std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  data->assign(std::istreambuf_iterator<char>(in),
               std::istreambuf_iterator<char>());
  return !in.bad();
}

// Reads one summary and merges it into *merged.
bool MergeSummary(const std::string& path, LinkIndex* merged) {
  std::string data;
  if (!ReadWhole(path, &data)) {
    spdlog::error("adflag: error: {}: cannot read the link summary", path);
    return false;
  }
  LinkIndex shard;
  std::string error;
  if (!LinkIndex::Read(data, path == "-" ? "<stdin>" : path, &shard, &error)) {
    spdlog::error("adflag: error: {}", error);
    return false;
  }
  merged->Merge(shard);
  return true;
}

}  // namespace

int RunLinkCommand(const LinkOptions& options) {
  LinkIndex merged;
  for (const std::string& path : options.summaries) {
    if (!MergeSummary(path, &merged)) return kExitCannotRun;
  }

  std::string text;
  merged.Write(&text);
  OutputFile output;
  std::string error;
  if (!output.Open(options.output_path, &error) ||
      !output.Write(text, &error) || !output.Commit(&error)) {
    spdlog::error("adflag: error: {}", error);
    return kExitCannotRun;
  }
  spdlog::info("adflag: merged {} summaries: {} listings, {} entities",
               options.summaries.size(), merged.listing_count(),
               merged.entity_count());
  return kExitDone;
}

}  // namespace adflag

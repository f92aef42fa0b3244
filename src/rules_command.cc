#include "rules_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adflag/builtin_pack.h"
#include "adflag/rule_pack.h"

namespace adflag {
namespace {

constexpr int kDone = 0;
constexpr int kCannotRun = 2;

size_t PatternCount(const Rule& rule) {
  return rule.any.size() + rule.all.size() + rule.except.size() +
         rule.unless.size();
}

size_t ExampleCount(const Rule& rule) {
  return rule.hit_examples.size() + rule.miss_examples.size();
}

std::string FormatWeight(double weight) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", weight);
  return text;
}

void PrintTable(const RulePack& pack) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "CATEGORY", "WEIGHT", "STATUS", "PATTERNS", "EXAMPLES"}};
  for (const Rule& rule : pack.rules) {
    rows.push_back({rule.id, rule.category, FormatWeight(rule.weight),
                    RuleStatusName(rule.status),
                    std::to_string(PatternCount(rule)),
                    std::to_string(ExampleCount(rule))});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  for (const auto& row : rows) {
    std::string text;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      if (c + 1 < row.size()) cell.resize(widths[c] + 2, ' ');
      text += cell;
    }
    std::printf("%s\n", text.c_str());
  }
}

nlohmann::ordered_json PatternList(const std::vector<Pattern>& patterns) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Pattern& pattern : patterns) list.push_back(pattern.regex);
  return list;
}

void PrintJson(const RulePack& pack) {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const Rule& rule : pack.rules) {
    nlohmann::ordered_json json;
    json["id"] = rule.id;
    json["title"] = rule.title;
    json["category"] = rule.category;
    json["weight"] = rule.weight;
    json["status"] = RuleStatusName(rule.status);
    json["fields"] = rule.fields;
    json["any"] = PatternList(rule.any);
    json["all"] = PatternList(rule.all);
    json["except"] = PatternList(rule.except);
    json["unless"] = PatternList(rule.unless);
    json["requires"] = rule.requires_rules;
    json["references"] = rule.references;
    json["examples"] = ExampleCount(rule);
    rules.push_back(std::move(json));
  }
  std::printf("%s\n", rules.dump(2).c_str());
}

// Writes every built-in file below `dir`, refusing to replace a file that
// is already there.
int ExportBuiltin(const std::string& dir) {
  namespace fs = std::filesystem;
  for (const RuleFile& file : BuiltinPackFiles()) {
    fs::path target = fs::path(dir) / file.path;
    std::error_code error;
    if (fs::exists(target, error)) {
      spdlog::error("adflag: error: '{}' exists; export into a new directory",
                    target.string());
      return kCannotRun;
    }
    fs::create_directories(target.parent_path(), error);
    std::ofstream out(target, std::ios::binary);
    out << file.text;
    out.close();
    if (!out) {
      spdlog::error("adflag: error: cannot write '{}'", target.string());
      return kCannotRun;
    }
  }
  spdlog::info("adflag: wrote {} files of the built-in pack to '{}'",
               BuiltinPackFiles().size(), dir);
  return kDone;
}

bool LoadForListing(const std::string& path, RulePack* pack) {
  std::vector<Diagnostic> diagnostics;
  bool ok = LoadPackOrBuiltin(path, pack, &diagnostics);
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  return ok;
}

}  // namespace

int RunRulesCommand(const RulesOptions& options) {
  if (!options.export_dir.empty()) {
    if (!options.packs.empty()) {
      spdlog::error(
          "adflag rules: --export writes the built-in pack; "
          "it takes no pack argument");
      return kCannotRun;
    }
    return ExportBuiltin(options.export_dir);
  }

  std::vector<std::string> packs = options.packs;
  if (packs.empty()) packs.push_back("");
  for (const std::string& path : packs) {
    RulePack pack;
    if (!LoadForListing(path, &pack)) return kCannotRun;
    if (options.format == "json") {
      PrintJson(pack);
    } else {
      PrintTable(pack);
    }
  }
  return kDone;
}

}  // namespace adflag

#include "adflag/pack_scanner.h"

#include <utility>

namespace adflag {

bool IsFlagged(const Verdict& verdict, double threshold) {
  return !verdict.counted.empty() && verdict.score >= threshold;
}

PackScanner::PackScanner(RulePack pack) : pack_(std::move(pack)) {}

PackScanner::~PackScanner() = default;

std::unique_ptr<PackScanner> PackScanner::Create(
    RulePack pack, ListingFields fields, std::vector<Diagnostic>* diagnostics) {
  std::unique_ptr<PackScanner> scanner(new PackScanner(std::move(pack)));
  scanner->compiled_ = CompiledPack::Compile(scanner->pack_, diagnostics);
  if (scanner->compiled_ == nullptr) return nullptr;

  fields.text_fields = scanner->compiled_->fields();
  scanner->scorer_ = std::make_unique<Scorer>(scanner->pack_);
  scanner->parser_ = std::make_unique<ListingParser>(std::move(fields));
  scanner->matcher_ = std::make_unique<Matcher>(*scanner->compiled_);
  return scanner;
}

bool PackScanner::Scan(std::string_view content, RejectReason* reason) {
  if (!parser_->Parse(content, &listing_, reason)) return false;
  matcher_->Match(listing_, &matches_);
  scorer_->Score(matches_, &verdict_);
  return true;
}

bool PackScanner::flagged() const {
  return IsFlagged(verdict_, pack_.settings.threshold);
}

}  // namespace adflag

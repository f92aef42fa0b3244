#include "adflag/pack_scanner.h"

#include <utility>

#include "adflag/diagnostic.h"
#include "adflag/line_reader.h"

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
  scanner->link_fields_ =
      AddLinkFields(scanner->pack_.settings, &fields.text_fields);
  scanner->linker_ =
      std::make_unique<ListingLinker>(scanner->link_fields_, EntityOptions());
  scanner->linking_ = PackUsesLinks(scanner->pack_);
  scanner->scorer_ = std::make_unique<Scorer>(scanner->pack_);
  scanner->parser_ = std::make_unique<ListingParser>(std::move(fields));
  scanner->matcher_ = std::make_unique<Matcher>(*scanner->compiled_);
  return scanner;
}

bool PackScanner::Scan(std::string_view content, RejectReason* reason) {
  if (!parser_->Parse(content, &listing_, reason)) return false;
  matcher_->Match(listing_, &matches_);
  if (linking_) {
    linker_->Read(listing_, "", /*with_signature=*/true);
    links_.FactsFor(linker_->entities(), linker_->signature(), &facts_);
    ApplyLinkRules(pack_, facts_, &matches_);
  }
  scorer_->Score(matches_, &verdict_);
  return true;
}

void PackScanner::Gather(std::string_view content,
                         const std::string& fallback_id) {
  RejectReason reason;
  if (!parser_->Parse(content, &listing_, &reason)) return;
  linker_->Read(listing_, listing_.has_id ? listing_.id : fallback_id,
                /*with_signature=*/true);
  links_.Add(linker_->posting(), linker_->entities(), linker_->signature());
}

bool GatherInputs(const std::vector<std::string>& inputs,
                  uint64_t max_line_bytes,
                  const std::vector<PackScanner*>& scanners,
                  std::string* error) {
  std::vector<PackScanner*> linking;
  for (PackScanner* scanner : scanners) {
    if (scanner->uses_links()) linking.push_back(scanner);
  }
  if (linking.empty()) return true;

  for (const std::string& input : inputs) {
    if (input == "-") {
      *error =
          "rules with 'links' read the listings twice: give them as "
          "files, not on standard input";
      return false;
    }
    auto reader = LineReader::Open(input, max_line_bytes, error);
    if (reader == nullptr) return false;
    Line line;
    while (reader->Next(&line)) {
      if (line.too_long || IsBlankLine(line.content())) continue;
      const std::string fallback_id =
          FormatLinePlace(reader->name(), line.number);
      for (PackScanner* scanner : linking) {
        scanner->Gather(line.content(), fallback_id);
      }
    }
    if (!reader->error().empty()) {
      *error = reader->error();
      return false;
    }
  }
  return true;
}

bool PackScanner::flagged() const {
  return IsFlagged(verdict_, pack_.settings.threshold);
}

}  // namespace adflag

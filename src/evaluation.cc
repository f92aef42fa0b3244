#include "adflag/evaluation.h"

#include <charconv>
#include <cmath>
#include <memory>
#include <utility>

#include "adflag/diagnostic.h"
#include "adflag/line_reader.h"

namespace adflag {
namespace {

// Label files are small; a longer line is surely not a label.
constexpr uint64_t kMaxLabelLineBytes = uint64_t{1} << 20;

// The smallest weight in the bench generator's format that is positive.
constexpr uint64_t kPositiveWeight = 2;

std::vector<std::string_view> SplitTabs(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t tab = text.find('\t', start);
    if (tab == std::string_view::npos) break;
    fields.push_back(text.substr(start, tab - start));
    start = tab + 1;
  }
  fields.push_back(text.substr(start));
  return fields;
}

// Reads the label of the two-field form. Returns false and sets *reason
// when it is not 0 or 1.
bool ParseBinaryLabel(std::string_view text, bool* positive,
                      std::string* reason) {
  if (text != "0" && text != "1") {
    *reason = "label must be 0 or 1, not '" + std::string(text) + "'";
    return false;
  }
  *positive = text == "1";
  return true;
}

// Reads the weight of the three-field form. Returns false and sets *reason
// when it is not a whole number.
bool ParseWeightLabel(std::string_view text, bool* positive,
                      std::string* reason) {
  uint64_t weight = 0;
  const char* end = text.data() + text.size();
  auto [stop, code] = std::from_chars(text.data(), end, weight);
  if (text.empty() || code != std::errc() || stop != end) {
    *reason = "weight must be a whole number, not '" + std::string(text) + "'";
    return false;
  }
  *positive = weight >= kPositiveWeight;
  return true;
}

// Reads the label of a line split into fields. Returns false and sets
// *reason when the line is malformed.
bool ParseLabelFields(const std::vector<std::string_view>& fields,
                      bool* positive, std::string* reason) {
  if (fields.size() != 2 && fields.size() != 3) {
    *reason = "expected id<TAB>label or id<TAB>families<TAB>weight, found " +
              std::to_string(fields.size()) + " tab-separated fields";
    return false;
  }
  if (fields[0].empty()) {
    *reason = "empty id";
    return false;
  }
  return fields.size() == 2 ? ParseBinaryLabel(fields[1], positive, reason)
                            : ParseWeightLabel(fields[2], positive, reason);
}

// Returns a ratio, or 0 when the denominator is 0.
double Ratio(uint64_t numerator, uint64_t denominator) {
  if (denominator == 0) return 0;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

bool LabelSet::AddLine(const std::string& file, uint64_t number,
                       std::string_view text, std::string* error) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (IsBlankLine(text)) return true;

  std::string place = FormatLinePlace(file, number) + ": ";
  std::vector<std::string_view> fields = SplitTabs(text);
  bool positive = false;
  std::string reason;
  if (!ParseLabelFields(fields, &positive, &reason)) {
    *error = place + reason;
    return false;
  }

  auto [entry, added] =
      labels_.try_emplace(std::string(fields[0]), Entry{positive, number});
  if (!added) {
    *error = place + "duplicate id '" + entry->first +
             "' (first labeled on line " + std::to_string(entry->second.line) +
             ")";
    return false;
  }
  return true;
}

int LabelSet::Find(const std::string& id) const {
  auto entry = labels_.find(id);
  if (entry == labels_.end()) return -1;
  return entry->second.positive ? 1 : 0;
}

bool ReadLabels(const std::string& path, LabelSet* labels, std::string* error) {
  std::unique_ptr<LineReader> reader =
      LineReader::Open(path, kMaxLabelLineBytes, error);
  if (reader == nullptr) return false;

  Line line;
  while (reader->Next(&line)) {
    std::string place = FormatLinePlace(reader->name(), line.number);
    if (line.too_long) {
      *error = place + ": line is longer than " +
               std::to_string(kMaxLabelLineBytes) + " bytes";
      return false;
    }
    if (!labels->AddLine(reader->name(), line.number, line.content(), error)) {
      return false;
    }
  }
  *error = reader->error();
  return error->empty();
}

void Confusion::Add(bool predicted, bool positive) {
  if (predicted) {
    ++(positive ? true_positive : false_positive);
  } else {
    ++(positive ? false_negative : true_negative);
  }
}

double Confusion::precision() const {
  return Ratio(true_positive, true_positive + false_positive);
}

double Confusion::recall() const {
  return Ratio(true_positive, true_positive + false_negative);
}

double Confusion::f1() const {
  double p = precision();
  double r = recall();
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

double RuleTally::precision() const { return Ratio(positive, fired); }

Evaluation::Evaluation(LabelSet labels, size_t rule_count)
    : labels_(std::move(labels)) {
  counts_.rules.resize(rule_count);
}

void Evaluation::Add(const std::string& id, const Prediction& prediction) {
  int label = labels_.Find(id);
  if (label < 0) {
    ++counts_.unlabeled;
    return;
  }
  bool positive = label == 1;
  matched_.insert(id);
  ++counts_.labeled;
  if (positive) ++counts_.positive;

  for (size_t i = 0; i < kEvaluatedLevels.size(); ++i) {
    bool predicted =
        prediction.flagged && prediction.level >= kEvaluatedLevels[i];
    counts_.levels[i].Add(predicted, positive);
  }
  for (int rule : prediction.fired_rules) {
    RuleTally& tally = counts_.rules[rule];
    ++tally.fired;
    if (positive) ++tally.positive;
  }
  if (!prediction.group.empty()) {
    bool at_medium = prediction.flagged && prediction.level >= Level::kMedium;
    counts_.groups[prediction.group].Add(at_medium, positive);
  }
}

uint64_t Evaluation::labels_without_listing() const {
  return labels_.size() - matched_.size();
}

double RoundRatio(double value) { return std::round(value * 1e4) / 1e4; }

}  // namespace adflag

#include "adflag/review_page.h"

#include <algorithm>
#include <charconv>

#include "json_text.h"
#include "review_page_data.h"

namespace adflag {
namespace {

constexpr int kPageDataVersion = 1;
constexpr size_t kPartBytes = size_t{1} << 20;

// Appends the rules of the pack that the page labels evidence with.
void AppendRules(const RulePack& pack, std::string* out) {
  out->push_back('[');
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    const Rule& rule = pack.rules[r];
    if (r > 0) out->push_back(',');
    out->append("{\"id\":");
    AppendJsonString(rule.id, out);
    out->append(",\"title\":");
    AppendJsonString(rule.title, out);
    out->append(",\"category\":");
    AppendJsonString(rule.category, out);
    out->append(",\"weight\":");
    AppendJsonNumber(rule.weight, out);
    out->append(",\"status\":");
    AppendJsonString(RuleStatusName(rule.status), out);
    out->append(",\"description\":");
    AppendJsonString(rule.description, out);
    out->push_back('}');
  }
  out->push_back(']');
}

}  // namespace

std::string EscapeJsonForScript(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out.append("\\u003c");
    } else if (c == '>') {
      out.append("\\u003e");
    } else if (c == '&') {
      out.append("\\u0026");
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      // U+2028 and U+2029, line separators to older JavaScript.
      out.append(json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

double RecordScore(std::string_view record) {
  // Inside a JSON string every quote is escaped, so `,"score":` can only
  // be the member itself.
  constexpr std::string_view kKey = ",\"score\":";
  const size_t at = record.find(kKey);
  if (at == std::string_view::npos) return -1;
  const char* begin = record.data() + at + kKey.size();
  double score = -1;
  auto [end, error] =
      std::from_chars(begin, record.data() + record.size(), score);
  return error == std::errc() ? score : -1;
}

ReviewPage::ReviewPage(const RulePack& pack) : pack_(pack) {}

void ReviewPage::Add(std::string_view records) {
  while (!records.empty()) {
    size_t end = records.find('\n');
    if (end == std::string_view::npos) end = records.size();
    std::string_view record = records.substr(0, end);
    if (!record.empty()) {
      records_.push_back({RecordScore(record), std::string(record)});
    }
    records.remove_prefix(std::min(records.size(), end + 1));
  }
}

std::string ReviewPage::RunJson(const ReviewRun& run) const {
  std::string out = "{\"format\":\"adflag-review\",\"version\":";
  AppendJsonNumber(kPageDataVersion, &out);
  out.append(",\"pack\":{\"name\":");
  AppendJsonString(pack_.settings.name, &out);
  out.append(",\"version\":");
  AppendJsonString(pack_.settings.version, &out);
  out.append(",\"medium\":");
  AppendJsonNumber(pack_.settings.medium, &out);
  out.append(",\"high\":");
  AppendJsonNumber(pack_.settings.high, &out);
  out.append("},\"run\":{\"sources\":[");
  for (size_t s = 0; s < run.sources.size(); ++s) {
    if (s > 0) out.push_back(',');
    AppendJsonString(run.sources[s], &out);
  }
  out.append("]");
  const std::pair<const char*, uint64_t> counts[] = {
      {"lines", run.lines},       {"listings", run.listings},
      {"blank", run.blank},       {"rejected", run.rejected},
      {"repaired", run.repaired}, {"written", records_.size()}};
  for (const auto& [name, count] : counts) {
    out.push_back(',');
    AppendJsonKey(name, &out);
    AppendJsonNumber(count, &out);
  }
  out.append(",\"threshold\":");
  AppendJsonNumber(run.threshold, &out);
  out.append(run.linking ? ",\"linking\":true" : ",\"linking\":false");
  out.append(run.all ? ",\"all\":true" : ",\"all\":false");
  out.append("},\"rules\":");
  AppendRules(pack_, &out);
  out.append(",\"flags\":[");
  return out;
}

bool ReviewPage::Write(const ReviewRun& run, const PageSink& sink) const {
  std::vector<const Record*> order;
  order.reserve(records_.size());
  for (const Record& record : records_) order.push_back(&record);
  std::stable_sort(
      order.begin(), order.end(),
      [](const Record* a, const Record* b) { return a->score > b->score; });

  if (!sink(ReviewPageHead()) || !sink(EscapeJsonForScript(RunJson(run)))) {
    return false;
  }
  // The records go out in parts of about kPartBytes.
  std::string part;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) part.push_back(',');
    part.append(EscapeJsonForScript(order[i]->json));
    if (part.size() >= kPartBytes) {
      if (!sink(part)) return false;
      part.clear();
    }
  }
  part.append("]}");
  return sink(part) && sink(ReviewPageTail());
}

}  // namespace adflag

#include "rule_file_limits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace adflag {
namespace {

// The first problem the event pass found, and where.
struct LimitProblem {
  bool found = false;
  YAML::Mark mark;
  std::string message;
};

// Counts nodes, nesting and alias expansion from the parser's events.
// The size of an anchored node is what one alias to it expands to.
class LimitCounter : public YAML::EventHandler {
 public:
  explicit LimitCounter(LimitProblem* problem) : problem_(problem) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    previous_start_ = document_start_;
    document_start_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Leaf(mark, anchor, 1);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchor_nodes_.find(anchor);
    Leaf(mark, YAML::NullAnchor, it == anchor_nodes_.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&,
                YAML::anchor_t anchor, const std::string&) override {
    Leaf(mark, anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

  // True when the last document started where the one before it did: the
  // YAML library did not consume the token there and would loop for ever.
  bool Stuck() const {
    return !previous_start_.is_null() &&
           previous_start_.pos == document_start_.pos;
  }
  const YAML::Mark& document_start() const { return document_start_; }

 private:
  // A collection being read: where it started, its anchor and the nodes
  // inside it so far, itself included.
  struct Open_ {
    YAML::anchor_t anchor;
    uint64_t nodes;
  };

  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, uint64_t nodes) {
    if (anchor != YAML::NullAnchor) anchor_nodes_[anchor] = nodes;
    Add(mark, nodes);
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(open_.size()) >= kMaxYamlDepth) {
      Fail(mark, "YAML nested too deeply (more than " +
                     std::to_string(kMaxYamlDepth) + " levels)");
    }
    open_.push_back({anchor, 1});
    last_mark_ = mark;
  }

  void Close() {
    if (open_.empty()) return;
    const Open_ done = open_.back();
    open_.pop_back();
    if (done.anchor != YAML::NullAnchor)
      anchor_nodes_[done.anchor] = done.nodes;
    Add(last_mark_, done.nodes);
  }

  // Counts `nodes` into the enclosing collection, or the document.
  void Add(const YAML::Mark& mark, uint64_t nodes) {
    last_mark_ = mark;
    if (!open_.empty()) {
      open_.back().nodes = Saturate(open_.back().nodes + nodes);
      return;
    }
    total_ = Saturate(total_ + nodes);
    if (total_ > kMaxYamlNodes) {
      Fail(mark, "YAML aliases expand to more than " +
                     std::to_string(kMaxYamlNodes) + " nodes");
    }
  }

  static uint64_t Saturate(uint64_t nodes) {
    return nodes > kMaxYamlNodes ? kMaxYamlNodes + 1 : nodes;
  }

  void Fail(const YAML::Mark& mark, std::string message) {
    if (problem_->found) return;
    *problem_ = {true, mark, std::move(message)};
  }

  LimitProblem* problem_;
  std::vector<Open_> open_;
  std::map<YAML::anchor_t, uint64_t> anchor_nodes_;
  uint64_t total_ = 0;
  YAML::Mark last_mark_ = YAML::Mark::null_mark();
  YAML::Mark document_start_ = YAML::Mark::null_mark();
  YAML::Mark previous_start_ = YAML::Mark::null_mark();
};

SourcePos PosOf(const std::string& file, const YAML::Mark& mark) {
  SourcePos pos;
  pos.file = file;
  if (!mark.is_null()) {
    pos.line = mark.line + 1;
    pos.column = mark.column + 1;
  }
  return pos;
}

void AddError(const SourcePos& pos, std::string message,
              std::vector<Diagnostic>* diagnostics) {
  diagnostics->push_back({pos, Severity::kError, std::move(message)});
}

// Names the byte the YAML library stopped at without consuming it.
std::string StuckMessage(const std::string& text, const YAML::Mark& mark) {
  if (mark.pos >= 0 && static_cast<size_t>(mark.pos) < text.size()) {
    char c = text[static_cast<size_t>(mark.pos)];
    if (c > ' ' && c < 0x7f) {
      return std::string("YAML syntax: unexpected '") + c + "'";
    }
  }
  return "YAML syntax: unexpected character";
}

// Reads every document's events. A document that starts where the one
// before did made no progress: the library would loop on it for ever.
bool ReadEvents(const RuleFile& file, LimitProblem* problem,
                std::vector<Diagnostic>* diagnostics) {
  std::istringstream stream(file.text);
  YAML::Parser parser(stream);
  LimitCounter counter(problem);
  try {
    while (!problem->found && parser.HandleNextDocument(counter)) {
      if (!counter.Stuck()) continue;
      const YAML::Mark& start = counter.document_start();
      *problem = {true, start, StuckMessage(file.text, start)};
    }
  } catch (const YAML::Exception& e) {
    // Nesting past the limit is found before the library's own depth
    // guard throws, and is the clearer message.
    if (problem->found) return true;
    AddError(PosOf(file.path, e.mark), "YAML syntax: " + e.msg, diagnostics);
    return false;
  }
  return true;
}

}  // namespace

std::string RuleFileTooLargeMessage(uint64_t bytes) {
  return "rule file is " + std::to_string(bytes) +
         " bytes, more than the limit of " + std::to_string(kMaxRuleFileBytes) +
         " bytes (4 MiB)";
}

bool CheckRuleFileLimits(const RuleFile& file,
                         std::vector<Diagnostic>* diagnostics) {
  if (file.text.size() > kMaxRuleFileBytes) {
    AddError(PosOf(file.path, YAML::Mark()),
             RuleFileTooLargeMessage(file.text.size()), diagnostics);
    return false;
  }

  LimitProblem problem;
  if (!ReadEvents(file, &problem, diagnostics)) return false;
  if (!problem.found) return true;
  AddError(PosOf(file.path, problem.mark), problem.message, diagnostics);
  return false;
}

}  // namespace adflag

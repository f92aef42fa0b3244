#include "adflag/scan.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "adflag/builtin_pack.h"
#include "adflag/flag_writer.h"
#include "adflag/line_reader.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/profile.h"
#include "adflag/rule_pack.h"
#include "output_file.h"

namespace adflag {

void RunStats::Add(const RunStats& other) {
  lines += other.lines;
  listings += other.listings;
  blank += other.blank;
  rejected += other.rejected;
  repaired += other.repaired;
  for (size_t i = 0; i < flagged.size(); ++i) flagged[i] += other.flagged[i];
  if (rule_hits.size() < other.rule_hits.size()) {
    rule_hits.resize(other.rule_hits.size());
  }
  for (size_t i = 0; i < other.rule_hits.size(); ++i) {
    rule_hits[i] += other.rule_hits[i];
  }
}

uint64_t RunStats::flagged_total() const {
  uint64_t total = 0;
  for (uint64_t count : flagged) total += count;
  return total;
}

namespace {

// A batch holds about this many lines or bytes, whichever comes first.
constexpr size_t kBatchLines = 2048;
constexpr size_t kBatchBytes = size_t{4} << 20;

// Only the first few rejected and repaired lines are named on stderr.
constexpr uint64_t kNotesShown = 10;

// Where one line lies in its batch's bytes.
struct LineSlot {
  size_t offset = 0;
  size_t size = 0;
  // The part parsed as JSON (no byte-order mark, no final CR).
  size_t content_offset = 0;
  size_t content_size = 0;
  uint64_t number = 0;
  bool too_long = false;
};

// One line of a batch, as the workers see it.
struct LineView {
  std::string_view raw;
  std::string_view content;
  uint64_t number = 0;
  bool too_long = false;
};

// Consecutive lines of one input, their bytes back to back in `bytes`.
// Batches are reused, so their buffers soon stop growing: memory follows
// the batch size, not the number of lines read.
struct Batch {
  uint64_t sequence = 0;
  int input = 0;
  std::string bytes;
  std::vector<LineSlot> lines;

  LineView line(size_t i) const {
    const LineSlot& slot = lines[i];
    std::string_view all(bytes);
    return {all.substr(slot.offset, slot.size),
            all.substr(slot.content_offset, slot.content_size), slot.number,
            slot.too_long};
  }
};

// A line worth a note on stderr: rejected or repaired.
struct LineNote {
  bool rejected = false;
  std::string text;
};

// What a worker made of a batch.
struct BatchResult {
  std::string output;
  std::string rejects;
  std::vector<LineNote> notes;
  RunStats stats;
  bool fail_on_reached = false;
};

// The read-only state every worker shares.
struct ScanContext {
  const ScanOptions* options = nullptr;
  const RulePack* pack = nullptr;
  const CompiledPack* compiled = nullptr;
  const Scorer* scorer = nullptr;
  const FlagWriter* writer = nullptr;
  ListingFields fields;
  double threshold = 0;
  std::vector<std::string> source_names;
  // Where workers add their profile when they finish; null when not
  // profiling. Guarded by the caller.
  Profile* profile = nullptr;
};

// The scratch state of one worker.
struct Worker {
  explicit Worker(const ScanContext& context)
      : parser(context.fields),
        matcher(*context.compiled),
        profile(context.pack->rules.size()),
        profiling(context.options->profile) {
    if (profiling) matcher.set_profile(&profile);
  }

  // Returns the counter of `stage` when profiling, or null.
  uint64_t* Counter(Stage stage) {
    return profiling ? &profile.stage(stage) : nullptr;
  }

  ListingParser parser;
  Matcher matcher;
  Listing listing;
  MatchResult matches;
  Verdict verdict;
  Profile profile;
  bool profiling;
};

void Reject(const std::string& source, const LineView& line,
            const RejectReason& reason, BatchResult* result) {
  ++result->stats.rejected;
  result->rejects.append(line.raw);
  result->rejects.push_back('\n');
  result->notes.push_back({true, RejectNote(source, line.number, reason)});
}

// Scores one parsed listing and writes it when it is flagged or --all.
void ScoreListing(const ScanContext& context, const std::string& source,
                  const LineView& line, Worker* worker, BatchResult* result) {
  worker->matcher.Match(worker->listing, &worker->matches);
  {
    StageTimer timer(worker->Counter(Stage::kScore));
    context.scorer->Score(worker->matches, &worker->verdict);
  }
  const Verdict& verdict = worker->verdict;

  for (const auto* matches : {&verdict.counted, &verdict.shadow}) {
    for (const RuleMatch& match : *matches) {
      ++result->stats.rule_hits[match.rule];
    }
  }
  bool flagged = !verdict.counted.empty() && verdict.score >= context.threshold;
  if (flagged) {
    ++result->stats.flagged[static_cast<int>(verdict.level)];
    const auto& fail_on = context.options->fail_on;
    if (fail_on && verdict.level >= *fail_on) result->fail_on_reached = true;
  }
  if (flagged || context.options->all) {
    StageTimer timer(worker->Counter(Stage::kWrite));
    ListingRecord record{&source, line.number, &worker->listing, &verdict,
                         flagged};
    context.writer->Append(record, &result->output);
  }
}

void ProcessLine(const ScanContext& context, const std::string& source,
                 const LineView& line, Worker* worker, BatchResult* result) {
  ++result->stats.lines;
  if (line.too_long) {
    Reject(source, line, TooLongReason(context.options->max_line_bytes),
           result);
    return;
  }
  std::string_view content = line.content;
  if (IsBlankLine(content)) {
    ++result->stats.blank;
    return;
  }

  RejectReason reason;
  bool parsed;
  {
    StageTimer timer(worker->Counter(Stage::kParse));
    parsed = worker->parser.Parse(content, &worker->listing, &reason);
  }
  if (!parsed) {
    Reject(source, line, reason, result);
    return;
  }
  ++result->stats.listings;
  if (worker->listing.repaired) {
    ++result->stats.repaired;
    result->notes.push_back(
        {false, source + ":" + std::to_string(line.number) +
                    ": repaired invalid UTF-8 (replaced by U+FFFD)"});
  }
  ScoreListing(context, source, line, worker, result);
}

void ProcessBatch(const ScanContext& context, const Batch& batch,
                  Worker* worker, BatchResult* result) {
  result->stats.rule_hits.assign(context.pack->rules.size(), 0);
  const std::string& source = context.source_names[batch.input];
  for (size_t i = 0; i < batch.lines.size(); ++i) {
    ProcessLine(context, source, batch.line(i), worker, result);
  }
}

}  // namespace

namespace {

// Cuts the inputs, one after the other, into batches of lines.
class BatchReader {
 public:
  BatchReader(std::vector<std::string> inputs, uint64_t max_line_bytes)
      : inputs_(std::move(inputs)), max_line_bytes_(max_line_bytes) {}

  // Fills *batch with the next lines. Returns false when every input is
  // read or an input failed; error() tells which.
  bool Next(Batch* batch) {
    StageTimer timer(read_ns_);
    batch->bytes.clear();
    batch->lines.clear();
    while (error_.empty() && current_ < inputs_.size()) {
      if (reader_ == nullptr && !OpenCurrent()) return false;
      if (Fill(batch)) return true;
      if (!reader_->error().empty()) error_ = reader_->error();
      reader_.reset();
      ++current_;
    }
    return false;
  }

  const std::string& error() const { return error_; }

  // Times reading into *read_ns from now on.
  void set_timer(uint64_t* read_ns) { read_ns_ = read_ns; }

 private:
  bool OpenCurrent() {
    reader_ = LineReader::Open(inputs_[current_], max_line_bytes_, &error_);
    return reader_ != nullptr;
  }

  // Reads lines of the current input into *batch; returns false when the
  // input had no more lines.
  bool Fill(Batch* batch) {
    batch->input = static_cast<int>(current_);
    while (batch->lines.size() < kBatchLines &&
           batch->bytes.size() < kBatchBytes && reader_->Next(&line_)) {
      std::string_view content = line_.content();
      LineSlot slot;
      slot.offset = batch->bytes.size();
      slot.size = line_.raw.size();
      slot.content_offset = slot.offset + (content.data() - line_.raw.data());
      slot.content_size = content.size();
      slot.number = line_.number;
      slot.too_long = line_.too_long;
      batch->bytes.append(line_.raw);
      batch->lines.push_back(slot);
    }
    if (batch->lines.empty()) return false;
    batch->sequence = sequence_++;
    return true;
  }

  std::vector<std::string> inputs_;
  uint64_t max_line_bytes_;
  size_t current_ = 0;
  std::unique_ptr<LineReader> reader_;
  uint64_t sequence_ = 0;
  std::string error_;
  uint64_t* read_ns_ = nullptr;
  // The line being read, before it is copied into its batch.
  Line line_;
};

// Takes batch results in input order: writes the output and the rejects,
// names the first rejected lines, adds up the counts and decides when the
// run must stop.
class RunWriter {
 public:
  RunWriter(const ScanOptions& options, size_t rule_count) : options_(options) {
    stats_.rule_hits.assign(rule_count, 0);
  }

  bool Open() {
    std::string error;
    if (!output_.Open(options_.output_path, &error) ||
        (!options_.rejects_path.empty() &&
         !rejects_.Open(options_.rejects_path, &error))) {
      return Fail(error);
    }
    return true;
  }

  // Takes the next batch result. Returns false when the run must stop.
  bool Accept(BatchResult* result) {
    StageTimer timer(write_ns_);
    std::string error;
    if (!output_.Write(result->output, &error)) return Fail(error);
    if (!options_.rejects_path.empty() &&
        !rejects_.Write(result->rejects, &error)) {
      return Fail(error);
    }
    Note(result->notes);
    stats_.Add(result->stats);
    fail_on_reached_ = fail_on_reached_ || result->fail_on_reached;
    if (options_.max_rejects && stats_.rejected > *options_.max_rejects) {
      status_ = ScanStatus::kTooManyRejects;
      return false;
    }
    return !output_.closed();
  }

  // Records a failure that ends the run. Returns false.
  bool Fail(const std::string& message) {
    spdlog::error("adflag: error: {}", message);
    status_ = ScanStatus::kFailed;
    return false;
  }

  // Completes the outputs: the output file only when every line was
  // accounted for, the rejects file always, since it is what the analyst
  // needs to fix and run again.
  void Finish() {
    std::string error;
    if (status_ == ScanStatus::kDone && !output_.Commit(&error)) Fail(error);
    if (!options_.rejects_path.empty() && !rejects_.Commit(&error)) {
      Fail(error);
    }
    if (status_ != ScanStatus::kDone && !options_.output_path.empty()) {
      spdlog::warn("adflag: '{}' was not written: the run did not complete",
                   options_.output_path);
    }
    uint64_t unnamed = stats_.rejected - std::min(stats_.rejected, shown_);
    if (unnamed > 0 && !options_.quiet) {
      spdlog::warn("adflag: {} more rejected lines not named here", unnamed);
    }
  }

  ScanStatus status() const { return status_; }
  bool fail_on_reached() const { return fail_on_reached_; }
  RunStats& stats() { return stats_; }

  // Times writing into *write_ns from now on.
  void set_timer(uint64_t* write_ns) { write_ns_ = write_ns; }

 private:
  void Note(const std::vector<LineNote>& notes) {
    for (const LineNote& note : notes) {
      uint64_t& shown = note.rejected ? shown_ : repaired_shown_;
      if (shown >= kNotesShown) continue;
      ++shown;
      if (options_.quiet) continue;
      if (note.rejected) {
        spdlog::warn("{}", note.text);
      } else {
        spdlog::info("{}", note.text);
      }
    }
  }

  const ScanOptions& options_;
  OutputFile output_;
  OutputFile rejects_;
  RunStats stats_;
  ScanStatus status_ = ScanStatus::kDone;
  bool fail_on_reached_ = false;
  uint64_t shown_ = 0;
  uint64_t repaired_shown_ = 0;
  uint64_t* write_ns_ = nullptr;
};

// Runs the batches through one worker on the calling thread.
void RunSerial(const ScanContext& context, BatchReader* reader,
               RunWriter* writer) {
  Worker worker(context);
  Batch batch;
  while (reader->Next(&batch)) {
    BatchResult result;
    ProcessBatch(context, batch, &worker, &result);
    if (!writer->Accept(&result)) break;
  }
  if (context.profile != nullptr) context.profile->Add(worker.profile);
}

// Runs the batches through a pool of workers. The reader runs on its own
// thread, the writer on the calling one; at most `limit` batches are
// between the two at any time, which bounds memory.
class ParallelRun {
 public:
  ParallelRun(const ScanContext& context, BatchReader* reader,
              RunWriter* writer)
      : context_(context),
        reader_(reader),
        writer_(writer),
        limit_(static_cast<size_t>(context.options->threads) * 3) {}

  void Run() {
    std::thread reading([this] { ReadAll(); });
    std::vector<std::thread> workers;
    for (int i = 0; i < context_.options->threads; ++i) {
      workers.emplace_back([this] { Work(); });
    }
    WriteAll();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    reading.join();
    for (std::thread& worker : workers) worker.join();
  }

 private:
  void ReadAll() {
    Batch batch;
    while (reader_->Next(&batch)) {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || in_flight_ < limit_; });
      if (stopping_) break;
      ++in_flight_;
      queue_.push_back(std::move(batch));
      batch = Batch();
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      }
      lock.unlock();
      changed_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    reading_done_ = true;
    changed_.notify_all();
  }

  void Work() {
    Worker worker(context_);
    Batch batch;
    while (TakeWork(&batch)) {
      BatchResult result;
      ProcessBatch(context_, batch, &worker, &result);
      Deliver(&batch, &result, &worker);
    }
  }

  // Waits for a batch to process. Returns false when there is none left
  // or the run is stopping.
  bool TakeWork(Batch* batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(
        lock, [this] { return stopping_ || !queue_.empty() || reading_done_; });
    if (stopping_ || queue_.empty()) return false;
    *batch = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

  // Hands a processed batch's result to the writer and its lines back to
  // the reader.
  void Deliver(Batch* batch, BatchResult* result, Worker* worker) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      results_.emplace(batch->sequence, std::move(*result));
      spare_.push_back(std::move(*batch));
      if (context_.profile != nullptr) {
        context_.profile->Add(worker->profile);
        worker->profile = Profile(context_.pack->rules.size());
      }
    }
    changed_.notify_all();
  }

  void WriteAll() {
    for (uint64_t next = 0;; ++next) {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return results_.count(next) > 0 || (reading_done_ && in_flight_ == 0);
      });
      auto it = results_.find(next);
      if (it == results_.end()) return;
      BatchResult result = std::move(it->second);
      results_.erase(it);
      lock.unlock();

      bool go_on = writer_->Accept(&result);
      lock.lock();
      --in_flight_;
      lock.unlock();
      changed_.notify_all();
      if (!go_on) return;
    }
  }

  const ScanContext& context_;
  BatchReader* reader_;
  RunWriter* writer_;
  const size_t limit_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  // Processed batches, whose line buffers the reader fills again.
  std::vector<Batch> spare_;
  std::map<uint64_t, BatchResult> results_;
  size_t in_flight_ = 0;
  bool reading_done_ = false;
  bool stopping_ = false;
};

// Loads the pack named by the options, or the built-in one, and prints
// every diagnostic. Returns false when the pack has errors.
bool LoadPack(const ScanOptions& options, RulePack* pack) {
  std::vector<Diagnostic> diagnostics;
  bool ok = LoadPackOrBuiltin(options.rules_path, pack, &diagnostics);
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  return ok;
}

std::string SourceName(const std::string& input) {
  return input == "-" ? "<stdin>" : input;
}

void PrintSummary(const RunStats& stats, const ScanOptions& options) {
  std::string rejected = std::to_string(stats.rejected) + " rejected";
  if (stats.rejected > 0 && options.rejects_path.empty()) {
    rejected += " (keep them with --rejects FILE)";
  }
  spdlog::info(
      "adflag: {} lines: {} listings ({} repaired), {} blank, {}; "
      "{} flagged: {} high, {} medium, {} low; {:.2f} s",
      stats.lines, stats.listings, stats.repaired, stats.blank, rejected,
      stats.flagged_total(), stats.flagged[3], stats.flagged[2],
      stats.flagged[1], stats.seconds);
}

// Writes the run summary as JSON to the --stats file.
bool WriteStats(const RunStats& stats, const RulePack& pack,
                const std::string& path, std::string* error) {
  nlohmann::ordered_json json;
  json["lines"] = stats.lines;
  json["listings"] = stats.listings;
  json["blank"] = stats.blank;
  json["rejected"] = stats.rejected;
  json["repaired"] = stats.repaired;
  json["flagged"] = {{"total", stats.flagged_total()},
                     {"high", stats.flagged[3]},
                     {"medium", stats.flagged[2]},
                     {"low", stats.flagged[1]}};
  nlohmann::ordered_json rules = nlohmann::ordered_json::object();
  for (size_t r = 0; r < pack.rules.size(); ++r) {
    rules[pack.rules[r].id] = stats.rule_hits[r];
  }
  json["rules"] = std::move(rules);
  json["seconds"] = std::round(stats.seconds * 1000.0) / 1000.0;
  json["pack"] = {{"name", pack.settings.name},
                  {"version", pack.settings.version}};

  OutputFile file;
  std::string text = json.dump(2) + "\n";
  return file.Open(path, error) && file.Write(text, error) &&
         file.Commit(error);
}

ListingFields MakeListingFields(const ScanOptions& options,
                                const CompiledPack& compiled) {
  ListingFields fields;
  fields.id_field = options.id_field;
  fields.text_fields = compiled.fields();
  fields.included_fields = options.include_fields;
  fields.strict_utf8 = options.strict_utf8;
  return fields;
}

}  // namespace

ScanReport RunScan(const ScanOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ScanReport report;
  report.status = ScanStatus::kFailed;

  RulePack pack;
  std::vector<Diagnostic> diagnostics;
  if (!LoadPack(options, &pack)) return report;
  auto compiled = CompiledPack::Compile(pack, &diagnostics);
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  if (compiled == nullptr) return report;

  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.push_back("-");
  std::string error;
  if (!CheckInputsReadable(inputs, &error)) {
    spdlog::error("adflag: error: {}", error);
    return report;
  }

  // Build what the workers share, then run.
  Scorer scorer(pack);
  OutputOptions output_options{options.all, options.include_fields};
  FlagWriter flag_writer(*compiled, output_options);
  ScanContext context{&options,
                      &pack,
                      compiled.get(),
                      &scorer,
                      &flag_writer,
                      MakeListingFields(options, *compiled),
                      options.min_score.value_or(pack.settings.threshold),
                      {}};
  for (const std::string& input : inputs) {
    context.source_names.push_back(SourceName(input));
  }
  Profile profile(pack.rules.size());
  if (options.profile) context.profile = &profile;
  RunWriter writer(options, pack.rules.size());
  if (!writer.Open()) return report;
  BatchReader reader(inputs, options.max_line_bytes);
  // The reader and the writer run on their own threads: they keep their
  // own counters, added to the profile once the run is over.
  uint64_t read_ns = 0;
  uint64_t write_ns = 0;
  if (options.profile) {
    reader.set_timer(&read_ns);
    writer.set_timer(&write_ns);
  }
  if (options.threads <= 1) {
    RunSerial(context, &reader, &writer);
  } else {
    ParallelRun(context, &reader, &writer).Run();
  }

  // Account for how the run ended.
  if (!reader.error().empty() && writer.status() == ScanStatus::kDone) {
    writer.Fail(reader.error());
  }
  writer.Finish();
  RunStats& stats = writer.stats();
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (!options.quiet) PrintSummary(stats, options);
  if (options.profile) {
    profile.stage(Stage::kRead) += read_ns;
    profile.stage(Stage::kWrite) += write_ns;
    profile.rule_listings = stats.rule_hits;
    spdlog::info("{}",
                 FormatProfile(profile, pack, options.threads, stats.seconds));
  }
  if (!options.stats_path.empty() &&
      !WriteStats(stats, pack, options.stats_path, &error)) {
    writer.Fail(error);
  }
  report.status = writer.status();
  report.fail_on_reached = writer.fail_on_reached();
  report.stats = stats;
  return report;
}

}  // namespace adflag

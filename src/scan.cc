#include "adflag/scan.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

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

#include "adflag/baseline.h"
#include "adflag/builtin_pack.h"
#include "adflag/csv_writer.h"
#include "adflag/diagnostic.h"
#include "adflag/flag_writer.h"
#include "adflag/line_reader.h"
#include "adflag/links.h"
#include "adflag/listing_links.h"
#include "adflag/listing_parser.h"
#include "adflag/matcher.h"
#include "adflag/pack_scanner.h"
#include "adflag/profile.h"
#include "adflag/redaction.h"
#include "adflag/review_page.h"
#include "adflag/rule_pack.h"
#include "interrupt.h"
#include "output_file.h"

namespace adflag {

void RunStats::Add(const RunStats& other) {
  lines += other.lines;
  listings += other.listings;
  blank += other.blank;
  rejected += other.rejected;
  repaired += other.repaired;
  for (size_t i = 0; i < flagged.size(); ++i) flagged[i] += other.flagged[i];
  for (size_t i = 0; i < baseline.size(); ++i) {
    baseline[i] += other.baseline[i];
  }
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

// Consecutive lines of one input, their bytes back to back in `bytes` and
// followed by ListingParser::kPadding bytes, so that every line can be
// parsed where it lies. Batches are reused, so their buffers soon stop growing:
// memory follows the batch size, not the number of lines read.
struct Batch {
  uint64_t sequence = 0;
  int input = 0;
  // Bytes read from all inputs when the batch was cut, for the progress.
  uint64_t input_bytes = 0;
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
  // The batch's Batch::input_bytes.
  uint64_t input_bytes = 0;
};

// The read-only state every worker shares.
struct ScanContext {
  const ScanOptions* options = nullptr;
  const RulePack* pack = nullptr;
  const CompiledPack* compiled = nullptr;
  const Scorer* scorer = nullptr;
  const RecordWriter* writer = nullptr;
  ListingFields fields;
  double threshold = 0;
  std::vector<std::string> source_names;
  // Where linking finds its fields, and how it reads phones.
  LinkFields link_fields;
  EntityOptions entity_options;
  // True in the first pass of a linked run, which only gathers the
  // LinkIndex: each worker gathers its own, added to *gathered (under
  // *gathered_mutex) when the worker is done.
  bool link_pass = false;
  LinkIndex* gathered = nullptr;
  std::mutex* gathered_mutex = nullptr;
  // In a linked run, true when every listing needs its links to be scored:
  // a rule on links counts toward the score, or --all writes them all.
  // Otherwise only the listings written need them.
  bool link_every_listing = false;
  // In the scoring pass of a linked run, what the whole run shares; null
  // when linking is off.
  const LinkIndex* links = nullptr;
  // Where workers add their profile when they finish; null when not
  // profiling. Guarded by the caller.
  Profile* profile = nullptr;
  // The records of --baseline; null without one.
  const Baseline* baseline = nullptr;
  // The key of --redact; empty when the run is not redacted.
  std::string redaction_key;
};

// The scratch state of one worker.
struct Worker {
  explicit Worker(const ScanContext& context)
      : parser(context.fields),
        matcher(*context.compiled),
        linker(context.link_fields, context.entity_options),
        profile(context.pack->rules.size()),
        profiling(context.options->profile),
        fingerprinter(context.redaction_key) {
    if (profiling) matcher.set_profile(&profile);
    if (!context.redaction_key.empty()) {
      redactor.emplace(context.redaction_key, context.entity_options);
    }
  }

  // Returns the counter of `stage` when profiling, or null.
  uint64_t* Counter(Stage stage) {
    return profiling ? &profile.stage(stage) : nullptr;
  }

  ListingParser parser;
  Matcher matcher;
  ListingLinker linker;
  Listing listing;
  MatchResult matches;
  Verdict verdict;
  LinkFacts facts;
  std::string links_json;
  // The listings this worker read in the link pass.
  LinkIndex gathered;
  Profile profile;
  bool profiling;
  Fingerprinter fingerprinter;
  // The fingerprint and status of the listing being written.
  std::string fingerprint;
  const char* status = nullptr;
  // Set when the run is redacted.
  std::optional<Redactor> redactor;
};

void Reject(const std::string& source, const LineView& line,
            const RejectReason& reason, BatchResult* result) {
  ++result->stats.rejected;
  result->rejects.append(line.raw);
  result->rejects.push_back('\n');
  result->notes.push_back({true, RejectNote(source, line.number, reason)});
}

// In a linked run, reads the listing's entities and template and adds
// the rules its links meet to its matches.
void LinkListing(const ScanContext& context, Worker* worker) {
  StageTimer timer(worker->Counter(Stage::kLink));
  worker->parser.ReadLateFields(&worker->listing);
  worker->linker.Read(worker->listing, "", /*with_signature=*/true);
  context.links->FactsFor(worker->linker.entities(), worker->linker.signature(),
                          &worker->facts);
  ApplyLinkRules(*context.pack, worker->facts, &worker->matches);
}

// Appends the output record of a listing to *out.
void WriteListing(const ScanContext& context, const std::string& source,
                  const LineView& line, bool flagged, Worker* worker,
                  std::string* out) {
  StageTimer timer(worker->Counter(Stage::kWrite));
  ListingRecord record{&source, line.number, &worker->listing, &worker->verdict,
                       flagged};
  if (context.links != nullptr) {
    worker->links_json.clear();
    context.links->AppendLinksJson(worker->linker.entities(),
                                   worker->linker.signature(),
                                   &worker->links_json);
    record.facts = &worker->facts;
    record.links_json = &worker->links_json;
  } else {
    // ClassifyListing has read the late fields.
    worker->linker.Read(worker->listing, "", /*with_signature=*/false);
  }
  record.entities = &worker->linker.entities();
  record.fingerprint = worker->fingerprint;
  record.status = worker->status;
  if (worker->redactor) record.redactor = &*worker->redactor;
  context.writer->Append(record, out);
}

// Works out the fingerprint of a listing to be written and, with a
// baseline, its status. Returns false when --new-only leaves it out.
bool ClassifyListing(const ScanContext& context, Worker* worker,
                     BatchResult* result) {
  StageTimer timer(worker->Counter(Stage::kWrite));
  worker->parser.ReadLateFields(&worker->listing);
  worker->fingerprint = worker->fingerprinter.Compute(
      *context.pack, worker->listing, context.link_fields.text_fields,
      worker->verdict, &worker->matcher);
  worker->status = nullptr;
  if (context.baseline == nullptr) return true;

  const Listing& listing = worker->listing;
  const BaselineStatus status = context.baseline->StatusOf(
      listing.has_id ? std::string_view(listing.id) : std::string_view(),
      worker->fingerprint);
  ++result->stats.baseline[static_cast<int>(status)];
  worker->status = BaselineStatusName(status);
  return !(context.options->new_only && status == BaselineStatus::kSeen);
}

// Finds the evidence of a listing about to be written, which MatchRules
// left out, and scores it again to carry the evidence into its verdict.
void AddEvidence(const ScanContext& context, Worker* worker) {
  worker->matcher.AddEvidence(worker->listing, &worker->matches);
  StageTimer timer(worker->Counter(Stage::kScore));
  context.scorer->Score(worker->matches, &worker->verdict);
}

// Scores one parsed listing and writes it when it is flagged or --all.
void ScoreListing(const ScanContext& context, const std::string& source,
                  const LineView& line, Worker* worker, BatchResult* result) {
  worker->matcher.MatchRules(worker->listing, &worker->matches);
  const bool link_first =
      context.links != nullptr && context.link_every_listing;
  if (link_first) LinkListing(context, worker);
  {
    StageTimer timer(worker->Counter(Stage::kScore));
    context.scorer->Score(worker->matches, &worker->verdict);
  }
  // Rules on links that cannot change the score (experimental ones) are
  // only worked out for the listings written.
  if (context.links != nullptr && !link_first &&
      IsFlagged(worker->verdict, context.threshold)) {
    LinkListing(context, worker);
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
  if ((flagged || context.options->all) &&
      ClassifyListing(context, worker, result)) {
    AddEvidence(context, worker);
    WriteListing(context, source, line, flagged, worker, &result->output);
  }
}

// The link pass: adds the listing to the batch's LinkIndex.
void GatherListing(const std::string& source, const LineView& line,
                   Worker* worker) {
  StageTimer timer(worker->Counter(Stage::kLink));
  const ListingRecord record{&source, line.number, &worker->listing, nullptr,
                             false};
  worker->linker.Read(worker->listing, ListingId(record),
                      /*with_signature=*/true);
  worker->gathered.Add(worker->linker.posting(), worker->linker.entities(),
                       worker->linker.signature());
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
    parsed = worker->parser.ParsePadded(content, &worker->listing, &reason);
  }
  if (!parsed) {
    Reject(source, line, reason, result);
    return;
  }
  ++result->stats.listings;
  if (worker->listing.repaired) {
    ++result->stats.repaired;
    result->notes.push_back(
        {false, FormatLinePlace(source, line.number) +
                    ": repaired invalid UTF-8 (replaced by U+FFFD)"});
  }
  if (context.link_pass) {
    GatherListing(source, line, worker);
  } else {
    ScoreListing(context, source, line, worker, result);
  }
}

void ProcessBatch(const ScanContext& context, const Batch& batch,
                  Worker* worker, BatchResult* result) {
  result->stats.rule_hits.assign(context.pack->rules.size(), 0);
  result->input_bytes = batch.input_bytes;
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
  // Reads part `shard` of `shards` of each input when `shards` > 1.
  BatchReader(std::vector<std::string> inputs, uint64_t max_line_bytes,
              int shard, int shards)
      : inputs_(std::move(inputs)),
        max_line_bytes_(max_line_bytes),
        shard_(shard),
        shards_(shards) {}

  // Fills *batch with the next lines. Returns false when every input is
  // read or an input failed; error() tells which.
  bool Next(Batch* batch) {
    StageTimer timer(read_ns_);
    batch->bytes.clear();
    batch->lines.clear();
    while (error_.empty() && current_ < inputs_.size()) {
      if (CaughtSignal() != 0) return false;
      if (reader_ == nullptr && !OpenCurrent()) return false;
      if (Fill(batch)) return true;
      if (!reader_->error().empty()) error_ = reader_->error();
      done_bytes_ += reader_->bytes_read();
      reader_.reset();
      ++current_;
    }
    return false;
  }

  const std::string& error() const { return error_; }

  // The bytes read from all inputs so far.
  uint64_t bytes_read() const {
    return done_bytes_ + (reader_ != nullptr ? reader_->bytes_read() : 0);
  }

  // Times reading into *read_ns from now on.
  void set_timer(uint64_t* read_ns) { read_ns_ = read_ns; }

  // Copies every line read from standard input to `spool`, so that a
  // second pass can read them again.
  void set_spool(std::ofstream* spool) { spool_ = spool; }

 private:
  bool OpenCurrent() {
    const std::string& input = inputs_[current_];
    reader_ = shards_ > 1 ? LineReader::OpenShard(input, max_line_bytes_,
                                                  shard_, shards_, &error_)
                          : LineReader::Open(input, max_line_bytes_, &error_);
    return reader_ != nullptr;
  }

  // Reads lines of the current input into *batch; returns false when the
  // input had no more lines.
  bool Fill(Batch* batch) {
    batch->input = static_cast<int>(current_);
    while (batch->lines.size() < kBatchLines &&
           batch->bytes.size() < kBatchBytes && CaughtSignal() == 0) {
      LineSlot slot;
      slot.offset = batch->bytes.size();
      if (!reader_->NextAppended(&batch->bytes, &line_)) break;
      const std::string_view raw =
          std::string_view(batch->bytes).substr(slot.offset);
      const std::string_view content = Line::ContentOf(raw, line_.number);
      slot.size = raw.size();
      slot.content_offset = slot.offset + (content.data() - raw.data());
      slot.content_size = content.size();
      slot.number = line_.number;
      slot.too_long = line_.too_long;
      batch->lines.push_back(slot);
      if (spool_ != nullptr && inputs_[current_] == "-") {
        spool_->write(raw.data(), static_cast<std::streamsize>(raw.size()));
        spool_->put('\n');
      }
    }
    if (batch->lines.empty()) return false;
    batch->bytes.append(ListingParser::kPadding, ' ');
    batch->sequence = sequence_++;
    batch->input_bytes = bytes_read();
    return true;
  }

  std::vector<std::string> inputs_;
  uint64_t max_line_bytes_;
  int shard_;
  int shards_;
  size_t current_ = 0;
  std::unique_ptr<LineReader> reader_;
  uint64_t sequence_ = 0;
  std::string error_;
  uint64_t* read_ns_ = nullptr;
  std::ofstream* spool_ = nullptr;
  // The bytes read from the inputs finished so far.
  uint64_t done_bytes_ = 0;
  // The number and length check of the line being read; its bytes go
  // straight into the batch.
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
    if (CaughtSignal() != 0) return Interrupt();
    StageTimer timer(write_ns_);
    std::string error;
    if (page_ != nullptr) {
      page_->Add(result->output);
    } else if (!output_.Write(result->output, &error)) {
      return Fail(error);
    }
    if (!options_.rejects_path.empty() &&
        !rejects_.Write(result->rejects, &error)) {
      return Fail(error);
    }
    if (progress_ != nullptr && !result->notes.empty() && !options_.quiet) {
      progress_->Clear();
    }
    Note(result->notes);
    stats_.Add(result->stats);
    if (progress_ != nullptr) {
      progress_->Update(result->input_bytes, stats_.listings);
    }
    fail_on_reached_ = fail_on_reached_ || result->fail_on_reached;
    if (options_.max_rejects && stats_.rejected > *options_.max_rejects) {
      status_ = ScanStatus::kTooManyRejects;
      return false;
    }
    return !output_.closed();
  }

  // Records that a signal ends the run, once. Returns false.
  bool Interrupt() {
    if (status_ != ScanStatus::kInterrupted) {
      spdlog::error("adflag: error: interrupted by {}",
                    SignalName(CaughtSignal()));
    }
    status_ = ScanStatus::kInterrupted;
    return false;
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
    if (status_ == ScanStatus::kDone && page_ != nullptr) WritePage();
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

  // Gathers the records into `page`, written by Finish, instead of
  // writing them as they come; `run` says what the page tells of the run.
  void set_page(ReviewPage* page, ReviewRun run) {
    page_ = page;
    page_run_ = std::move(run);
  }

  // Shows the progress of the run on `progress` from now on.
  void set_progress(ProgressMeter* progress) { progress_ = progress; }

  // Writes `text` to the output. Returns false when that failed.
  bool WriteText(const std::string& text) {
    std::string error;
    return output_.Write(text, &error) || Fail(error);
  }

 private:
  void WritePage() {
    ReviewRun& run = page_run_;
    run.lines = stats_.lines;
    run.listings = stats_.listings;
    run.blank = stats_.blank;
    run.rejected = stats_.rejected;
    run.repaired = stats_.repaired;
    std::string error;
    if (!page_->Write(run, [&](std::string_view part) {
          return output_.Write(part, &error);
        })) {
      Fail(error);
    }
  }

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
  // Null when progress is not shown.
  ProgressMeter* progress_ = nullptr;
  // Null unless the output is a review page.
  ReviewPage* page_ = nullptr;
  ReviewRun page_run_;
};

// Adds what a worker gathered in the link pass to the run's LinkIndex.
void HandOverGathered(const ScanContext& context, Worker* worker) {
  if (!context.link_pass) return;
  std::lock_guard<std::mutex> lock(*context.gathered_mutex);
  if (context.gathered->listing_count() == 0) {
    *context.gathered = std::move(worker->gathered);
  } else {
    context.gathered->Merge(worker->gathered);
  }
  worker->gathered = LinkIndex();
}

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
  HandOverGathered(context, &worker);
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
    HandOverGathered(context_, &worker);
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
  if (!options.baseline_path.empty()) {
    const auto& counts = stats.baseline;
    spdlog::info("adflag: against the baseline: {} new, {} changed, {} seen{}",
                 counts[0], counts[1], counts[2],
                 options.new_only ? " (not written: --new-only)" : "");
  }
}

// Writes the run summary as JSON to the --stats file.
bool WriteStats(const RunStats& stats, const RulePack& pack, bool has_baseline,
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
  if (has_baseline) {
    json["baseline"] = {{"new", stats.baseline[0]},
                        {"changed", stats.baseline[1]},
                        {"seen", stats.baseline[2]}};
  }
  json["seconds"] = std::round(stats.seconds * 1000.0) / 1000.0;
  json["pack"] = {{"name", pack.settings.name},
                  {"version", pack.settings.version}};

  OutputFile file;
  std::string text = json.dump(2) + "\n";
  return file.Open(path, error) && file.Write(text, error) &&
         file.Commit(error);
}

// The fields to parse: those the matcher reads, then those linking reads.
ListingFields MakeListingFields(const ScanOptions& options,
                                const CompiledPack& compiled,
                                LinkFields* link_fields) {
  ListingFields fields;
  fields.id_field = options.id_field;
  fields.text_fields = compiled.fields();
  *link_fields = AddLinkFields(compiled.pack().settings, &fields.text_fields);
  // Only the listings written need entities, as a rule: read on request.
  fields.first_late_field = compiled.fields().size();
  fields.included_fields = options.include_fields;
  fields.strict_utf8 = options.strict_utf8;
  return fields;
}

// Returns the size of all inputs in bytes, as stored, or 0 when one of
// them is not a regular file (a pipe, say), whose size is unknown.
uint64_t InputBytes(const std::vector<std::string>& inputs) {
  uint64_t total = 0;
  for (const std::string& input : inputs) {
    struct stat status {};
    const int result = input == "-" ? fstat(STDIN_FILENO, &status)
                                    : stat(input.c_str(), &status);
    if (result != 0 || !S_ISREG(status.st_mode)) return 0;
    total += static_cast<uint64_t>(status.st_size);
  }
  return total;
}

// Reads every input once through `writer`, as the context says: the link
// pass or the scoring pass. Profiles reading and writing into *profile
// when it is not null.
void RunPass(const ScanContext& context, const std::vector<std::string>& inputs,
             std::ofstream* spool, RunWriter* writer, Profile* profile) {
  const ScanOptions& options = *context.options;
  BatchReader reader(inputs, options.max_line_bytes, options.shard,
                     options.shards);
  reader.set_spool(spool);
  // The reader and the writer run on their own threads: they keep their
  // own counters, added to the profile once the pass is over.
  uint64_t read_ns = 0;
  uint64_t write_ns = 0;
  if (profile != nullptr) {
    reader.set_timer(&read_ns);
    writer->set_timer(&write_ns);
  }
  // The first pass of a linked run says so on its progress line.
  const bool links_pass =
      context.link_pass && options.emit_summary_path.empty();
  ProgressMeter progress(options.progress, options.json_log,
                         links_pass ? "adflag: reading links" : "adflag",
                         options.shards > 1 ? 0 : InputBytes(inputs));
  if (progress.active()) writer->set_progress(&progress);
  if (options.threads <= 1) {
    RunSerial(context, &reader, writer);
  } else {
    ParallelRun(context, &reader, writer).Run();
  }
  progress.Finish(reader.bytes_read(), writer->stats().listings);
  writer->set_progress(nullptr);

  // A signal may have stopped the reader after the writer's last look.
  if (CaughtSignal() != 0 && writer->status() == ScanStatus::kDone) {
    writer->Interrupt();
  }
  if (!reader.error().empty() && writer->status() == ScanStatus::kDone) {
    writer->Fail(reader.error());
  }
  if (profile != nullptr) {
    profile->stage(Stage::kRead) += read_ns;
    profile->stage(Stage::kWrite) += write_ns;
  }
}

// Standard input kept in a temporary file for the second pass of a linked
// run; removed when done.
class Spool {
 public:
  ~Spool() {
    if (!path_.empty()) std::filesystem::remove(path_);
  }

  // Creates the file when `inputs` read standard input. Returns false with
  // a message in *error when it cannot be created.
  bool Open(const std::vector<std::string>& inputs, std::string* error) {
    if (std::find(inputs.begin(), inputs.end(), "-") == inputs.end()) {
      return true;
    }
    std::string path =
        (std::filesystem::temp_directory_path() / "adflag-stdin-XXXXXX")
            .string();
    const int fd = mkstemp(path.data());
    if (fd < 0) {
      *error = "cannot keep standard input for the second pass of linking: " +
               std::string(std::strerror(errno));
      return false;
    }
    close(fd);
    path_ = path;
    guard_.Arm(path_.c_str());
    file_.open(path_, std::ios::binary | std::ios::trunc);
    return true;
  }

  // The file, or null when standard input is not read.
  std::ofstream* file() { return path_.empty() ? nullptr : &file_; }

  // Closes the file and returns the inputs of the second pass: standard
  // input replaced by the file. Returns false with a message in *error
  // when the file could not be written.
  bool Finish(std::vector<std::string>* inputs, std::string* error) {
    if (path_.empty()) return true;
    file_.close();
    if (!file_) {
      *error =
          "cannot write the copy of standard input kept for the "
          "second pass of linking: " +
          path_;
      return false;
    }
    std::replace(inputs->begin(), inputs->end(), std::string("-"), path_);
    return true;
  }

 private:
  std::string path_;
  std::ofstream file_;
  // Removes the file should a second signal end the process.
  TempFileGuard guard_;
};

// The first pass of a linked run: reads every listing for its entities
// and template into *links. Counts and rejects nothing: the second pass
// does. Returns false when an input could not be read.
bool GatherLinks(ScanContext context, const std::vector<std::string>& inputs,
                 std::ofstream* spool, LinkIndex* links) {
  ScanOptions quiet = *context.options;
  quiet.output_path.clear();
  quiet.rejects_path.clear();
  quiet.max_rejects.reset();
  quiet.quiet = true;
  quiet.format = OutputFormat::kJsonl;
  context.options = &quiet;
  context.link_pass = true;
  context.fields.first_late_field = SIZE_MAX;
  std::mutex mutex;
  context.gathered = links;
  context.gathered_mutex = &mutex;

  RunWriter writer(quiet, context.pack->rules.size());
  if (!writer.Open()) return false;
  RunPass(context, inputs, spool, &writer, context.profile);
  writer.Finish();
  return writer.status() == ScanStatus::kDone;
}

// Reads the --links summary into *links. Returns false when it cannot.
bool ReadLinks(const std::string& path, LinkIndex* links) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::string error;
  if (!in.good() && !in.eof()) {
    error = path + ": cannot read the link summary";
  } else if (LinkIndex::Read(data, path, links, &error)) {
    return true;
  }
  spdlog::error("adflag: error: {}", error);
  return false;
}

// Whether the run links listings, and how it gets the LinkIndex.
enum class Linking { kOff, kFromSummary, kGather, kEmitSummary };

// Linking doubles the cost of a run, so it runs on its own only when the
// pack scores links; rules on links that only report (experimental ones)
// wait for --link, and the run says so.
Linking LinkingOf(const ScanOptions& options, const RulePack& pack) {
  if (!options.emit_summary_path.empty()) return Linking::kEmitSummary;
  if (!options.links_path.empty()) return Linking::kFromSummary;
  if (options.link || PackScoresLinks(pack)) return Linking::kGather;
  if (PackUsesLinks(pack) && !options.quiet) {
    spdlog::info(
        "adflag: linking is off: the pack's rules on links only report "
        "(experimental); --link runs them");
  }
  return Linking::kOff;
}

// Ends a run: the summary on stderr, the profile and the --stats file.
void FinishRun(const ScanOptions& options, const RulePack& pack,
               std::chrono::steady_clock::time_point started, RunWriter* writer,
               Profile* profile, ScanReport* report) {
  writer->Finish();
  RunStats& stats = writer->stats();
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (!options.quiet) PrintSummary(stats, options);
  if (options.profile) {
    profile->rule_listings = stats.rule_hits;
    spdlog::info("{}",
                 FormatProfile(*profile, pack, options.threads, stats.seconds));
  }
  std::string error;
  if (!options.stats_path.empty() &&
      !WriteStats(stats, pack, !options.baseline_path.empty(),
                  options.stats_path, &error)) {
    writer->Fail(error);
  }
  report->status = writer->status();
  report->fail_on_reached = writer->fail_on_reached();
  report->stats = stats;
}

// Reads what sharing and nightly runs need before the run starts: the
// --baseline records into *baseline and the --redact key into *key.
// Returns false, having said why, when either cannot be read.
bool ReadSharing(const ScanOptions& options, Baseline* baseline,
                 std::string* key) {
  std::string error;
  if (!options.redact_key_path.empty() &&
      !ReadRedactionKey(options.redact_key_path, key, &error)) {
    spdlog::error("adflag: error: {}", error);
    return false;
  }
  if (!options.baseline_path.empty() &&
      !Baseline::Load(options.baseline_path, options.max_line_bytes,
                      !key->empty(), baseline, &error)) {
    spdlog::error("adflag: error: {}", error);
    return false;
  }
  if (!key->empty()) {
    spdlog::debug("adflag: contacts redacted with the key of {}",
                  options.redact_key_path);
  }
  if (!options.baseline_path.empty()) {
    spdlog::debug("adflag: baseline {}: {} records", options.baseline_path,
                  baseline->records());
  }
  return true;
}

// Returns the writer of the --format asked for. A linked run's records
// carry links, which the CSV header must know of.
std::unique_ptr<RecordWriter> MakeRecordWriter(const ScanOptions& options,
                                               const CompiledPack& compiled,
                                               Linking linking,
                                               OutputOptions output_options) {
  output_options.links =
      linking == Linking::kFromSummary || linking == Linking::kGather;
  if (options.format == OutputFormat::kCsv) {
    return std::make_unique<CsvWriter>(compiled, std::move(output_options));
  }
  return std::make_unique<FlagWriter>(compiled, std::move(output_options));
}

// Writes what the output starts with: the header row of CSV.
void WriteHeader(const RecordWriter& record_writer, RunWriter* writer) {
  std::string header;
  record_writer.AppendHeader(&header);
  if (!header.empty()) writer->WriteText(header);
}

// Loads the pack the options name into *pack and compiles it, printing
// every diagnostic. Returns null when the pack has errors.
std::unique_ptr<CompiledPack> LoadRules(const ScanOptions& options,
                                        RulePack* pack) {
  if (!LoadPack(options, pack)) return nullptr;
  std::vector<Diagnostic> diagnostics;
  auto compiled = CompiledPack::Compile(*pack, &diagnostics);
  for (const Diagnostic& diagnostic : diagnostics) {
    spdlog::error("{}", FormatDiagnostic(diagnostic));
  }
  if (compiled == nullptr) return nullptr;
  spdlog::debug("adflag: pack {} {}: {} rules, {} threads", pack->settings.name,
                pack->settings.version, pack->rules.size(), options.threads);
  return compiled;
}

// Returns the inputs of the run into *inputs, standard input when none is
// named. Returns false, having said why, when one cannot be read.
bool ListInputs(const ScanOptions& options, std::vector<std::string>* inputs) {
  *inputs = options.inputs;
  if (inputs->empty()) inputs->push_back("-");
  std::string error;
  if (!CheckInputsReadable(*inputs, &error)) {
    spdlog::error("adflag: error: {}", error);
    return false;
  }
  return true;
}

// What the ScanContext of a run points to, owned for the whole run.
struct SharedRun {
  explicit SharedRun(const RulePack& pack)
      : scorer(pack), profile(pack.rules.size()) {}

  ScanContext context;
  Scorer scorer;
  Baseline baseline;
  std::unique_ptr<RecordWriter> record_writer;
  Profile profile;
  // What the whole run knows of each contact and template, when linked.
  LinkIndex links;
  // Standard input kept for the second pass of a linked run.
  Spool spool;
  // The options of an --emit-summary run, and the lock of its LinkIndex.
  ScanOptions emit;
  std::mutex gathered_mutex;
};

// Builds what the workers share: the pack, the scorer, the baseline, the
// redaction key and the record writer. Returns false, having said why,
// when the baseline or the key cannot be read.
bool BuildSharedContext(const ScanOptions& options, const RulePack& pack,
                        const CompiledPack& compiled, Linking linking,
                        const std::vector<std::string>& inputs,
                        SharedRun* shared) {
  ScanContext& context = shared->context;
  if (!ReadSharing(options, &shared->baseline, &context.redaction_key)) {
    return false;
  }
  if (!options.baseline_path.empty()) context.baseline = &shared->baseline;
  OutputOptions output_options{options.all, options.include_fields};
  output_options.status = context.baseline != nullptr;
  output_options.with_texts = options.format == OutputFormat::kHtml;
  shared->record_writer =
      MakeRecordWriter(options, compiled, linking, output_options);

  context.options = &options;
  context.pack = &pack;
  context.compiled = &compiled;
  context.scorer = &shared->scorer;
  context.writer = shared->record_writer.get();
  context.fields = MakeListingFields(options, compiled, &context.link_fields);
  context.threshold = options.min_score.value_or(pack.settings.threshold);
  context.entity_options.phone_region = options.phone_region;
  for (const std::string& input : inputs) {
    context.source_names.push_back(SourceName(input));
  }
  if (options.profile) context.profile = &shared->profile;
  return true;
}

// A linked run first needs what the whole run knows of each contact and
// template: from the --links summary, or from a first pass over *inputs,
// after which standard input is read from its spool. Returns false,
// having said why, when that cannot be read.
bool ReadLinkingInput(const ScanOptions& options, const RulePack& pack,
                      Linking linking, std::vector<std::string>* inputs,
                      SharedRun* shared) {
  ScanContext& context = shared->context;
  if (linking == Linking::kFromSummary &&
      !ReadLinks(options.links_path, &shared->links)) {
    return false;
  }
  std::string error;
  if (linking == Linking::kGather &&
      (!shared->spool.Open(*inputs, &error) ||
       !GatherLinks(context, *inputs, shared->spool.file(), &shared->links) ||
       !shared->spool.Finish(inputs, &error))) {
    if (!error.empty()) spdlog::error("adflag: error: {}", error);
    return false;
  }
  if (linking != Linking::kOff) context.links = &shared->links;
  context.link_every_listing = options.all || PackScoresLinks(pack);
  if (context.links != nullptr && context.link_every_listing) {
    context.fields.first_late_field = SIZE_MAX;
  }
  return true;
}

// --emit-summary: makes the run one pass that counts and rejects lines
// as a scan does and gathers the link summary, written in place of flags.
void PrepareEmitSummary(const ScanOptions& options, SharedRun* shared) {
  ScanContext& context = shared->context;
  shared->emit = options;
  // "-" is standard output, as -o leaves it empty.
  shared->emit.output_path =
      options.emit_summary_path == "-" ? "" : options.emit_summary_path;
  context.options = &shared->emit;
  context.link_pass = true;
  context.links = nullptr;
  context.gathered = &shared->links;
  context.gathered_mutex = &shared->gathered_mutex;
  context.fields.first_late_field = SIZE_MAX;
}

// Runs the scoring pass (or the one pass of --emit-summary) over `inputs`
// and writes what it makes: the header, the records or the review page,
// or the summary; then the run's summary and --stats. Fills *report.
void WriteRun(const ScanOptions& options, const RulePack& pack, Linking linking,
              const std::vector<std::string>& inputs,
              std::chrono::steady_clock::time_point started, SharedRun* shared,
              ScanReport* report) {
  const ScanContext& context = shared->context;
  const bool emit_summary = linking == Linking::kEmitSummary;
  RunWriter writer(*context.options, pack.rules.size());
  if (!writer.Open()) return;
  if (!emit_summary) WriteHeader(*shared->record_writer, &writer);
  ReviewPage page(pack);
  if (context.options->format == OutputFormat::kHtml && !emit_summary) {
    writer.set_page(
        &page, ReviewRun{context.source_names, 0, 0, 0, 0, 0, context.threshold,
                         context.links != nullptr, options.all});
  }
  RunPass(context, inputs, nullptr, &writer, context.profile);
  if (emit_summary && writer.status() == ScanStatus::kDone) {
    std::string summary;
    shared->links.Write(&summary);
    writer.WriteText(summary);
  }
  FinishRun(options, pack, started, &writer, context.profile, report);
}

// Runs the scan the options ask for, in the calling thread.
ScanReport ScanOnce(const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ScanReport report;
  report.status = ScanStatus::kFailed;

  RulePack pack;
  std::unique_ptr<CompiledPack> compiled = LoadRules(options, &pack);
  std::vector<std::string> inputs;
  if (compiled == nullptr || !ListInputs(options, &inputs)) return report;

  const Linking linking = LinkingOf(options, pack);
  SharedRun shared(pack);
  if (!BuildSharedContext(options, pack, *compiled, linking, inputs, &shared)) {
    return report;
  }
  if (!ReadLinkingInput(options, pack, linking, &inputs, &shared)) {
    return report;
  }
  if (linking == Linking::kEmitSummary) PrepareEmitSummary(options, &shared);
  WriteRun(options, pack, linking, inputs, started, &shared, &report);
  return report;
}

}  // namespace

ScanReport RunScan(const ScanOptions& options) {
  InterruptCatcher catcher;
  ScanReport report = ScanOnce(options);
  // A signal that came after the last line changed nothing.
  if (CaughtSignal() != 0 && report.status != ScanStatus::kDone) {
    report.status = ScanStatus::kInterrupted;
    report.signal = CaughtSignal();
  }
  return report;
}

}  // namespace adflag

#include "adflag/line_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// Makes z_stream::next_in a pointer to const.
#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "interrupt.h"

namespace adflag {

std::string_view Line::ContentOf(std::string_view raw, uint64_t number) {
  std::string_view text = raw;
  if (number == 1 && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.ends_with('\r')) text.remove_suffix(1);
  return text;
}

namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr std::string_view kGzipMagic = "\x1f\x8b";
constexpr std::string_view kZstdMagic = "\x28\xb5\x2f\xfd";

std::string ErrnoText(int error_number) {
  return std::system_category().message(error_number);
}

// A regular file is read through windows mapped into memory rather than
// by read(2), which spares the kernel's copy of every byte: about a tenth
// of a scan's time. Only the reading thread touches a window.
constexpr size_t kWindowBytes = size_t{8} << 20;

// The windows mapped now, for the SIGBUS handler. A file that shrinks
// while it is read faults in its window where read(2) would have ended
// early; the handler maps zeros over the page so the reading can go on,
// and marks the window, whose reader then reports the input as cut short.
struct WindowSlot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<size_t> size{0};
  std::atomic<bool> faulted{false};
};
constexpr size_t kWindowSlots = 16;
std::array<WindowSlot, kWindowSlots> window_slots;
// The page size, read before the handler is installed.
uintptr_t page_bytes = 4096;

void OnBusError(int signal_number, siginfo_t* info, void* /*context*/) {
  const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  for (WindowSlot& slot : window_slots) {
    const uintptr_t begin = slot.begin.load();
    if (begin == 0 || address < begin || address >= begin + slot.size.load()) {
      continue;
    }
    const uintptr_t page = address & ~(page_bytes - 1);
    void* zeros = mmap(reinterpret_cast<void*>(page), page_bytes, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (zeros != MAP_FAILED) {
      slot.faulted.store(true);
      return;
    }
  }
  // Not a window of ours: the default action, as if never handled.
  signal(signal_number, SIG_DFL);
}

void InstallBusErrorHandler() {
  static const bool installed = [] {
    const long page = sysconf(_SC_PAGESIZE);
    if (page > 0) page_bytes = static_cast<uintptr_t>(page);
    struct sigaction action {};
    action.sa_sigaction = OnBusError;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGBUS, &action, nullptr) == 0;
  }();
  (void)installed;
}

// One mapped window of a regular file, registered for the SIGBUS handler.
class FileWindow {
 public:
  FileWindow() = default;
  ~FileWindow() { Unmap(); }
  FileWindow(const FileWindow&) = delete;
  FileWindow& operator=(const FileWindow&) = delete;

  // Maps `size` bytes of `fd` from `offset`, a multiple of the page size.
  // Returns false when the file cannot be mapped (nor the window kept).
  bool Map(int fd, uint64_t offset, size_t size) {
    Unmap();
    void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd,
                      static_cast<off_t>(offset));
    if (data == MAP_FAILED) return false;
    for (WindowSlot& candidate : window_slots) {
      uintptr_t free_slot = 0;
      if (candidate.begin.compare_exchange_strong(
              free_slot, reinterpret_cast<uintptr_t>(data))) {
        slot_ = &candidate;
        break;
      }
    }
    if (slot_ == nullptr) {
      munmap(data, size);
      return false;
    }
    madvise(data, size, MADV_SEQUENTIAL);
    slot_->size.store(size);
    slot_->faulted.store(false);
    data_ = static_cast<const char*>(data);
    size_ = size;
    return true;
  }

  // Unmaps the window. Returns true when the file shrank under it.
  bool Unmap() {
    if (data_ == nullptr) return false;
    const bool faulted = slot_->faulted.load();
    munmap(const_cast<char*>(data_), size_);
    slot_->size.store(0);
    slot_->begin.store(0);
    slot_ = nullptr;
    data_ = nullptr;
    size_ = 0;
    return faulted;
  }

  std::string_view bytes() const { return {data_, size_}; }

 private:
  WindowSlot* slot_ = nullptr;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// The bytes of an open file descriptor, read in large chunks: mapped
// windows of a regular file, read(2) of anything else.
class InputFile {
 public:
  InputFile(int fd, bool owned) : fd_(fd), owned_(owned) {
    struct stat status {};
    const bool regular = fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
    pollable_ = !regular;
    // Files that say they are empty (as those of /proc) are read.
    const off_t position = regular ? lseek(fd, 0, SEEK_CUR) : -1;
    if (regular && status.st_size > 0 && position >= 0) {
      InstallBusErrorHandler();
      mapped_end_ = static_cast<uint64_t>(status.st_size);
      map_offset_ = static_cast<uint64_t>(position);
    } else {
      buffer_.resize(kChunkBytes);
    }
  }
  ~InputFile() {
    window_.Unmap();
    if (owned_) close(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads until at least `size` bytes are buffered or the input ends, and
  // returns the buffered bytes without consuming them.
  std::string_view Peek(size_t size) {
    if (Mapping()) {
      if (!window_peeked_ && NextWindow()) window_peeked_ = true;
      if (window_peeked_) return window_.bytes();
    }
    while (peeked_ < size && !ended_) {
      ssize_t got =
          ReadSome(buffer_.data() + peeked_, buffer_.size() - peeked_);
      if (got <= 0) break;
      peeked_ += got;
    }
    return std::string_view(buffer_.data(), peeked_);
  }

  // Sets *chunk to the next bytes of the input, the peeked ones first.
  // The bytes stay valid until the next call. Returns false at the end of
  // the input or on a read error.
  bool Read(std::string_view* chunk) {
    if (Mapping()) {
      if (std::exchange(window_peeked_, false) || NextWindow()) {
        *chunk = window_.bytes();
        return true;
      }
      if (error_number_ != 0) return false;
    }
    size_t size = std::exchange(peeked_, 0);
    if (size == 0 && !ended_) {
      ssize_t got = ReadSome(buffer_.data(), buffer_.size());
      size = got > 0 ? got : 0;
    }
    *chunk = std::string_view(buffer_.data(), size);
    return size > 0;
  }

  // The errno of the read that failed, or 0.
  int error_number() const { return error_number_; }

  // What went wrong, when error_number() is not 0.
  std::string error_text() const {
    return shrank_ ? "the file shrank while it was read"
                   : ErrnoText(error_number_);
  }

  // The bytes read from the descriptor so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  // Whether the bytes come from mapped windows still.
  bool Mapping() const { return mapped_end_ > 0; }

  // Maps the window after the current one. At the end of the mapped
  // part, or when mapping fails, goes on with read(2) from there: that
  // reads what was appended since, as read(2) alone would have.
  bool NextWindow() {
    if (window_.Unmap()) {
      // The file shrank under the window: its end is unknown.
      error_number_ = EIO;
      shrank_ = true;
      ended_ = true;
      mapped_end_ = 0;
      return false;
    }
    if (map_offset_ < mapped_end_) {
      const size_t size = static_cast<size_t>(
          std::min<uint64_t>(kWindowBytes, mapped_end_ - map_offset_));
      if (window_.Map(fd_, map_offset_, size)) {
        map_offset_ += size;
        bytes_read_ += size;
        return true;
      }
    }
    SwitchToRead();
    return false;
  }

  void SwitchToRead() {
    if (lseek(fd_, static_cast<off_t>(map_offset_), SEEK_SET) < 0) {
      error_number_ = errno;
      ended_ = true;
    }
    mapped_end_ = 0;
    buffer_.resize(kChunkBytes);
  }

  // Returns what read(2) returns, retrying on EINTR until a signal is
  // caught (see interrupt.h), which ends the input with EINTR; records
  // the end.
  ssize_t ReadSome(char* data, size_t size) {
    ssize_t got = -1;
    errno = EINTR;
    while (CaughtSignal() == 0 && AwaitData()) {
      got = read(fd_, data, size);
      if (got >= 0 || errno != EINTR) break;
    }
    if (got < 0) error_number_ = errno;
    if (got <= 0) ended_ = true;
    if (got > 0) bytes_read_ += static_cast<uint64_t>(got);
    return got;
  }

  // Waits until a pipe or terminal has data, or a signal is caught: then
  // returns false with errno EINTR. A regular file never waits.
  bool AwaitData() {
    if (!pollable_ || WakeFd() < 0) return true;
    pollfd ready[2] = {{fd_, POLLIN, 0}, {WakeFd(), POLLIN, 0}};
    while (poll(ready, 2, -1) < 0) {
      if (errno != EINTR) return true;
      if (CaughtSignal() != 0) return false;
    }
    if (ready[1].revents == 0) return true;
    errno = EINTR;
    return false;
  }

  int fd_;
  bool owned_;
  // True for a pipe or a terminal, whose reads may wait for data.
  bool pollable_ = false;
  // While mapping: the file's size when opened, and the next window's
  // offset. Zero once the bytes come from read(2).
  uint64_t mapped_end_ = 0;
  uint64_t map_offset_ = 0;
  FileWindow window_;
  bool window_peeked_ = false;
  std::vector<char> buffer_;
  size_t peeked_ = 0;
  bool ended_ = false;
  int error_number_ = 0;
  bool shrank_ = false;
  uint64_t bytes_read_ = 0;
};

// What ended a decoded stream early: "truncated gzip stream", and
// optionally a detail from the decompressor.
struct Fault {
  std::string what;
  std::string detail;
};

enum class ChunkStatus { kData, kEnd, kFault };

// Splits a stream of decoded chunks into lines. Subclasses produce the
// chunks.
//
// TODO: a line is held whole in memory however long it is, so memory use
// is bounded only by the longest line of the input.
class SplittingReader : public LineReader {
 public:
  SplittingReader(std::string name, Compression compression,
                  uint64_t max_line_bytes, std::unique_ptr<InputFile> file)
      : file_(std::move(file)),
        name_(std::move(name)),
        compression_(compression),
        max_line_bytes_(max_line_bytes) {}

  bool Next(Line* line) override;
  bool NextAppended(std::string* bytes, Line* line) override;
  const std::string& error() const override { return error_; }
  Compression compression() const override { return compression_; }
  const std::string& name() const override { return name_; }
  uint64_t bytes_read() const override { return file_->bytes_read(); }

  // Reads only the lines that start at input offsets in [begin, end),
  // numbered as in the whole input.
  void SetRange(uint64_t begin, uint64_t end) {
    begin_ = begin;
    end_ = end;
  }

 protected:
  // Sets *chunk to the next decoded bytes, or fills *fault.
  virtual ChunkStatus NextChunk(std::string_view* chunk, Fault* fault) = 0;

  // Reads the next raw chunk of the file. When there is none, sets *status
  // to how the input ended: cleanly, by a read error, or, when
  // `mid_stream`, truncated (`truncated` names the stream).
  bool ReadInput(std::string_view* input, bool mid_stream,
                 const char* truncated, ChunkStatus* status, Fault* fault);

 private:
  bool SkipToRange();
  bool FillPending();
  void Consume(size_t size);
  bool ReadInto(std::string* bytes, Line* line);
  bool FinishLine(size_t size, Line* line);
  void SetError(const Fault& fault);

  std::unique_ptr<InputFile> file_;
  std::string name_;
  Compression compression_;
  uint64_t max_line_bytes_;
  std::string_view pending_;
  // The input offset of pending_'s first byte.
  uint64_t offset_ = 0;
  uint64_t begin_ = 0;
  uint64_t end_ = UINT64_MAX;
  // Whether offset_ is the start of a line.
  bool at_line_start_ = true;
  uint64_t lines_ = 0;
  bool done_ = false;
  std::string error_;
};

bool SplittingReader::Next(Line* line) {
  line->raw.clear();
  return ReadInto(&line->raw, line);
}

bool SplittingReader::NextAppended(std::string* bytes, Line* line) {
  line->raw.clear();
  return ReadInto(bytes, line);
}

// Appends the next line's bytes to *bytes, or nothing when there is no
// whole line left.
bool SplittingReader::ReadInto(std::string* bytes, Line* line) {
  const size_t start = bytes->size();
  if (!SkipToRange()) return false;
  if (offset_ >= end_) done_ = true;

  while (!done_) {
    if (pending_.empty()) {
      if (FillPending()) continue;
      break;
    }

    size_t newline = pending_.find('\n');
    if (newline != std::string_view::npos) {
      bytes->append(pending_.data(), newline);
      Consume(newline + 1);
      return FinishLine(bytes->size() - start, line);
    }
    bytes->append(pending_);
    Consume(pending_.size());
  }

  // The input ended: a last line without "\n" is whole unless a fault
  // cut it off.
  const size_t size = bytes->size() - start;
  if (error_.empty() && size > 0) return FinishLine(size, line);
  bytes->resize(start);
  return false;
}

// Counts and drops the lines that start before the range, without copying
// them. Returns false when the input ended first.
bool SplittingReader::SkipToRange() {
  while (!done_ && (offset_ < begin_ || !at_line_start_)) {
    if (pending_.empty()) {
      FillPending();
      continue;
    }

    if (offset_ < begin_) {
      size_t size = std::min<uint64_t>(pending_.size(), begin_ - offset_);
      lines_ += std::count(pending_.begin(), pending_.begin() + size, '\n');
      at_line_start_ = pending_[size - 1] == '\n';
      Consume(size);
      continue;
    }

    // The range starts inside a line: it belongs to the part before.
    size_t newline = pending_.find('\n');
    if (newline == std::string_view::npos) {
      Consume(pending_.size());
    } else {
      Consume(newline + 1);
      ++lines_;
      at_line_start_ = true;
    }
  }
  return !done_;
}

// Reads the next chunk into pending_. Returns false, and ends the input,
// when there is none; a fault is recorded as the error. A line cut off by
// a fault is dropped: its end is unknown.
bool SplittingReader::FillPending() {
  Fault fault;
  ChunkStatus status = NextChunk(&pending_, &fault);
  if (status == ChunkStatus::kData) return true;

  done_ = true;
  if (status == ChunkStatus::kFault) SetError(fault);
  return false;
}

void SplittingReader::Consume(size_t size) {
  pending_.remove_prefix(size);
  offset_ += size;
}

bool SplittingReader::ReadInput(std::string_view* input, bool mid_stream,
                                const char* truncated, ChunkStatus* status,
                                Fault* fault) {
  if (file_->Read(input)) return true;

  *status = ChunkStatus::kFault;
  if (file_->error_number() != 0) {
    *fault = {"read error", file_->error_text()};
  } else if (mid_stream) {
    *fault = {truncated, ""};
  } else {
    *status = ChunkStatus::kEnd;
  }
  return false;
}

bool SplittingReader::FinishLine(size_t size, Line* line) {
  line->number = ++lines_;
  line->too_long = size > max_line_bytes_;
  return true;
}

void SplittingReader::SetError(const Fault& fault) {
  error_ = name_ + ": " + fault.what + " after line " + std::to_string(lines_);
  if (!fault.detail.empty()) error_ += ": " + fault.detail;
}

// Reads an uncompressed input straight from the file's buffer.
class PlainReader : public SplittingReader {
 public:
  using SplittingReader::SplittingReader;

 protected:
  ChunkStatus NextChunk(std::string_view* chunk, Fault* fault) override {
    ChunkStatus status = ChunkStatus::kData;
    ReadInput(chunk, false, "", &status, fault);
    return status;
  }
};

// Inflates gzip members, one after another, as gzip -d does.
class GzipReader : public SplittingReader {
 public:
  using SplittingReader::SplittingReader;
  ~GzipReader() override {
    if (initialized_) inflateEnd(&stream_);
  }

  bool Init() {
    initialized_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
    return initialized_;
  }

 protected:
  ChunkStatus NextChunk(std::string_view* chunk, Fault* fault) override;

 private:
  z_stream stream_{};
  bool initialized_ = false;
  bool in_member_ = true;
  std::vector<char> output_ = std::vector<char>(kChunkBytes);
};

ChunkStatus GzipReader::NextChunk(std::string_view* chunk, Fault* fault) {
  ChunkStatus status = ChunkStatus::kData;
  while (true) {
    std::string_view input;
    if (stream_.avail_in == 0) {
      if (!ReadInput(&input, in_member_, "truncated gzip stream", &status,
                     fault)) {
        return status;
      }
      stream_.next_in = reinterpret_cast<const Bytef*>(input.data());
      stream_.avail_in = static_cast<uInt>(input.size());
    }

    // Another member follows the one that ended (cat a.gz b.gz).
    if (!in_member_) {
      inflateReset(&stream_);
      in_member_ = true;
    }

    stream_.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream_.avail_out = static_cast<uInt>(output_.size());
    int result = inflate(&stream_, Z_NO_FLUSH);
    if (result == Z_STREAM_END) {
      in_member_ = false;
    } else if (result != Z_OK && result != Z_BUF_ERROR) {
      *fault = {"corrupt gzip data", stream_.msg ? stream_.msg : ""};
      return ChunkStatus::kFault;
    }

    size_t produced = output_.size() - stream_.avail_out;
    if (produced > 0) {
      *chunk = std::string_view(output_.data(), produced);
      return status;
    }
  }
}

// Decompresses zstd frames, one after another.
class ZstdReader : public SplittingReader {
 public:
  using SplittingReader::SplittingReader;
  ~ZstdReader() override { ZSTD_freeDStream(stream_); }

  bool Init() { return stream_ != nullptr; }

 protected:
  ChunkStatus NextChunk(std::string_view* chunk, Fault* fault) override;

 private:
  ZSTD_DStream* stream_ = ZSTD_createDStream();
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool in_frame_ = true;
  std::vector<char> output_ = std::vector<char>(kChunkBytes);
};

ChunkStatus ZstdReader::NextChunk(std::string_view* chunk, Fault* fault) {
  ChunkStatus status = ChunkStatus::kData;
  while (true) {
    std::string_view input;
    if (input_.pos == input_.size) {
      if (!ReadInput(&input, in_frame_, "truncated zstd stream", &status,
                     fault)) {
        return status;
      }
      input_ = {input.data(), input.size(), 0};
    }

    ZSTD_outBuffer output{output_.data(), output_.size(), 0};
    size_t result = ZSTD_decompressStream(stream_, &output, &input_);
    if (ZSTD_isError(result)) {
      *fault = {"corrupt zstd data", ZSTD_getErrorName(result)};
      return ChunkStatus::kFault;
    }
    // Zero means that a frame ended and all of it was flushed.
    in_frame_ = result != 0;

    if (output.pos > 0) {
      *chunk = std::string_view(output_.data(), output.pos);
      return status;
    }
  }
}

// Returns the compression that the first bytes of an input announce.
Compression DetectCompression(std::string_view head) {
  if (head.starts_with(kGzipMagic)) return Compression::kGzip;
  if (head.starts_with(kZstdMagic)) return Compression::kZstd;
  return Compression::kNone;
}

// Builds the reader for `file`, or returns null when the decompressor
// cannot be set up.
std::unique_ptr<LineReader> MakeReader(std::string name,
                                       uint64_t max_line_bytes,
                                       std::unique_ptr<InputFile> file) {
  Compression compression = DetectCompression(file->Peek(kZstdMagic.size()));
  switch (compression) {
    case Compression::kGzip: {
      auto reader = std::make_unique<GzipReader>(
          std::move(name), compression, max_line_bytes, std::move(file));
      if (!reader->Init()) return nullptr;
      return reader;
    }
    case Compression::kZstd: {
      auto reader = std::make_unique<ZstdReader>(
          std::move(name), compression, max_line_bytes, std::move(file));
      if (!reader->Init()) return nullptr;
      return reader;
    }
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainReader>(std::move(name), compression,
                                       max_line_bytes, std::move(file));
}

// Returns size * part / parts, rounded down, without overflow.
uint64_t PartStart(uint64_t size, uint64_t part, uint64_t parts) {
  return size / parts * part + size % parts * part / parts;
}

}  // namespace

std::unique_ptr<LineReader> LineReader::Open(const std::string& path,
                                             uint64_t max_line_bytes,
                                             std::string* error) {
  bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open '" + path + "': " + ErrnoText(errno);
    return nullptr;
  }
  auto file = std::make_unique<InputFile>(fd, !is_stdin);
  std::string name = is_stdin ? "<stdin>" : path;

  // A file that fails its first read (a directory, say) cannot be read.
  file->Peek(kZstdMagic.size());
  if (file->error_number() != 0) {
    *error = "cannot read '" + name + "': " + file->error_text();
    return nullptr;
  }

  std::unique_ptr<LineReader> reader =
      MakeReader(name, max_line_bytes, std::move(file));
  if (reader == nullptr) {
    *error = "cannot decompress '" + name + "': out of memory";
  }
  return reader;
}

std::unique_ptr<LineReader> LineReader::OpenShard(const std::string& path,
                                                  uint64_t max_line_bytes,
                                                  int shard, int shards,
                                                  std::string* error) {
  const std::string cannot = "cannot read '" + path + "' in shards: ";
  if (path == "-") {
    *error = "cannot read standard input in shards: name a file";
    return nullptr;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status {};
  if (fd < 0 || fstat(fd, &status) != 0) {
    *error = cannot + ErrnoText(errno);
    if (fd >= 0) close(fd);
    return nullptr;
  }
  auto file = std::make_unique<InputFile>(fd, true);
  if (!S_ISREG(status.st_mode)) {
    *error = cannot + "it is not a regular file";
    return nullptr;
  }
  if (DetectCompression(file->Peek(kZstdMagic.size())) != Compression::kNone) {
    *error = cannot + "it is compressed; decompress it first";
    return nullptr;
  }
  if (file->error_number() != 0) {
    *error = cannot + file->error_text();
    return nullptr;
  }

  // The last part runs to the end, should the file have grown.
  const uint64_t size = status.st_size;
  const uint64_t begin = PartStart(size, shard - 1, shards);
  const uint64_t end =
      shard == shards ? UINT64_MAX : PartStart(size, shard, shards);
  auto reader = std::make_unique<PlainReader>(path, Compression::kNone,
                                              max_line_bytes, std::move(file));
  reader->SetRange(begin, end);
  return reader;
}

bool IsBlankLine(std::string_view content) {
  for (char c : content) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

bool CheckInputsReadable(const std::vector<std::string>& inputs,
                         std::string* error) {
  for (const std::string& input : inputs) {
    if (input == "-") continue;
    std::error_code code;
    if (std::filesystem::is_directory(input, code)) {
      *error = "cannot read '" + input + "': it is a directory";
      return false;
    }
    int fd = open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = "cannot read '" + input + "': " + std::strerror(errno);
      return false;
    }
    close(fd);
  }
  return true;
}

}  // namespace adflag

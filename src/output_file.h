// An output destination that never leaves a partial file behind: a named
// file is written to a temporary file beside it and renamed over the name
// only when the run completes. Standard output is written directly, and a
// reader that closes the pipe early (`adflag scan | head`) is not an
// error. A name that is not a regular file (/dev/null, /dev/full, a named
// pipe) is written directly too: renaming over it would replace it.

#ifndef ADFLAG_OUTPUT_FILE_H_
#define ADFLAG_OUTPUT_FILE_H_

#include <string>
#include <string_view>

#include "interrupt.h"

namespace adflag {

class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Opens `path` for writing through a temporary file, or standard output
  // when `path` is empty or "-", or `path` itself when it exists and is
  // not a regular file. Returns false and sets *error when it cannot.
  bool Open(const std::string& path, std::string* error);

  // Writes `data`. Returns false and sets *error on a write error (a full
  // disk, say). A closed standard output pipe returns true and sets
  // closed().
  bool Write(std::string_view data, std::string* error);

  // Flushes and moves the temporary file to its name. Returns false and
  // sets *error when that fails; the temporary file is then removed.
  bool Commit(std::string* error);

  // Removes the temporary file, leaving any earlier file at the name as it
  // was. Called by the destructor unless Commit succeeded.
  void Discard();

  // True when standard output was closed by the reader.
  bool closed() const { return closed_; }

 private:
  // Opens `path`, a device or a named pipe, for writing in place.
  bool OpenInPlace(const std::string& path, std::string* error);

  int fd_ = -1;
  // True when fd_ is a file opened here, written in place.
  bool in_place_ = false;
  std::string path_;
  std::string temp_path_;
  // Removes the temporary file should a signal end the process.
  TempFileGuard temp_guard_;
  bool closed_ = false;
};

}  // namespace adflag

#endif  // ADFLAG_OUTPUT_FILE_H_

#include "output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace adflag {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Gives a new file the permissions the user's umask asks for; mkstemp
// creates it readable by the owner only.
void ApplyUmask(int fd) {
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
}

}  // namespace

OutputFile::~OutputFile() { Discard(); }

bool OutputFile::Open(const std::string& path, std::string* error) {
  if (path.empty() || path == "-") {
    fd_ = STDOUT_FILENO;
    return true;
  }
  struct stat status {};
  if (stat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode)) {
    return OpenInPlace(path, error);
  }

  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  int fd = mkstemp(buffer.data());
  if (fd < 0) {
    *error = "cannot write '" + path + "': " + ErrnoText();
    return false;
  }
  ApplyUmask(fd);
  fd_ = fd;
  path_ = path;
  temp_path_ = buffer.data();
  temp_guard_.Arm(temp_path_.c_str());
  return true;
}

bool OutputFile::OpenInPlace(const std::string& path, std::string* error) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot write '" + path + "': " + ErrnoText();
    return false;
  }
  fd_ = fd;
  in_place_ = true;
  path_ = path;
  return true;
}

bool OutputFile::Write(std::string_view data, std::string* error) {
  while (!data.empty() && !closed_) {
    ssize_t written = write(fd_, data.data(), data.size());
    if (written >= 0) {
      data.remove_prefix(static_cast<size_t>(written));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE && temp_path_.empty()) {
      closed_ = true;
      break;
    }
    *error = "cannot write '" + (path_.empty() ? "<stdout>" : path_) +
             "': " + ErrnoText();
    return false;
  }
  return true;
}

bool OutputFile::Commit(std::string* error) {
  if (in_place_) {
    in_place_ = false;
    if (close(std::exchange(fd_, -1)) == 0) return true;
    *error = "cannot write '" + path_ + "': " + ErrnoText();
    return false;
  }
  if (temp_path_.empty()) return true;

  bool ok = fsync(fd_) == 0 || errno == EINVAL;
  ok = close(fd_) == 0 && ok;
  fd_ = -1;
  if (ok && std::rename(temp_path_.c_str(), path_.c_str()) == 0) {
    temp_guard_.Disarm();
    temp_path_.clear();
    return true;
  }
  *error = "cannot write '" + path_ + "': " + ErrnoText();
  Discard();
  return false;
}

void OutputFile::Discard() {
  if (in_place_) {
    in_place_ = false;
    close(std::exchange(fd_, -1));
    return;
  }
  if (temp_path_.empty()) return;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  unlink(temp_path_.c_str());
  temp_guard_.Disarm();
  temp_path_.clear();
}

}  // namespace adflag

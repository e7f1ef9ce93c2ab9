// Host-test helpers: a sandbox (a fresh temporary directory with bin/,
// holding links to the host-built programs under their mica names, and
// work/, the current directory of what runs) and running a program in it
// with its output captured.
#pragma once

#include <string>
#include <vector>

namespace sh_test {

struct RunResult {
  int status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// How a program gets its stdin.
enum class Input { kFile, kPipe };

class Sandbox {
 public:
  Sandbox();
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::string& root() const { return root_; }
  const std::string& bin() const { return bin_; }
  const std::string& work() const { return work_; }

  // Runs bin/PROGRAM ARGS... in work/ with PATH=bin, HOME=root, and `input`
  // on stdin (from a file or through a pipe).
  RunResult run(const std::string& program, const std::vector<std::string>& args,
                const std::string& input = "", Input how = Input::kFile) const;
  // sh -c SCRIPT.
  RunResult sh(const std::string& script) const { return run("sh", {"-c", script}); }

  // Files under work/ (paths relative to it).
  void write(const std::string& path, const std::string& content) const;
  std::string read(const std::string& path) const;
  bool exists(const std::string& path) const;
  bool is_directory(const std::string& path) const;

 private:
  std::string root_;
  std::string bin_;
  std::string work_;
};

// The directory of the test executable (where the host programs are).
std::string build_directory();

}  // namespace sh_test

#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sh_test {

namespace {

constexpr char kHostPrefix[] = "host_";

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path);
}

std::string slurp(const std::string& path) {
  std::string content;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return content;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) content.append(buffer, n);
  close(fd);
  return content;
}

}  // namespace

std::string build_directory() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  path[n] = 0;
  char* slash = strrchr(path, '/');
  if (slash != nullptr) *slash = 0;
  return path;
}

Sandbox::Sandbox() {
  signal(SIGPIPE, SIG_IGN);  // a program may stop reading its input early
  const char* tmp = getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && tmp[0] ? tmp : "/tmp") + "/mica-sh-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back(0);
  char* made = mkdtemp(buffer.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << strerror(errno);
    return;
  }
  root_ = made;
  bin_ = root_ + "/bin";
  work_ = root_ + "/work";
  mkdir(bin_.c_str(), 0755);
  mkdir(work_.c_str(), 0755);
  // Every program built for the host (host_NAME next to this test, which
  // the tests' data_deps build: the shell and //servers/coreutils's), as
  // bin/NAME. No list to keep: a new program is there once it is built.
  std::string dir = build_directory();
  DIR* d = opendir(dir.c_str());
  bool have_shell = false;
  for (struct dirent* e = d != nullptr ? readdir(d) : nullptr; e != nullptr; e = readdir(d)) {
    const char* name = e->d_name;
    if (strncmp(name, kHostPrefix, sizeof(kHostPrefix) - 1) != 0) continue;
    std::string target = dir + "/" + name;
    struct stat st;
    if (stat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || access(target.c_str(), X_OK)) {
      continue;
    }
    const char* program = name + sizeof(kHostPrefix) - 1;
    symlink(target.c_str(), (bin_ + "/" + program).c_str());
    have_shell = have_shell || strcmp(program, "sh") == 0;
  }
  if (d != nullptr) closedir(d);
  if (!have_shell) ADD_FAILURE() << "not built: " << dir << "/host_sh";
}

Sandbox::~Sandbox() {
  if (!root_.empty()) nftw(root_.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

RunResult Sandbox::run(const std::string& program, const std::vector<std::string>& args,
                       const std::string& input, Input how) const {
  RunResult result;
  std::string out_path = root_ + "/.stdout";
  std::string err_path = root_ + "/.stderr";
  std::string in_path = root_ + "/.stdin";
  int in_pipe[2] = {-1, -1};
  if (how == Input::kFile) {
    int fd = open(in_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!input.empty() && ::write(fd, input.data(), input.size()) != (ssize_t)input.size()) {
      ADD_FAILURE() << "cannot write stdin";
    }
    close(fd);
  } else if (pipe(in_pipe) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return result;
  }

  std::string path = bin_ + "/" + program;
  std::vector<std::string> env_strings = {"PATH=" + bin_, "HOME=" + root_};
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    int in = how == Input::kFile ? open(in_path.c_str(), O_RDONLY) : in_pipe[0];
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || chdir(work_.c_str()) != 0) _exit(250);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (int fd = 3; fd < 256; fd++) close(fd);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(251);
  }
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    return result;
  }
  if (how == Input::kPipe) {
    close(in_pipe[0]);
    const char* data = input.data();
    size_t left = input.size();
    while (left > 0) {
      ssize_t n = ::write(in_pipe[1], data, left);
      if (n <= 0) break;  // the program stopped reading
      data += n;
      left -= static_cast<size_t>(n);
    }
    close(in_pipe[1]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

void Sandbox::write(const std::string& path, const std::string& content) const {
  int fd = open((work_ + "/" + path).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, content.data(), content.size()), (ssize_t)content.size());
  close(fd);
}

std::string Sandbox::read(const std::string& path) const {
  return slurp(work_ + "/" + path);
}

bool Sandbox::exists(const std::string& path) const {
  struct stat st;
  return lstat((work_ + "/" + path).c_str(), &st) == 0;
}

bool Sandbox::is_directory(const std::string& path) const {
  struct stat st;
  return stat((work_ + "/" + path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace sh_test

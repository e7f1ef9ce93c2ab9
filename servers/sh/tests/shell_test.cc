// The shell core in process: expansion, variables, history and builtins,
// with the shell's stdio on temporary files.
#include "sh/shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "test_support.h"

namespace sh {
namespace {

// A Shell whose stdout and stderr go to temporary files.
class ShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    char out_path[] = "/tmp/mica-sh-out-XXXXXX";
    char err_path[] = "/tmp/mica-sh-err-XXXXXX";
    out_ = mkstemp(out_path);
    err_ = mkstemp(err_path);
    ASSERT_GE(out_, 0);
    ASSERT_GE(err_, 0);
    unlink(out_path);
    unlink(err_path);
    shell_.set_stdio(0, out_, err_);
    shell_.set_interactive(true);
    const std::string path = "PATH=" + sandbox_.bin();
    char* env[] = {const_cast<char*>(path.c_str()), nullptr};
    ASSERT_TRUE(shell_.import_environment(env));
  }
  void TearDown() override {
    close(out_);
    close(err_);
  }

  int run(const std::string& text) { return shell_.run_text(text.data(), text.size()); }

  // What was written to fd since the last call.
  static std::string take(int fd) {
    std::string content;
    lseek(fd, 0, SEEK_SET);
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) content.append(buffer, n);
    EXPECT_EQ(ftruncate(fd, 0), 0);
    lseek(fd, 0, SEEK_SET);
    return content;
  }
  std::string out() { return take(out_); }
  std::string err() { return take(err_); }

  sh_test::Sandbox sandbox_;
  Shell shell_;
  int out_ = -1;
  int err_ = -1;
};

TEST_F(ShellTest, EchoAndQuoting) {
  EXPECT_EQ(run("echo a   'b  c' \"d  e\" f\\ g"), 0);
  EXPECT_EQ(out(), "a b  c d  e f g\n");
  EXPECT_EQ(run("echo -n x; echo y"), 0);
  EXPECT_EQ(out(), "xy\n");
  EXPECT_EQ(run("echo '$HOME' \"\\$x\\\\\" 'it''s'"), 0);
  EXPECT_EQ(out(), "$HOME $x\\ its\n");
}

TEST_F(ShellTest, Variables) {
  EXPECT_EQ(run("A=hello; B=\"$A world\"; echo $A ${B}!"), 0);
  EXPECT_EQ(out(), "hello hello world!\n");
  EXPECT_STREQ(shell_.get_variable("A"), "hello");
  EXPECT_EQ(run("echo [$UNSET_VAR] $UNSET_VAR x \"$UNSET_VAR\"|cat"), 0);
  EXPECT_EQ(out(), "[] x \n");
  EXPECT_EQ(run("unset A; echo \"<$A>\""), 0);
  EXPECT_EQ(out(), "<>\n");
  EXPECT_EQ(run("echo $ $1x ${bad"), 0);
  EXPECT_EQ(out(), "$ $1x ${bad\n");
}

TEST_F(ShellTest, StatusVariable) {
  EXPECT_EQ(run("false; echo $?; true; echo $?"), 0);
  EXPECT_EQ(out(), "1\n0\n");
}

TEST_F(ShellTest, ExportReachesPrograms) {
  // `sh -c` started by the shell sees exported variables only.
  EXPECT_EQ(run("X=1; export Y=2; sh -c 'echo \"[$X][$Y]\"'"), 0);
  EXPECT_EQ(out(), "[][2]\n");
  EXPECT_EQ(run("Z=3 sh -c 'echo $Z'; echo \"[$Z]\""), 0);
  EXPECT_EQ(out(), "3\n[]\n");
  EXPECT_EQ(run("export 1bad"), 1);
  EXPECT_EQ(err(), "sh: export: 1bad: not a valid name\n");
}

TEST_F(ShellTest, CdAndPwd) {
  char saved[4096];
  ASSERT_NE(getcwd(saved, sizeof(saved)), nullptr);
  EXPECT_EQ(run("cd " + sandbox_.work() + " && pwd"), 0);
  char real[4096];
  ASSERT_NE(realpath(sandbox_.work().c_str(), real), nullptr);
  EXPECT_EQ(out(), std::string(real) + "\n");
  EXPECT_EQ(run("cd /nonexistent-dir"), 1);
  EXPECT_EQ(err(), "sh: cd: /nonexistent-dir: No such file or directory\n");
  EXPECT_EQ(run("HOME=/; cd; pwd"), 0);
  EXPECT_EQ(out(), "/\n");
  // A builtin in a longer pipeline does not change the shell.
  EXPECT_EQ(run("cd " + sandbox_.work() + " | cat; pwd"), 0);
  EXPECT_EQ(out(), "/\n");
  ASSERT_EQ(chdir(saved), 0);
}

TEST_F(ShellTest, Exit) {
  EXPECT_EQ(run("exit 3; echo not here"), 3);
  EXPECT_TRUE(shell_.exit_requested());
  EXPECT_EQ(out(), "");
}

TEST_F(ShellTest, ExitInPipelineDoesNotExit) {
  EXPECT_EQ(run("exit 4 | cat; echo still"), 0);
  EXPECT_FALSE(shell_.exit_requested());
  EXPECT_EQ(out(), "still\n");
}

TEST_F(ShellTest, HistoryAndBang) {
  int in[2];
  ASSERT_EQ(pipe(in), 0);
  const char input[] = "echo one\necho two\n!!\n!1\nhistory\n!99\n";
  ASSERT_EQ(write(in[1], input, sizeof(input) - 1), (ssize_t)sizeof(input) - 1);
  close(in[1]);
  shell_.set_stdio(in[0], out_, err_);
  EXPECT_EQ(shell_.run_fd(in[0]), 1);
  close(in[0]);
  EXPECT_EQ(out(),
            "$ one\n$ two\n$ echo two\ntwo\n$ echo one\none\n$ "
            "    1  echo one\n    2  echo two\n    3  echo two\n    4  echo one\n"
            "    5  history\n$ $ ");
  EXPECT_EQ(err(), "sh: !99: event not found\n");
}

TEST_F(ShellTest, HistoryKeepsTheLastEntries) {
  for (size_t i = 1; i <= kHistorySize + 5; i++) {
    std::string line = "echo " + std::to_string(i);
    shell_.add_history(line.data(), line.size());
  }
  EXPECT_EQ(shell_.history_entry(5), nullptr);
  EXPECT_STREQ(shell_.history_entry(6), "echo 6");
  EXPECT_STREQ(shell_.history_entry(kHistorySize + 5), "echo 105");
}

TEST_F(ShellTest, HelpListsBuiltinsAndPrograms) {
  EXPECT_EQ(run("help"), 0);
  std::string text = out();
  for (const char* name : {"cd", "pwd", "exit", "help", "history", "export"}) {
    EXPECT_NE(text.find(std::string("  ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("programs in " + sandbox_.bin() + ":"), std::string::npos);
  EXPECT_NE(text.find("  ls"), std::string::npos);
  EXPECT_NE(text.find("  mkdir"), std::string::npos);
}

TEST_F(ShellTest, SyntaxErrorsAreReportedAndInteractiveShellsGoOn) {
  EXPECT_EQ(run("echo a | | b"), 2);
  EXPECT_EQ(err(), "sh: syntax error near '|'\n");
  EXPECT_FALSE(shell_.exit_requested());
  EXPECT_EQ(run("echo 'open"), 2);
  EXPECT_EQ(err(), "sh: syntax error: unterminated quote\n");
  EXPECT_EQ(out(), "");
}

TEST_F(ShellTest, TooManyVariables) {
  std::string script;
  for (size_t i = 0; i < kMaxVariables + 10; i++) script += "V" + std::to_string(i) + "=x;";
  EXPECT_EQ(run(script), 1);
  EXPECT_NE(err().find("sh: out of memory"), std::string::npos);
  EXPECT_EQ(shell_.variable_count(), kMaxVariables);
}

}  // namespace
}  // namespace sh

// host_sh run for real (with the host-built coreutils on its PATH), in a
// fresh temporary directory per test.
#include <string>

#include <gtest/gtest.h>

#include <unistd.h>

#include "test_support.h"

namespace {

using sh_test::Input;
using sh_test::RunResult;
using sh_test::Sandbox;

TEST(Sh, RedirectPipeAndStatus) {
  Sandbox box;
  RunResult r = box.sh("echo hello > a; cat a | cat; echo $?");
  EXPECT_EQ(r.out, "hello\n0\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(box.read("a"), "hello\n");
}

TEST(Sh, AppendAndInput) {
  Sandbox box;
  RunResult r = box.sh("echo one > f; echo two >> f; /nonexistent/true; cat < f; wc -l < f");
  // A missing program is reported, and the list goes on.
  EXPECT_EQ(r.out, "one\ntwo\n      2\n");
  EXPECT_EQ(r.err, "sh: /nonexistent/true: not found\n");
  EXPECT_EQ(r.status, 0);
}

TEST(Sh, StderrRedirection) {
  Sandbox box;
  RunResult r = box.sh("cat missing 2> err; echo $?; cat err; cat missing > out 2>&1; cat out");
  EXPECT_EQ(r.out,
            "1\ncat: missing: No such file or directory\n"
            "cat: missing: No such file or directory\n");
  EXPECT_EQ(r.err, "");
}

TEST(Sh, AndOrLists) {
  Sandbox box;
  RunResult r = box.sh(
      "false && echo no; echo yes; true && echo and; false || echo or; "
      "true || echo never");
  EXPECT_EQ(r.out, "yes\nand\nor\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(box.sh("true && false").status, 1);
  EXPECT_EQ(box.sh("false || false").status, 1);
}

TEST(Sh, PipelineStatusIsTheLastCommands) {
  Sandbox box;
  EXPECT_EQ(box.sh("false | true").status, 0);
  EXPECT_EQ(box.sh("true | false").status, 1);
  RunResult r = box.sh("echo a b c | wc -w | cat");
  EXPECT_EQ(r.out, "      3\n");
}

TEST(Sh, LongPipelineOfBuiltinsAndPrograms) {
  Sandbox box;
  box.write("big", std::string(200000, 'x'));
  // echo (a builtin) writes more than a pipe holds into running programs.
  std::string script = "A=0123456789";
  for (int i = 0; i < 14; i++) script += "; A=$A$A";
  script += "; echo $A | cat | wc -c; cat big | cat | cat | wc -c";
  RunResult r = box.sh(script);
  EXPECT_EQ(r.out, " 163841\n 200000\n");
  EXPECT_EQ(r.status, 0);
}

TEST(Sh, MissingProgram) {
  Sandbox box;
  RunResult r = box.sh("no-such-program arg");
  EXPECT_EQ(r.status, 127);
  EXPECT_EQ(r.err, "sh: no-such-program: not found\n");
  r = box.sh("no-such-program | cat; echo $?");
  EXPECT_EQ(r.out, "0\n");
  r = box.sh("cat /dev/null | no-such-program; echo $?");
  EXPECT_EQ(r.out, "127\n");
}

// A directory of PATH that cannot be searched is an error worth naming (on
// mica: EIO from a file system whose disk driver died), not "not found";
// ENOENT and ENOTDIR are what a search passes over.
TEST(Sh, PathSearchReportsTheRealError) {
  Sandbox box;
  ASSERT_EQ(symlink("loop", (box.work() + "/loop").c_str()), 0);
  box.write("file", "");
  RunResult r = box.sh("PATH=loop:$PATH; echo x | cat; no-such-program; echo $?");
  // Found in a later directory, cat runs: an earlier one's error does not
  // matter.
  EXPECT_EQ(r.out, "x\n126\n");
  EXPECT_EQ(r.err, "sh: no-such-program: Too many levels of symbolic links\n");
  r = box.sh("PATH=file:$PATH:/nonexistent; no-such-program; echo $?");
  EXPECT_EQ(r.out, "127\n");
  EXPECT_EQ(r.err, "sh: no-such-program: not found\n");
}

TEST(Sh, SyntaxErrors) {
  Sandbox box;
  RunResult r = box.sh("echo a | | echo b");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "sh: syntax error near '|'\n");
  EXPECT_EQ(r.out, "");
  r = box.sh("echo >");
  EXPECT_EQ(r.err, "sh: syntax error near 'newline'\n");
  r = box.sh("echo 'unterminated");
  EXPECT_EQ(r.err, "sh: syntax error: unterminated quote\n");
  EXPECT_EQ(r.status, 2);
}

TEST(Sh, RedirectionErrors) {
  Sandbox box;
  RunResult r = box.sh("cat < missing; echo $?; echo x > no/such/dir; echo $?");
  EXPECT_EQ(r.out, "1\n1\n");
  EXPECT_EQ(r.err,
            "sh: missing: No such file or directory\n"
            "sh: no/such/dir: No such file or directory\n");
}

TEST(Sh, ExitStatus) {
  Sandbox box;
  EXPECT_EQ(box.sh("exit 7").status, 7);
  EXPECT_EQ(box.sh("false").status, 1);
  EXPECT_EQ(box.sh("false; exit").status, 1);
  RunResult r = box.sh("exit abc");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "sh: exit: abc: numeric argument required\n");
}

TEST(Sh, InteractiveReadsStdinWithPrompts) {
  Sandbox box;
  RunResult r = box.run("sh", {}, "echo hi\ncd /\npwd\nexit 5\necho never\n");
  EXPECT_EQ(r.out, "$ hi\n$ $ /\n$ ");
  EXPECT_EQ(r.status, 5);
}

TEST(Sh, ProgramsShareStdinWithTheShell) {
  Sandbox box;
  // The inner sh reads the lines after its own from the same stdin: the
  // outer one must not have consumed them, whether stdin is a file or a
  // pipe.
  for (Input how : {Input::kFile, Input::kPipe}) {
    RunResult r = box.run("sh", {}, "sh\necho inner\nexit 3\necho $?\n", how);
    EXPECT_EQ(r.out, "$ $ inner\n$ $ 3\n$ ");
  }
  // head gives back what it read past its lines when it can seek.
  RunResult r = box.run("sh", {}, "head -n 1\nfrom stdin\necho after\n");
  EXPECT_EQ(r.out, "$ from stdin\n$ after\n$ ");
}

TEST(Sh, Script) {
  Sandbox box;
  box.write("script", "# a comment\necho first\n\nX=2\necho \"x=$X\" | cat\nfalse\n");
  RunResult r = box.run("sh", {"script"});
  EXPECT_EQ(r.out, "first\nx=2\n");
  EXPECT_EQ(r.status, 1);
  r = box.run("sh", {"missing-script"});
  EXPECT_EQ(r.status, 127);
  EXPECT_EQ(r.err, "sh: missing-script: No such file or directory\n");
}

TEST(Sh, ScriptStopsAtASyntaxError) {
  Sandbox box;
  box.write("script", "echo one\necho ) |\necho two\n");
  RunResult r = box.run("sh", {"script"});
  EXPECT_EQ(r.out, "one\n");
  EXPECT_EQ(r.err, "sh: syntax error near 'newline'\n");
  EXPECT_EQ(r.status, 2);
}

TEST(Sh, MegabyteLineIsAnErrorNotACrash) {
  Sandbox box;
  std::string line(1 << 20, 'a');
  for (Input how : {Input::kFile, Input::kPipe}) {
    RunResult r = box.run("sh", {}, "echo " + line + "\necho next\n", how);
    EXPECT_EQ(r.err, "sh: line too long (the limit is 65536 bytes)\n");
    EXPECT_EQ(r.out, "$ $ next\n$ ");
    EXPECT_EQ(r.status, 0);
  }
  box.write("script", "echo " + line + "\necho next\n");
  RunResult r = box.run("sh", {"script"});
  EXPECT_EQ(r.err, "sh: line too long (the limit is 65536 bytes)\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.status, 2);
}

TEST(Sh, LongButAllowedLine) {
  Sandbox box;
  std::string word(60000, 'b');
  RunResult r = box.run("sh", {}, "echo " + word + " | wc -c\n");
  EXPECT_EQ(r.out, "$   60001\n$ ");
}

TEST(Sh, Tilde) {
  Sandbox box;
  RunResult r = box.sh("cd ~ && pwd; echo ~/x '~'");
  char real[4096];
  ASSERT_NE(realpath(box.root().c_str(), real), nullptr);
  EXPECT_EQ(r.out, std::string(real) + "\n" + box.root() + "/x ~\n");
}

TEST(Sh, EchoProgramAndBuiltinAgree) {
  Sandbox box;
  RunResult r = box.sh("echo -n a b; echo; " + box.bin() + "/echo -n a b; " + box.bin() + "/echo");
  EXPECT_EQ(r.out, "a b\na b\n");
}

}  // namespace

// The host-built coreutils run for real, each in a fresh temporary
// directory: outputs, exit codes and error messages.
#include <string>

#include <gtest/gtest.h>

#include <regex>

#include "test_support.h"

namespace {

using sh_test::RunResult;
using sh_test::Sandbox;

TEST(Echo, ArgumentsAndDashN) {
  Sandbox box;
  EXPECT_EQ(box.run("echo", {"a", "b  c"}).out, "a b  c\n");
  EXPECT_EQ(box.run("echo", {"-n", "x"}).out, "x");
  EXPECT_EQ(box.run("echo", {}).out, "\n");
}

TEST(TrueFalse, Status) {
  Sandbox box;
  EXPECT_EQ(box.run("true", {}).status, 0);
  EXPECT_EQ(box.run("false", {}).status, 1);
}

TEST(Cat, FilesAndStdin) {
  Sandbox box;
  box.write("a", "A\n");
  box.write("b", "B\n");
  EXPECT_EQ(box.run("cat", {"a", "-", "b"}, "IN\n").out, "A\nIN\nB\n");
  EXPECT_EQ(box.run("cat", {}, "only stdin").out, "only stdin");
  RunResult r = box.run("cat", {"a", "missing", "b"});
  EXPECT_EQ(r.out, "A\nB\n");
  EXPECT_EQ(r.err, "cat: missing: No such file or directory\n");
  EXPECT_EQ(r.status, 1);
}

TEST(Pwd, PrintsTheWorkingDirectory) {
  Sandbox box;
  char real[4096];
  ASSERT_NE(realpath(box.work().c_str(), real), nullptr);
  EXPECT_EQ(box.run("pwd", {}).out, std::string(real) + "\n");
}

TEST(Ls, NamesSortedAndDotfiles) {
  Sandbox box;
  box.write("b", "");
  box.write("a", "");
  box.write(".hidden", "");
  EXPECT_EQ(box.run("ls", {}).out, "a\nb\n");
  EXPECT_EQ(box.run("ls", {"-a"}).out, ".\n..\n.hidden\na\nb\n");
}

TEST(Ls, LongFormat) {
  Sandbox box;
  box.write("file", "12345");
  ASSERT_EQ(box.sh("mkdir dir").status, 0);
  RunResult r = box.run("ls", {"-l"});
  EXPECT_EQ(r.status, 0);
  std::regex line(
      "d[rwx-]{9} +[0-9]+ +[0-9]+ dir\n"
      "-rw-r--r-- +1 +5 file\n");
  EXPECT_TRUE(std::regex_match(r.out, line)) << r.out;
}

TEST(Ls, FilesDirectoriesAndMissingPaths) {
  Sandbox box;
  box.write("f", "");
  ASSERT_EQ(box.sh("mkdir d && touch d/x d/y").status, 0);
  RunResult r = box.run("ls", {"d", "f", "missing"});
  EXPECT_EQ(r.out, "f\n\nd:\nx\ny\n");
  EXPECT_EQ(r.err, "ls: missing: No such file or directory\n");
  EXPECT_EQ(r.status, 1);
  r = box.run("ls", {"f"});
  EXPECT_EQ(r.out, "f\n");
  EXPECT_EQ(r.status, 0);
  r = box.run("ls", {"-l", "f"});
  EXPECT_TRUE(std::regex_match(r.out, std::regex("-rw-r--r-- +1 +0 f\n"))) << r.out;
  EXPECT_EQ(box.run("ls", {"-x"}).status, 2);
}

TEST(Ls, SymbolicLinks) {
  Sandbox box;
  box.write("file", "12345");
  ASSERT_EQ(box.sh("mkdir dir && touch dir/inside").status, 0);
  ASSERT_EQ(box.run("ln", {"-s", "file", "tofile"}).status, 0);
  ASSERT_EQ(box.run("ln", {"-s", "dir", "todir"}).status, 0);
  ASSERT_EQ(box.run("ln", {"-s", "nowhere", "dangling"}).status, 0);
  RunResult r = box.run("ls", {"-l"});
  EXPECT_EQ(r.status, 0);
  std::regex line(
      "l[rwx-]{9} +1 +7 dangling -> nowhere\n"
      "d[rwx-]{9} +[0-9]+ +[0-9]+ dir\n"
      "-rw-r--r-- +1 +5 file\n"
      "l[rwx-]{9} +1 +3 todir -> dir\n"
      "l[rwx-]{9} +1 +4 tofile -> file\n");
  EXPECT_TRUE(std::regex_match(r.out, line)) << r.out;
  // -l shows an operand link itself; without -l it is followed.
  r = box.run("ls", {"-l", "todir"});
  EXPECT_TRUE(std::regex_match(r.out, std::regex("l[rwx-]{9} +1 +3 todir -> dir\n"))) << r.out;
  EXPECT_EQ(box.run("ls", {"todir"}).out, "inside\n");
  r = box.run("ls", {"dangling"});
  EXPECT_EQ(r.err, "ls: dangling: No such file or directory\n");
  EXPECT_EQ(r.status, 1);
}

TEST(Ln, SymbolicHardAndErrors) {
  Sandbox box;
  box.write("file", "data\n");
  EXPECT_EQ(box.run("ln", {"-s", "file", "sym"}).status, 0);
  EXPECT_EQ(box.run("cat", {"sym"}).out, "data\n");
  EXPECT_EQ(box.run("readlink", {"sym"}).out, "file\n");
  EXPECT_EQ(box.run("ln", {"file", "hard"}).status, 0);
  EXPECT_EQ(box.read("hard"), "data\n");
  RunResult r = box.run("ls", {"-l", "hard"});
  EXPECT_TRUE(std::regex_match(r.out, std::regex("-rw-r--r-- +2 +5 hard\n"))) << r.out;
  // An existing name is an error, unless -f.
  r = box.run("ln", {"-s", "elsewhere", "sym"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "ln: sym: File exists\n");
  EXPECT_EQ(box.run("ln", {"-sf", "elsewhere", "sym"}).status, 0);
  EXPECT_EQ(box.run("readlink", {"sym"}).out, "elsewhere\n");
  // Into a directory, by the target's last name.
  ASSERT_EQ(box.sh("mkdir d").status, 0);
  EXPECT_EQ(box.run("ln", {"-s", "../file", "d"}).status, 0);
  EXPECT_EQ(box.run("readlink", {"d/file"}).out, "../file\n");
  EXPECT_EQ(box.read("d/file"), "data\n");
  r = box.run("ln", {"missing", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "ln: missing: No such file or directory\n");
  r = box.run("ln", {"file", "hard", "notadir"});
  EXPECT_EQ(r.err, "ln: notadir: Not a directory\n");
  EXPECT_EQ(box.run("ln", {"file"}).status, 2);
  EXPECT_EQ(box.run("ln", {"-x", "a", "b"}).status, 2);
}

TEST(Readlink, NotALinkAndMissing) {
  Sandbox box;
  box.write("file", "");
  ASSERT_EQ(box.run("ln", {"-s", "a/b/c", "deep"}).status, 0);
  RunResult r = box.run("readlink", {"deep", "file", "missing"});
  EXPECT_EQ(r.out, "a/b/c\n");
  EXPECT_EQ(r.err,
            "readlink: file: Invalid argument\n"
            "readlink: missing: No such file or directory\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(box.run("readlink", {}).status, 2);
}

TEST(Mkdir, ParentsAndErrors) {
  Sandbox box;
  EXPECT_EQ(box.run("mkdir", {"a"}).status, 0);
  EXPECT_TRUE(box.is_directory("a"));
  RunResult r = box.run("mkdir", {"a"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "mkdir: a: File exists\n");
  r = box.run("mkdir", {"x/y/z"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "mkdir: x/y/z: No such file or directory\n");
  EXPECT_EQ(box.run("mkdir", {"-p", "x/y/z", "a", "p//q/"}).status, 0);
  EXPECT_TRUE(box.is_directory("x/y/z"));
  EXPECT_TRUE(box.is_directory("p/q"));
  box.write("file", "");
  r = box.run("mkdir", {"-p", "file/sub"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "mkdir: file/sub: Not a directory\n");
}

TEST(Rmdir, EmptyOnly) {
  Sandbox box;
  ASSERT_EQ(box.sh("mkdir -p a/b").status, 0);
  RunResult r = box.run("rmdir", {"a"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rmdir: a: Directory not empty\n");
  EXPECT_EQ(box.run("rmdir", {"a/b", "a"}).status, 0);
  EXPECT_FALSE(box.exists("a"));
  r = box.run("rmdir", {"missing"});
  EXPECT_EQ(r.err, "rmdir: missing: No such file or directory\n");
}

TEST(Rm, FilesRecursiveAndForce) {
  Sandbox box;
  box.write("f", "");
  EXPECT_EQ(box.run("rm", {"f"}).status, 0);
  EXPECT_FALSE(box.exists("f"));
  RunResult r = box.run("rm", {"f"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rm: f: No such file or directory\n");
  r = box.run("rm", {"-f", "f"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");

  ASSERT_EQ(box.sh("mkdir -p d/e/f && touch d/1 d/e/2 d/e/f/3 d/.dot").status, 0);
  r = box.run("rm", {"d"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rm: d: Is a directory\n");
  EXPECT_TRUE(box.exists("d/e/f/3"));
  EXPECT_EQ(box.run("rm", {"-r", "d"}).status, 0);
  EXPECT_FALSE(box.exists("d"));
  EXPECT_EQ(box.run("rm", {"-rf", "d", "nothing"}).status, 0);
}

TEST(Rm, RecursiveLeavesSymlinkTargets) {
  Sandbox box;
  ASSERT_EQ(box.sh("mkdir -p keep d && touch keep/precious").status, 0);
  ASSERT_EQ(symlink((box.work() + "/keep").c_str(), (box.work() + "/d/link").c_str()), 0);
  ASSERT_EQ(symlink((box.work() + "/keep").c_str(), (box.work() + "/toplink").c_str()), 0);
  EXPECT_EQ(box.run("rm", {"-r", "d", "toplink"}).status, 0);
  EXPECT_FALSE(box.exists("d"));
  EXPECT_FALSE(box.exists("toplink"));
  EXPECT_TRUE(box.exists("keep/precious"));
}

// rm and ln read their option letters alike (coreutils::parse_flags).
TEST(Rm, Options) {
  Sandbox box;
  ASSERT_EQ(box.sh("mkdir -p d/e && touch d/e/x -- -f -r").status, 0);
  // Separate, combined and repeated letters; R is r.
  EXPECT_EQ(box.run("rm", {"-R", "-f", "-ff", "d", "nothing"}).status, 0);
  EXPECT_FALSE(box.exists("d"));
  // After "--" a word starting with '-' is a path.
  EXPECT_EQ(box.run("rm", {"--", "-f", "-r"}).status, 0);
  EXPECT_FALSE(box.exists("-f"));
  EXPECT_FALSE(box.exists("-r"));
  // "-" alone is a path too.
  RunResult r = box.run("rm", {"-"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rm: -: No such file or directory\n");
  box.write("kept", "");
  r = box.run("rm", {"-rx", "kept"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "rm: invalid option -- 'x'\n");
  EXPECT_TRUE(box.exists("kept"));
  r = box.run("rm", {"-s", "kept"});  // ln's letter, not rm's
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "rm: invalid option -- 's'\n");
  r = box.run("rm", {"-f"});
  EXPECT_EQ(r.status, 0);
  r = box.run("rm", {"-r", "--"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rm: missing operand\n");
}

TEST(Ln, Options) {
  Sandbox box;
  box.write("file", "x");
  EXPECT_EQ(box.run("ln", {"-s", "-f", "file", "a"}).status, 0);
  EXPECT_EQ(box.run("ln", {"-fs", "file", "a"}).status, 0);
  EXPECT_EQ(box.run("ln", {"-s", "--", "file", "-l"}).status, 0);
  EXPECT_EQ(box.read("-l"), "x");
  RunResult r = box.run("ln", {"-r", "file", "b"});  // rm's letter, not ln's
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ln: invalid option -- 'r'\n");
  EXPECT_FALSE(box.exists("b"));
}

TEST(Cp, FileToFileAndIntoDirectory) {
  Sandbox box;
  box.write("src", "data\n");
  EXPECT_EQ(box.run("cp", {"src", "dst"}).status, 0);
  EXPECT_EQ(box.read("dst"), "data\n");
  box.write("dst", "a much longer old content\n");
  EXPECT_EQ(box.run("cp", {"src", "dst"}).status, 0);
  EXPECT_EQ(box.read("dst"), "data\n");
  ASSERT_EQ(box.sh("mkdir dir").status, 0);
  box.write("other", "other\n");
  EXPECT_EQ(box.run("cp", {"src", "other", "dir"}).status, 0);
  EXPECT_EQ(box.read("dir/src"), "data\n");
  EXPECT_EQ(box.read("dir/other"), "other\n");
  std::string big(100000, 'z');
  box.write("big", big);
  EXPECT_EQ(box.run("cp", {"big", "big2"}).status, 0);
  EXPECT_EQ(box.read("big2"), big);
}

TEST(Cp, Errors) {
  Sandbox box;
  RunResult r = box.run("cp", {"missing", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "cp: missing: No such file or directory\n");
  box.write("a", "");
  box.write("b", "");
  r = box.run("cp", {"a", "b", "notadir"});
  EXPECT_EQ(r.err, "cp: notadir: Not a directory\n");
  ASSERT_EQ(box.sh("mkdir d").status, 0);
  r = box.run("cp", {"d", "e"});
  EXPECT_EQ(r.err, "cp: d: Is a directory\n");
  r = box.run("cp", {"a", "a"});
  EXPECT_EQ(r.status, 1);
  r = box.run("cp", {"a"});
  EXPECT_EQ(r.status, 1);
}

TEST(Mv, RenameAndIntoDirectory) {
  Sandbox box;
  box.write("a", "A");
  EXPECT_EQ(box.run("mv", {"a", "b"}).status, 0);
  EXPECT_FALSE(box.exists("a"));
  EXPECT_EQ(box.read("b"), "A");
  ASSERT_EQ(box.sh("mkdir dir sub").status, 0);
  EXPECT_EQ(box.run("mv", {"b", "sub", "dir"}).status, 0);
  EXPECT_EQ(box.read("dir/b"), "A");
  EXPECT_TRUE(box.is_directory("dir/sub"));
  RunResult r = box.run("mv", {"missing", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "mv: missing: No such file or directory\n");
}

TEST(Touch, CreatesMissingFiles) {
  Sandbox box;
  box.write("old", "keep");
  EXPECT_EQ(box.run("touch", {"new", "old"}).status, 0);
  EXPECT_TRUE(box.exists("new"));
  EXPECT_EQ(box.read("new"), "");
  EXPECT_EQ(box.read("old"), "keep");
  RunResult r = box.run("touch", {"no/such/file"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "touch: no/such/file: No such file or directory\n");
}

TEST(Sleep, FractionsAndErrors) {
  Sandbox box;
  EXPECT_EQ(box.run("sleep", {"0.05"}).status, 0);
  EXPECT_EQ(box.run("sleep", {".01", "0"}).status, 0);
  RunResult r = box.run("sleep", {"abc"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "sleep: invalid time interval 'abc'\n");
  EXPECT_EQ(box.run("sleep", {}).status, 1);
}

TEST(Uname, Fields) {
  Sandbox box;
  EXPECT_EQ(box.run("uname", {}).out, "mica\n");
  EXPECT_EQ(box.run("uname", {"-s"}).out, "mica\n");
  RunResult r = box.run("uname", {"-a"});
  EXPECT_TRUE(std::regex_match(r.out, std::regex("mica mica \\S+ \\S+ x86_64\n"))) << r.out;
  EXPECT_EQ(box.run("uname", {"-q"}).status, 1);
}

TEST(Wc, Counts) {
  Sandbox box;
  box.write("f", "one two\nthree\n");
  EXPECT_EQ(box.run("wc", {"f"}).out, "      2       3      14 f\n");
  EXPECT_EQ(box.run("wc", {"-l"}, "a\nb\nc\n").out, "      3\n");
  EXPECT_EQ(box.run("wc", {"-w", "f", "f"}).out, "      3 f\n      3 f\n      6 total\n");
  RunResult r = box.run("wc", {"missing"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "wc: missing: No such file or directory\n");
}

TEST(Head, Lines) {
  Sandbox box;
  std::string text;
  for (int i = 1; i <= 20; i++) text += std::to_string(i) + "\n";
  box.write("f", text);
  EXPECT_EQ(box.run("head", {"f"}).out, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  EXPECT_EQ(box.run("head", {"-n", "2", "f"}).out, "1\n2\n");
  EXPECT_EQ(box.run("head", {"-3"}, text).out, "1\n2\n3\n");
  box.write("g", "x\n");
  EXPECT_EQ(box.run("head", {"-1", "f", "g"}).out, "==> f <==\n1\n\n==> g <==\nx\n");
  EXPECT_EQ(box.run("head", {"-n", "x"}).status, 1);
}

TEST(Dd, BlocksSkipSeekAndCount) {
  Sandbox box;
  box.write("in", "0123456789abcdef");
  RunResult r = box.run("dd", {"if=in", "of=out", "bs=4", "skip=1", "count=2"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "2+0 records in\n2+0 records out\n8 bytes copied\n");
  EXPECT_EQ(box.read("out"), "456789ab");
  // conv=notrunc keeps what is around the written blocks; without it the
  // output is cut at the seek position.
  box.write("kept", "XXXXXXXX");
  EXPECT_EQ(box.run("dd", {"if=in", "of=kept", "bs=2", "seek=1", "count=1", "conv=notrunc"}).status,
            0);
  EXPECT_EQ(box.read("kept"), "XX01XXXX");
  box.write("cut", "XXXXXXXX");
  EXPECT_EQ(box.run("dd", {"if=in", "of=cut", "bs=2", "seek=1", "count=1", "status=none"}).err, "");
  EXPECT_EQ(box.read("cut"), "XX01");
  // A short last record counts as partial; stdin to stdout; multipliers.
  r = box.run("dd", {"bs=2"}, "abcde");
  EXPECT_EQ(r.out, "abcde");
  EXPECT_EQ(r.err, "2+1 records in\n2+1 records out\n5 bytes copied\n");
  EXPECT_EQ(box.run("dd", {"if=in", "bs=1k", "status=none"}).out, "0123456789abcdef");
  EXPECT_EQ(box.run("dd", {"if=in", "bs=0x2", "count=2", "status=none"}).out, "0123");
}

TEST(Dd, BadOperands) {
  Sandbox box;
  RunResult r = box.run("dd", {"foo"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dd: unrecognized operand 'foo'\n");
  r = box.run("dd", {"count=x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dd: invalid number: 'x'\n");
  EXPECT_EQ(box.run("dd", {"bs=4q"}).err, "dd: invalid number: '4q'\n");
  EXPECT_EQ(box.run("dd", {"bs=0"}).status, 1);
  EXPECT_EQ(box.run("dd", {"conv=sync"}).err, "dd: invalid conversion: 'sync'\n");
  r = box.run("dd", {"if=missing"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dd: missing: No such file or directory\n");
  r = box.run("dd", {"of=/dev/full", "bs=4", "count=1"}, "abcd");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "dd: /dev/full: No space left on device\n1+0 records in\n0+0 records out\n"
            "0 bytes copied\n");
}

// The expected dumps are GNU od's for the same input.
TEST(Od, TypesAndOffsets) {
  Sandbox box;
  box.write("ab", "ab");
  EXPECT_EQ(box.run("od", {"ab"}).out, "0000000 061141\n0000002\n");
  box.write("c", std::string("a\n\t\001\377 z", 7));
  EXPECT_EQ(box.run("od", {"-c", "c"}).out, "0000000   a  \\n  \\t 001 377       z\n0000007\n");
  box.write("d", "0123456789");
  EXPECT_EQ(box.run("od", {"-A", "d", "-t", "x1", "-j", "2", "-N", "3", "d"}).out,
            "0000002 32 33 34\n0000005\n");
  EXPECT_EQ(box.run("od", {"-Ax", "-tx2", "d"}).out, "000000 3130 3332 3534 3736 3938\n00000a\n");
  EXPECT_EQ(box.run("od", {"-An", "-tx4", "d"}).out, " 33323130 37363534 00003938\n");
  box.write("neg", "\377\200\001");
  EXPECT_EQ(box.run("od", {"-t", "d1", "neg"}).out, "0000000   -1 -128    1\n0000003\n");
  EXPECT_EQ(box.run("od", {"-t", "u1", "neg"}).out, "0000000 255 128   1\n0000003\n");
  // Two inputs are one stream; stdin.
  EXPECT_EQ(box.run("od", {"-An", "-c", "ab", "-", "ab"}, "x").out, "   a   b   x   a   b\n");
}

TEST(Od, RepeatsAndErrors) {
  Sandbox box;
  box.write("z", std::string(48, '\0'));
  EXPECT_EQ(box.run("od", {"-A", "d", "-t", "x1", "z"}).out,
            "0000000 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n*\n0000048\n");
  EXPECT_EQ(box.run("od", {"-v", "-A", "n", "-t", "x4", "z"}).out,
            " 00000000 00000000 00000000 00000000\n"
            " 00000000 00000000 00000000 00000000\n"
            " 00000000 00000000 00000000 00000000\n");
  RunResult r = box.run("od", {"-j", "100", "z"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "od: cannot skip past end of combined input\n");
  r = box.run("od", {"-t", "q", "z"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "od: invalid argument 'q' for -t\n");
  EXPECT_EQ(box.run("od", {"-t", "x3", "z"}).status, 2);
  EXPECT_EQ(box.run("od", {"-j", "-1", "z"}).status, 2);
  EXPECT_EQ(box.run("od", {"-y", "z"}).err, "od: invalid option -- 'y'\n");
  r = box.run("od", {"missing"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "od: missing: No such file or directory\n");
}

TEST(Coreutils, ThroughTheShell) {
  Sandbox box;
  RunResult r =
      box.sh("mkdir -p a/b && touch a/b/f && cp a/b/f a/g && mv a/g a/h && ls a; rm -r a && ls");
  EXPECT_EQ(r.out, "b\nh\n");
  EXPECT_EQ(r.status, 0);
}

}  // namespace

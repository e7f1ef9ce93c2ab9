// The VFS path walk (Namespace::resolve) over small file systems in memory:
// ".", "..", mounts, symlinks in the middle and at the end of a path
// (relative, absolute, across mounts, after ".."), loops, missing names and
// what a caller may create.
#include "namespace.h"

#include <string.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <errno.h>
#include <map>
#include <sys/stat.h>

namespace {

using vfs::Namespace;

// A tree of directories, files and symlinks: enough for the walk, which
// needs lookup, stat and readlink only.
class TreeFs final : public vfs::FileSystem {
 public:
  TreeFs() { nodes_.push_back({S_IFDIR | 0755, {}, ""}); }  // ino 1: the root

  // Adds `path` (from the root, its parent existing): a directory, a file
  // or (with a target) a symlink. Returns its inode.
  uint64_t add(const std::string& path, uint32_t type, const std::string& target = "") {
    size_t slash = path.rfind('/');
    uint64_t dir = slash == 0 ? 1 : find(path.substr(0, slash));
    nodes_.push_back({type | 0755, {}, target});
    uint64_t ino = nodes_.size();
    nodes_[dir - 1].children[path.substr(slash + 1)] = ino;
    return ino;
  }
  uint64_t find(const std::string& path) {
    uint64_t at = 1;
    size_t i = 1;
    while (i < path.size()) {
      size_t end = path.find('/', i);
      if (end == std::string::npos) end = path.size();
      at = nodes_[at - 1].children.at(path.substr(i, end - i));
      i = end + 1;
    }
    return at;
  }

  const char* name() const override { return "tree"; }
  uint64_t root() const override { return 1; }
  int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) override {
    if (dir == 0 || dir > nodes_.size()) return -ENOENT;
    const Node& d = nodes_[dir - 1];
    if (!S_ISDIR(d.mode)) return -ENOTDIR;
    std::string n(name, length);
    if (n == ".") {
      *out = dir;
      return 0;
    }
    auto it = d.children.find(n);
    if (it == d.children.end()) return -ENOENT;
    *out = it->second;
    return 0;
  }
  int stat(uint64_t ino, vfs::NodeInfo* out) override {
    if (ino == 0 || ino > nodes_.size()) return -ENOENT;
    *out = vfs::NodeInfo{};
    out->ino = ino;
    out->mode = nodes_[ino - 1].mode;
    return 0;
  }
  int readlink(uint64_t ino, char* buffer, size_t size) override {
    const Node& n = nodes_[ino - 1];
    if (!S_ISLNK(n.mode)) return -EINVAL;
    size_t count = n.target.size() < size ? n.target.size() : size;
    memcpy(buffer, n.target.data(), count);
    return static_cast<int>(count);
  }
  long read(uint64_t, uint64_t, void*, size_t) override { return -EPERM; }
  long write(uint64_t, uint64_t, const void*, size_t) override { return -EPERM; }
  int truncate(uint64_t, uint64_t) override { return -EPERM; }
  int create(uint64_t, const char*, size_t, uint32_t, uint64_t*) override { return -EPERM; }
  int mkdir(uint64_t, const char*, size_t, uint32_t, uint64_t*) override { return -EPERM; }
  int unlink(uint64_t, const char*, size_t) override { return -EPERM; }
  int rmdir(uint64_t, const char*, size_t) override { return -EPERM; }
  int rename(uint64_t, const char*, size_t, uint64_t, const char*, size_t) override {
    return -EPERM;
  }
  int readdir(uint64_t, uint64_t*, vfs::DirEntry*) override { return 0; }

 private:
  struct Node {
    uint32_t mode;
    std::map<std::string, uint64_t> children;
    std::string target;
  };
  std::vector<Node> nodes_;
};

class NamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.add("/etc", S_IFDIR);
    root_.add("/etc/motd", S_IFREG);
    root_.add("/a", S_IFDIR);
    root_.add("/a/b", S_IFDIR);
    root_.add("/a/b/file", S_IFREG);
    root_.add("/mnt", S_IFDIR);  // hidden by the mount
    root_.add("/rel", S_IFLNK, "a/b");
    root_.add("/abs", S_IFLNK, "/a/b/file");
    root_.add("/a/up", S_IFLNK, "../etc");
    root_.add("/dangling", S_IFLNK, "a/newname");
    root_.add("/loop1", S_IFLNK, "loop2");
    root_.add("/loop2", S_IFLNK, "loop1");
    root_.add("/tomnt", S_IFLNK, "/mnt/inner");
    other_.add("/inner", S_IFREG);
    other_.add("/back", S_IFLNK, "../etc/motd");
    other_.add("/dir", S_IFDIR);
    ASSERT_TRUE(ns_.mount("/", &root_));
    ASSERT_TRUE(ns_.mount("/mnt", &other_));
  }

  // Resolves and returns the error; res_ holds the result.
  int resolve(const char* path, bool follow = true, const char* cwd = "/") {
    return ns_.resolve(cwd, path, follow, &res_);
  }
  std::string name() const { return std::string(res_.name(), res_.name_length); }

  TreeFs root_, other_;
  Namespace ns_;
  Namespace::Result res_;
};

TEST_F(NamespaceTest, PlainPathsDotsAndCwd) {
  ASSERT_EQ(resolve("/a/b/file"), 0);
  EXPECT_EQ(res_.node.fs, &root_);
  EXPECT_EQ(res_.node.ino, root_.find("/a/b/file"));
  EXPECT_TRUE(S_ISREG(res_.mode));
  EXPECT_STREQ(res_.path, "/a/b/file");
  EXPECT_EQ(name(), "file");
  EXPECT_EQ(res_.parent.ino, root_.find("/a/b"));
  ASSERT_EQ(resolve("//a/./b/../b//file"), 0);
  EXPECT_STREQ(res_.path, "/a/b/file");
  ASSERT_EQ(resolve("b/file", true, "/a"), 0);
  EXPECT_STREQ(res_.path, "/a/b/file");
  ASSERT_EQ(resolve("../..", true, "/a/b"), 0);
  EXPECT_STREQ(res_.path, "/");
  EXPECT_EQ(res_.name_length, 0u);  // ".." names no entry
  ASSERT_EQ(resolve("/.."), 0);
  EXPECT_STREQ(res_.path, "/");
  EXPECT_EQ(res_.node.ino, 1u);
  EXPECT_EQ(resolve(""), -ENOENT);
  EXPECT_EQ(resolve("/a/b/file/"), -ENOTDIR);
  EXPECT_EQ(resolve("/a/b/file/x"), -ENOTDIR);
  ASSERT_EQ(resolve("/a/b/"), 0);
  EXPECT_STREQ(res_.path, "/a/b");
}

TEST_F(NamespaceTest, MissingNamesAndWhatMayBeCreated) {
  EXPECT_EQ(resolve("/a/new"), -ENOENT);
  EXPECT_TRUE(res_.has_parent);
  EXPECT_EQ(res_.parent.ino, root_.find("/a"));
  EXPECT_EQ(name(), "new");
  EXPECT_STREQ(res_.path, "/a/new");
  EXPECT_EQ(resolve("/missing/new"), -ENOENT);
  EXPECT_FALSE(res_.has_parent);
  // A dangling link's target is what O_CREAT makes.
  EXPECT_EQ(resolve("/dangling"), -ENOENT);
  EXPECT_TRUE(res_.has_parent);
  EXPECT_EQ(res_.parent.ino, root_.find("/a"));
  EXPECT_EQ(name(), "newname");
  // Not followed, it is there.
  ASSERT_EQ(resolve("/dangling", false), 0);
  EXPECT_TRUE(S_ISLNK(res_.mode));
  EXPECT_EQ(name(), "dangling");
  std::string long_name(256, 'x');
  EXPECT_EQ(resolve(("/" + long_name).c_str()), -ENAMETOOLONG);
  std::string long_path;
  while (long_path.size() < vfs::kPathMax) long_path += "/a";
  EXPECT_EQ(resolve(long_path.c_str()), -ENAMETOOLONG);
}

TEST_F(NamespaceTest, SymlinksInTheMiddleAndAtTheEnd) {
  ASSERT_EQ(resolve("/rel/file"), 0);
  EXPECT_EQ(res_.node.ino, root_.find("/a/b/file"));
  EXPECT_STREQ(res_.path, "/a/b/file");
  ASSERT_EQ(resolve("/abs"), 0);
  EXPECT_EQ(res_.node.ino, root_.find("/a/b/file"));
  EXPECT_STREQ(res_.path, "/a/b/file");
  // The last component not followed: the link itself, in its directory.
  ASSERT_EQ(resolve("/abs", false), 0);
  EXPECT_EQ(res_.node.ino, root_.find("/abs"));
  EXPECT_TRUE(S_ISLNK(res_.mode));
  EXPECT_EQ(res_.parent.ino, 1u);
  // A trailing slash follows it anyway.
  ASSERT_EQ(resolve("/rel/", false), 0);
  EXPECT_STREQ(res_.path, "/a/b");
  EXPECT_EQ(resolve("/abs/", false), -ENOTDIR);
  // ".." after a link leaves its target, not the link's directory.
  ASSERT_EQ(resolve("/rel/.."), 0);
  EXPECT_STREQ(res_.path, "/a");
  ASSERT_EQ(resolve("/a/up/motd"), 0);
  EXPECT_EQ(res_.node.ino, root_.find("/etc/motd"));
  EXPECT_STREQ(res_.path, "/etc/motd");
  // Relative to a working directory, a link in it.
  ASSERT_EQ(resolve("up/motd", true, "/a"), 0);
  EXPECT_STREQ(res_.path, "/etc/motd");
}

TEST_F(NamespaceTest, AcrossMounts) {
  ASSERT_EQ(resolve("/mnt/inner"), 0);
  EXPECT_EQ(res_.node.fs, &other_);
  EXPECT_EQ(res_.node.ino, other_.find("/inner"));
  ASSERT_EQ(resolve("/mnt"), 0);
  EXPECT_EQ(res_.node.fs, &other_);
  EXPECT_EQ(res_.node.ino, 1u);
  EXPECT_TRUE(ns_.is_mount_point(res_.path));
  EXPECT_FALSE(ns_.is_mount_point("/"));
  // An absolute link into the mount, a relative one out of it.
  ASSERT_EQ(resolve("/tomnt"), 0);
  EXPECT_EQ(res_.node.fs, &other_);
  EXPECT_STREQ(res_.path, "/mnt/inner");
  ASSERT_EQ(resolve("/mnt/back"), 0);
  EXPECT_EQ(res_.node.fs, &root_);
  EXPECT_EQ(res_.node.ino, root_.find("/etc/motd"));
  ASSERT_EQ(resolve("/mnt/dir/../../a", true), 0);
  EXPECT_EQ(res_.node.fs, &root_);
  EXPECT_STREQ(res_.path, "/a");
  ASSERT_EQ(resolve("..", true, "/mnt"), 0);
  EXPECT_EQ(res_.node.fs, &root_);
  EXPECT_EQ(ns_.id_of(&other_), 2u);
}

TEST_F(NamespaceTest, LoopsAndTheLinkLimit) {
  EXPECT_EQ(resolve("/loop1"), -ELOOP);
  EXPECT_EQ(resolve("/loop1/x"), -ELOOP);
  ASSERT_EQ(resolve("/loop1", false), 0);  // the link itself is fine
  EXPECT_TRUE(S_ISLNK(res_.mode));
  // A chain of exactly kMaxSymlinks links resolves; one more does not.
  root_.add("/c0", S_IFLNK, "/a/b/file");
  for (int i = 1; i <= Namespace::kMaxSymlinks; ++i) {
    root_.add("/c" + std::to_string(i), S_IFLNK, "c" + std::to_string(i - 1));
  }
  std::string top = "/c" + std::to_string(Namespace::kMaxSymlinks - 1);
  ASSERT_EQ(resolve(top.c_str()), 0);
  EXPECT_STREQ(res_.path, "/a/b/file");
  top = "/c" + std::to_string(Namespace::kMaxSymlinks);
  EXPECT_EQ(resolve(top.c_str()), -ELOOP);
  // An empty target names nothing.
  root_.add("/empty", S_IFLNK, "");
  EXPECT_EQ(resolve("/empty"), -ENOENT);
}

TEST_F(NamespaceTest, MountTableBounds) {
  Namespace ns;
  TreeFs fs;
  EXPECT_EQ(ns.resolve("/", "/x", true, &res_), -ENOENT);  // nothing at "/"
  std::string too_long(64, 'm');
  EXPECT_FALSE(ns.mount(("/" + too_long).c_str(), &fs));
  for (size_t i = 0; i < Namespace::kMaxMounts; ++i) EXPECT_TRUE(ns.mount("/", &fs));
  EXPECT_FALSE(ns.mount("/", &fs));
}

}  // namespace

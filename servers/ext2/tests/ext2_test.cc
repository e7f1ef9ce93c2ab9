// Tests of the ext2 library against real images: mke2fs (e2fsprogs) builds
// them from a populated directory, the library reads and changes them, and
// after every scenario `e2fsck -fn` must find the image clean and debugfs
// (or a second mount) must see the data.
#include "ext2.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

using ext2::Ext2;

// A BlockDevice over a host file, with optional write failure injection.
class FileBlockDevice final : public ext2::BlockDevice {
 public:
  explicit FileBlockDevice(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR);
    if (fd_ >= 0) {
      struct stat st;
      if (fstat(fd_, &st) == 0) size_ = static_cast<uint64_t>(st.st_size);
    }
  }
  ~FileBlockDevice() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  int read(uint64_t offset, void* buffer, size_t size) override {
    if (offset > size_ || size > size_ - offset) return -EIO;
    reads_++;
    return pread(fd_, buffer, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size)
               ? 0
               : -EIO;
  }
  int write(uint64_t offset, const void* buffer, size_t size) override {
    if (offset > size_ || size > size_ - offset) return -EIO;
    if (writes_left_ == 0) return -EIO;
    if (writes_left_ > 0) writes_left_--;
    return pwrite(fd_, buffer, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size)
               ? 0
               : -EIO;
  }
  uint64_t size() const override { return size_; }

  // Writes after the next `count` fail with -EIO; -1 for never.
  void fail_writes_after(int count) { writes_left_ = count; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t reads_ = 0;
  int writes_left_ = -1;
};

std::string tool(const char* name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return name;
}

// Deterministic file content.
std::string pattern(uint32_t seed, size_t size) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

int run(const std::string& command, std::string* output = nullptr) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, n);
  int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_host_file(const std::string& path, const std::string& content) {
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(fwrite(content.data(), 1, content.size(), f), content.size());
  fclose(f);
}

std::string read_host_file(const std::string& path) {
  std::string text;
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0) text.append(buffer, n);
  fclose(f);
  return text;
}

// A new directory under $TMPDIR (or /tmp).
std::string make_temp_dir(const char* prefix) {
  const char* base = getenv("TMPDIR");
  std::string path =
      std::string(base != nullptr && base[0] != '\0' ? base : "/tmp") + "/" + prefix + ".XXXXXX";
  if (mkdtemp(path.data()) == nullptr) return "";
  return path;
}

struct ImageKind {
  const char* name;
  uint32_t block_size;
  const char* size;
  const char* extra;  // more mke2fs options
};

const ImageKind kImageKinds[] = {
    {"b1k", 1024, "8M", ""},      {"b1k_groups", 1024, "8M", "-g 1024"},
    {"b4k", 4096, "16M", ""},     {"b4k_groups", 4096, "32M", "-g 1024 -I 128"},
    {"rev0", 1024, "8M", "-r 0"},
};

// The content mke2fs puts on every image.
const size_t kMediumSize = 20 * 1024 + 17;   // past the 12 direct blocks at 1 KiB
const size_t kLargeSize = 300 * 1024 + 123;  // into double-indirect blocks at 1 KiB
const char kHello[] = "Hello, ext2!\n";
// Over 60 bytes: a slow symlink, with its target in a data block.
const char kLongTarget[] = "./dir/sub/../.././dir/sub/../../dir/./sub/../../././././././hello.txt";

class Ext2Test : public ::testing::TestWithParam<ImageKind> {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ext2_test");
    ASSERT_FALSE(dir_.empty());
    std::string tree = dir_ + "/tree";
    ASSERT_EQ(::mkdir(tree.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((tree + "/dir").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((tree + "/dir/sub").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((tree + "/emptydir").c_str(), 0755), 0);
    write_host_file(tree + "/hello.txt", kHello);
    write_host_file(tree + "/empty", "");
    write_host_file(tree + "/medium.bin", pattern(1, kMediumSize));
    write_host_file(tree + "/large.bin", pattern(2, kLargeSize));
    write_host_file(tree + "/dir/sub/nested.txt", "nested\n");
    ASSERT_EQ(::symlink("hello.txt", (tree + "/link").c_str()), 0);
    ASSERT_EQ(::symlink(kLongTarget, (tree + "/longlink").c_str()), 0);
    image_ = dir_ + "/image";
    make_image(image_, GetParam());
  }

  void TearDown() override {
    if (fs_ != nullptr) Ext2::unmount(fs_);
    fs_ = nullptr;
    device_.reset();
    if (!dir_.empty() && !HasFailure()) run("rm -rf '" + dir_ + "'");
  }

  void make_image(const std::string& path, const ImageKind& kind) {
    std::string out;
    std::string command = tool("mke2fs") + " -q -F -t ext2 -b " + std::to_string(kind.block_size) +
                          " " + kind.extra + " -d '" + dir_ + "/tree' '" + path + "' " + kind.size;
    ASSERT_EQ(run(command, &out), 0) << command << "\n" << out;
  }

  void mount() {
    ASSERT_EQ(fs_, nullptr);
    device_ = std::make_unique<FileBlockDevice>(image_);
    ASSERT_TRUE(device_->ok());
    const char* reason = nullptr;
    ASSERT_EQ(Ext2::mount(device_.get(), &fs_, &reason), 0) << reason;
    fs_->set_time(static_cast<uint32_t>(time(nullptr)));
  }

  void unmount() {
    ASSERT_NE(fs_, nullptr);
    EXPECT_EQ(Ext2::unmount(fs_), 0);
    fs_ = nullptr;
    device_.reset();
  }

  void remount() {
    unmount();
    mount();
  }

  // Syncs, then e2fsck -fn must find nothing to fix.
  void expect_clean() {
    ASSERT_NE(fs_, nullptr);
    ASSERT_EQ(fs_->sync(), 0);
    std::string out;
    int status = run(tool("e2fsck") + " -fn '" + image_ + "'", &out);
    EXPECT_EQ(status, 0) << out;
    // Some problems (the superblock's free counts) leave the exit status 0
    // under -n: no question may be asked at all.
    EXPECT_EQ(out.find("Fix?"), std::string::npos) << out;
    EXPECT_EQ(out.find("?"), std::string::npos) << out;
    // And the superblock says what the library counts.
    run(tool("dumpe2fs") + " -h '" + image_ + "'", &out);
    EXPECT_NE(out.find("Free blocks:              " + std::to_string(fs_->free_blocks()) + "\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Free inodes:              " + std::to_string(fs_->free_inodes()) + "\n"),
              std::string::npos)
        << out;
  }

  std::string debugfs_cat(const std::string& path) {
    std::string out;
    std::string dump = dir_ + "/dump";
    unlink(dump.c_str());
    run(tool("debugfs") + " -R 'dump " + path + " " + dump + "' '" + image_ + "'", &out);
    return read_host_file(dump);
  }

  uint32_t resolve(const std::string& path, int* error = nullptr) {
    uint32_t ino = 0;
    int r = fs_->resolve(path.data(), path.size(), &ino);
    if (error != nullptr) *error = r;
    return r < 0 ? 0 : ino;
  }

  std::string read_all(uint32_t ino) {
    ext2::Stat st;
    EXPECT_EQ(fs_->stat(ino, &st), 0);
    std::string content(st.size, '\0');
    int r = fs_->read(ino, 0, content.data(), content.size());
    EXPECT_EQ(r, static_cast<int>(st.size));
    return content;
  }

  uint32_t create(uint32_t dir, const std::string& name, const std::string& content = "") {
    uint32_t ino = 0;
    EXPECT_EQ(fs_->create(dir, name.data(), name.size(), 0644, &ino), 0) << name;
    if (!content.empty()) {
      EXPECT_EQ(fs_->write(ino, 0, content.data(), content.size()),
                static_cast<int>(content.size()));
    }
    return ino;
  }

  uint32_t mkdir(uint32_t dir, const std::string& name) {
    uint32_t ino = 0;
    EXPECT_EQ(fs_->mkdir(dir, name.data(), name.size(), 0755, &ino), 0) << name;
    return ino;
  }

  std::map<std::string, uint32_t> list(uint32_t dir) {
    std::map<std::string, uint32_t> entries;
    uint64_t cookie = 0;
    ext2::DirEntry entry;
    int r;
    while ((r = fs_->readdir(dir, &cookie, &entry)) == 1) {
      EXPECT_EQ(strlen(entry.name), entry.name_length);
      EXPECT_EQ(entries.count(entry.name), 0u) << entry.name;
      entries[entry.name] = entry.ino;
    }
    EXPECT_EQ(r, 0);
    return entries;
  }

  uint16_t nlink(uint32_t ino) {
    ext2::Stat st;
    EXPECT_EQ(fs_->stat(ino, &st), 0);
    return st.nlink;
  }

  std::string dir_;
  std::string image_;
  std::unique_ptr<FileBlockDevice> device_;
  Ext2* fs_ = nullptr;
};

TEST_P(Ext2Test, ReadsWhatMke2fsWrote) {
  mount();
  EXPECT_EQ(fs_->block_size(), GetParam().block_size);
  EXPECT_FALSE(fs_->read_only());
  EXPECT_EQ(read_all(resolve("/hello.txt")), kHello);
  EXPECT_EQ(read_all(resolve("/empty")), "");
  EXPECT_EQ(read_all(resolve("/medium.bin")), pattern(1, kMediumSize));
  EXPECT_EQ(read_all(resolve("/large.bin")), pattern(2, kLargeSize));
  EXPECT_EQ(read_all(resolve("/dir/sub/nested.txt")), "nested\n");
  EXPECT_EQ(read_all(resolve("//dir/./sub/../sub//nested.txt")), "nested\n");
  EXPECT_EQ(resolve("/dir/sub/../.."), ext2::kRootIno);
  EXPECT_EQ(resolve("/.."), ext2::kRootIno);

  // Reads at odd offsets and past the end.
  uint32_t large = resolve("/large.bin");
  std::string expected = pattern(2, kLargeSize);
  char buffer[5000];
  EXPECT_EQ(fs_->read(large, 270 * 1024 - 3, buffer, sizeof(buffer)), 5000);
  EXPECT_EQ(memcmp(buffer, expected.data() + 270 * 1024 - 3, 5000), 0);
  EXPECT_EQ(fs_->read(large, kLargeSize - 10, buffer, sizeof(buffer)), 10);
  EXPECT_EQ(fs_->read(large, kLargeSize, buffer, sizeof(buffer)), 0);
  EXPECT_EQ(fs_->read(large, 1ull << 40, buffer, sizeof(buffer)), 0);

  ext2::Stat st;
  ASSERT_EQ(fs_->stat(resolve("/dir"), &st), 0);
  EXPECT_EQ(st.mode & ext2::kModeTypeMask, ext2::kModeDirectory);
  EXPECT_EQ(st.nlink, 3);  // ".", "dir" and sub's ".."
  ASSERT_EQ(fs_->stat(resolve("/medium.bin"), &st), 0);
  EXPECT_EQ(st.mode, ext2::kModeRegular | 0644);
  EXPECT_EQ(st.size, kMediumSize);
  EXPECT_GE(st.blocks * 512, kMediumSize);

  auto root = list(ext2::kRootIno);
  for (const char* name : {".", "..", "hello.txt", "empty", "medium.bin", "large.bin", "dir",
                           "emptydir", "link", "longlink", "lost+found"}) {
    EXPECT_EQ(root.count(name), 1u) << name;
  }
  EXPECT_EQ(root["."], ext2::kRootIno);
  EXPECT_EQ(root[".."], ext2::kRootIno);

  // Symlinks: fast (in the inode) and slow (in a block).
  char target[256];
  int n = fs_->readlink(resolve("/link", nullptr), target, sizeof(target));
  EXPECT_EQ(n, -EINVAL);  // resolve followed it: that is hello.txt
  uint32_t link;
  ASSERT_EQ(fs_->resolve("/link", 5, &link, false), 0);
  n = fs_->readlink(link, target, sizeof(target));
  ASSERT_EQ(n, 9);
  EXPECT_EQ(std::string(target, n), "hello.txt");
  ASSERT_EQ(fs_->resolve("/longlink", 9, &link, false), 0);
  n = fs_->readlink(link, target, sizeof(target));
  EXPECT_EQ(std::string(target, n > 0 ? n : 0), kLongTarget);
  EXPECT_EQ(resolve("/longlink"), resolve("/hello.txt"));
  EXPECT_EQ(resolve("/link"), resolve("/hello.txt"));
  expect_clean();
}

TEST_P(Ext2Test, CreateWriteAppendTruncate) {
  mount();
  uint64_t free_blocks = fs_->free_blocks();
  uint32_t free_inodes = fs_->free_inodes();
  uint32_t dir = resolve("/dir");
  uint32_t ino = create(dir, "new.txt", "first line\n");
  EXPECT_EQ(fs_->free_inodes(), free_inodes - 1);
  EXPECT_EQ(resolve("/dir/new.txt"), ino);
  std::string more = "second line\n";
  EXPECT_EQ(fs_->write(ino, 11, more.data(), more.size()), static_cast<int>(more.size()));
  EXPECT_EQ(read_all(ino), "first line\nsecond line\n");
  // Overwrite in the middle.
  EXPECT_EQ(fs_->write(ino, 0, "FIRST", 5), 5);
  EXPECT_EQ(read_all(ino), "FIRST line\nsecond line\n");

  // Shrink, then grow again: the cut part reads as zeros.
  EXPECT_EQ(fs_->truncate(ino, 5), 0);
  EXPECT_EQ(read_all(ino), "FIRST");
  EXPECT_EQ(fs_->truncate(ino, 12), 0);
  EXPECT_EQ(read_all(ino), std::string("FIRST") + std::string(7, '\0'));
  // Writing past the end leaves zeros in between.
  EXPECT_EQ(fs_->write(ino, 20, "x", 1), 1);
  EXPECT_EQ(read_all(ino), std::string("FIRST") + std::string(15, '\0') + "x");

  // A file of many blocks, then truncated into the middle of them.
  std::string big = pattern(7, 100 * 1024 + 5);
  uint32_t big_ino = create(ext2::kRootIno, "big", big);
  EXPECT_EQ(read_all(big_ino), big);
  EXPECT_EQ(fs_->truncate(big_ino, 50 * 1024 + 3), 0);
  EXPECT_EQ(read_all(big_ino), big.substr(0, 50 * 1024 + 3));
  expect_clean();

  EXPECT_EQ(fs_->truncate(big_ino, 0), 0);
  ext2::Stat st;
  ASSERT_EQ(fs_->stat(big_ino, &st), 0);
  EXPECT_EQ(st.size, 0u);
  EXPECT_EQ(st.blocks, 0u);
  EXPECT_EQ(fs_->unlink(ext2::kRootIno, "big", 3), 0);
  EXPECT_EQ(fs_->unlink(dir, "new.txt", 7), 0);
  EXPECT_EQ(fs_->free_inodes(), free_inodes);
  EXPECT_EQ(fs_->free_blocks(), free_blocks);
  expect_clean();

  uint32_t kept = create(ext2::kRootIno, "kept.txt", "persisted data\n");
  expect_clean();
  remount();
  EXPECT_EQ(resolve("/kept.txt"), kept);
  EXPECT_EQ(read_all(kept), "persisted data\n");
  EXPECT_EQ(debugfs_cat("/kept.txt"), "persisted data\n");
}

TEST_P(Ext2Test, ErrorPaths) {
  mount();
  uint32_t ino;
  uint32_t root = ext2::kRootIno;
  EXPECT_EQ(fs_->create(root, "hello.txt", 9, 0644, &ino), -EEXIST);
  EXPECT_EQ(fs_->mkdir(root, "dir", 3, 0755, &ino), -EEXIST);
  EXPECT_EQ(fs_->lookup(root, "missing", 7, &ino), -ENOENT);
  EXPECT_EQ(fs_->unlink(root, "missing", 7), -ENOENT);
  EXPECT_EQ(fs_->rmdir(root, "missing", 7), -ENOENT);
  EXPECT_EQ(fs_->rename(root, "missing", 7, root, "other", 5), -ENOENT);
  std::string long_name(256, 'n');
  EXPECT_EQ(fs_->create(root, long_name.data(), long_name.size(), 0644, &ino), -ENAMETOOLONG);
  EXPECT_EQ(fs_->lookup(root, long_name.data(), long_name.size(), &ino), -ENAMETOOLONG);
  std::string max_name(255, 'm');
  EXPECT_EQ(fs_->create(root, max_name.data(), max_name.size(), 0644, &ino), 0);
  EXPECT_EQ(resolve("/" + max_name), ino);
  EXPECT_EQ(fs_->create(root, "a/b", 3, 0644, &ino), -EINVAL);
  EXPECT_EQ(fs_->create(root, "", 0, 0644, &ino), -ENOENT);

  EXPECT_EQ(fs_->rmdir(root, "dir", 3), -ENOTEMPTY);
  EXPECT_EQ(fs_->rmdir(root, "hello.txt", 9), -ENOTDIR);
  EXPECT_EQ(fs_->rmdir(root, ".", 1), -EINVAL);
  EXPECT_EQ(fs_->rmdir(root, "..", 2), -ENOTEMPTY);
  EXPECT_EQ(fs_->unlink(root, "dir", 3), -EISDIR);
  EXPECT_EQ(fs_->unlink(root, ".", 1), -EISDIR);

  uint32_t file = resolve("/hello.txt");
  int error;
  resolve("/hello.txt/x", &error);
  EXPECT_EQ(error, -ENOTDIR);
  resolve("/hello.txt/", &error);
  EXPECT_EQ(error, -ENOTDIR);
  resolve("/dir/missing/x", &error);
  EXPECT_EQ(error, -ENOENT);
  EXPECT_EQ(fs_->create(file, "x", 1, 0644, &ino), -ENOTDIR);
  EXPECT_EQ(fs_->lookup(file, "x", 1, &ino), -ENOTDIR);
  EXPECT_EQ(fs_->readdir(file, nullptr, nullptr), -ENOTDIR);

  char buffer[16];
  uint32_t dir = resolve("/dir");
  EXPECT_EQ(fs_->read(dir, 0, buffer, sizeof(buffer)), -EISDIR);
  EXPECT_EQ(fs_->write(dir, 0, buffer, sizeof(buffer)), -EISDIR);
  EXPECT_EQ(fs_->truncate(dir, 0), -EISDIR);
  EXPECT_EQ(fs_->readlink(file, buffer, sizeof(buffer)), -EINVAL);

  // Bad inode numbers: 0, reserved, past the end, free.
  ext2::Stat st;
  EXPECT_EQ(fs_->stat(0, &st), -EINVAL);
  EXPECT_EQ(fs_->stat(7, &st), -EINVAL);
  EXPECT_EQ(fs_->stat(0xffffffff, &st), -EINVAL);
  EXPECT_EQ(fs_->stat(100, &st), -ENOENT);  // not in use
  EXPECT_EQ(fs_->write(7, 0, "x", 1), -EINVAL);

  // Directories cannot move into themselves.
  uint32_t sub = resolve("/dir/sub");
  EXPECT_EQ(fs_->rename(root, "dir", 3, sub, "dir", 3), -EINVAL);
  EXPECT_EQ(fs_->rename(root, "dir", 3, dir, "again", 5), -EINVAL);
  EXPECT_EQ(fs_->rename(root, "dir", 3, root, "hello.txt", 9), -ENOTDIR);
  EXPECT_EQ(fs_->rename(root, "hello.txt", 9, root, "dir", 3), -EISDIR);
  EXPECT_EQ(fs_->rename(root, "emptydir", 8, root, "dir", 3), -ENOTEMPTY);
  EXPECT_EQ(fs_->rename(root, "hello.txt", 9, root, long_name.data(), long_name.size()),
            -ENAMETOOLONG);
  EXPECT_EQ(fs_->rename(root, ".", 1, root, "x", 1), -EINVAL);
  expect_clean();
}

TEST_P(Ext2Test, MkdirRmdirAndManyEntries) {
  mount();
  uint64_t free_blocks = fs_->free_blocks();
  uint32_t free_inodes = fs_->free_inodes();
  uint32_t root = ext2::kRootIno;
  uint16_t root_links = nlink(root);
  uint32_t a = mkdir(root, "a");
  EXPECT_EQ(nlink(root), root_links + 1);
  EXPECT_EQ(nlink(a), 2);
  uint32_t b = mkdir(a, "b");
  EXPECT_EQ(nlink(a), 3);
  auto entries = list(b);
  EXPECT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries["."], b);
  EXPECT_EQ(entries[".."], a);
  EXPECT_EQ(resolve("/a/b/.."), a);

  // Enough entries for several directory blocks, and long names.
  std::map<std::string, uint32_t> made;
  for (int i = 0; i < 300; i++) {
    std::string name = "entry_" + std::to_string(i) + std::string(i % 60, 'x');
    made[name] = create(b, name, i % 7 == 0 ? pattern(i, 3000) : "");
  }
  uint32_t c = mkdir(b, "c");
  made["c"] = c;
  EXPECT_EQ(nlink(b), 3);
  ext2::Stat st;
  ASSERT_EQ(fs_->stat(b, &st), 0);
  EXPECT_GT(st.size, GetParam().block_size);
  made["."] = b;
  made[".."] = a;
  EXPECT_EQ(list(b), made);
  expect_clean();

  // Remove every other one: the entries merge; readdir sees the rest.
  int i = 0;
  for (auto it = made.begin(); it != made.end();) {
    if (it->first[0] == 'e' && i++ % 2 == 0) {
      EXPECT_EQ(fs_->unlink(b, it->first.data(), it->first.size()), 0);
      it = made.erase(it);
    } else {
      ++it;
    }
  }
  EXPECT_EQ(list(b), made);
  // Reuse the freed space.
  for (int j = 0; j < 50; j++)
    made["again" + std::to_string(j)] = create(b, "again" + std::to_string(j));
  EXPECT_EQ(list(b), made);
  expect_clean();

  EXPECT_EQ(fs_->rmdir(a, "b", 1), -ENOTEMPTY);
  for (auto& [name, ino] : made) {
    if (name == "." || name == "..") continue;
    if (name == "c") {
      EXPECT_EQ(fs_->rmdir(b, name.data(), name.size()), 0);
    } else {
      EXPECT_EQ(fs_->unlink(b, name.data(), name.size()), 0) << name;
    }
  }
  EXPECT_EQ(nlink(b), 2);
  EXPECT_EQ(fs_->rmdir(a, "b", 1), 0);
  EXPECT_EQ(nlink(a), 2);
  EXPECT_EQ(fs_->rmdir(root, "a", 1), 0);
  EXPECT_EQ(nlink(root), root_links);
  EXPECT_EQ(fs_->free_inodes(), free_inodes);
  EXPECT_EQ(fs_->free_blocks(), free_blocks);
  expect_clean();
  // mke2fs's empty directory goes too.
  EXPECT_EQ(fs_->rmdir(root, "emptydir", 8), 0);
  expect_clean();
}

TEST_P(Ext2Test, Rename) {
  mount();
  uint32_t root = ext2::kRootIno;
  uint32_t dir = resolve("/dir");
  uint32_t sub = resolve("/dir/sub");
  uint32_t free_inodes = fs_->free_inodes();

  // Within a directory, then across.
  uint32_t hello = resolve("/hello.txt");
  EXPECT_EQ(fs_->rename(root, "hello.txt", 9, root, "hi.txt", 6), 0);
  EXPECT_EQ(resolve("/hi.txt"), hello);
  int error;
  resolve("/hello.txt", &error);
  EXPECT_EQ(error, -ENOENT);
  EXPECT_EQ(fs_->rename(root, "hi.txt", 6, sub, "hi.txt", 6), 0);
  EXPECT_EQ(read_all(resolve("/dir/sub/hi.txt")), kHello);
  // Onto itself: nothing happens.
  EXPECT_EQ(fs_->rename(sub, "hi.txt", 6, sub, "hi.txt", 6), 0);
  EXPECT_EQ(resolve("/dir/sub/hi.txt"), hello);

  // Replacing a file frees the old one.
  uint32_t medium = resolve("/medium.bin");
  EXPECT_EQ(fs_->rename(root, "medium.bin", 10, sub, "hi.txt", 6), 0);
  EXPECT_EQ(resolve("/dir/sub/hi.txt"), medium);
  EXPECT_EQ(read_all(medium), pattern(1, kMediumSize));
  EXPECT_EQ(fs_->free_inodes(), free_inodes + 1);
  ext2::Stat st;
  EXPECT_EQ(fs_->stat(hello, &st), -ENOENT);
  expect_clean();

  // A directory to another parent: its ".." and both link counts follow.
  uint16_t root_links = nlink(root);
  uint16_t dir_links = nlink(dir);
  EXPECT_EQ(fs_->rename(dir, "sub", 3, root, "moved", 5), 0);
  EXPECT_EQ(resolve("/moved"), sub);
  EXPECT_EQ(resolve("/moved/.."), root);
  EXPECT_EQ(nlink(root), root_links + 1);
  EXPECT_EQ(nlink(dir), dir_links - 1);
  EXPECT_EQ(read_all(resolve("/moved/nested.txt")), "nested\n");
  expect_clean();

  // A directory over an empty directory.
  uint32_t emptydir = resolve("/emptydir");
  EXPECT_EQ(fs_->rename(root, "moved", 5, dir, "target", 6), 0);
  EXPECT_EQ(fs_->rename(dir, "target", 6, root, "emptydir", 8), 0);
  EXPECT_EQ(resolve("/emptydir"), sub);
  EXPECT_EQ(fs_->stat(emptydir, &st), -ENOENT);
  EXPECT_EQ(nlink(root), root_links);
  EXPECT_EQ(nlink(dir), dir_links - 1);
  expect_clean();
  // Within the same directory, a directory over an empty one.
  mkdir(root, "e1");
  uint32_t e2 = mkdir(root, "e2");
  EXPECT_EQ(fs_->rename(root, "e2", 2, root, "e1", 2), 0);
  EXPECT_EQ(resolve("/e1"), e2);
  EXPECT_EQ(nlink(root), root_links + 1);
  expect_clean();

  remount();
  EXPECT_EQ(read_all(resolve("/emptydir/nested.txt")), "nested\n");
  EXPECT_EQ(debugfs_cat("/emptydir/nested.txt"), "nested\n");
  EXPECT_EQ(debugfs_cat("/emptydir/hi.txt"), pattern(1, kMediumSize));
}

TEST_P(Ext2Test, LargeAndSparseFiles) {
  mount();
  uint64_t free_blocks = fs_->free_blocks();
  uint32_t bs = GetParam().block_size;
  uint64_t p = bs / 4;
  // Across the direct, single and into the double-indirect range.
  std::string data = pattern(11, (12 + p + 5) * bs + 77);
  uint32_t ino = create(ext2::kRootIno, "large", data);
  EXPECT_EQ(read_all(ino), data);
  expect_clean();

  // Sparse: one byte in the triple-indirect range (1 KiB blocks; a
  // double-indirect one with 4 KiB blocks), holes read as zeros.
  uint32_t sparse = create(ext2::kRootIno, "sparse");
  uint64_t far = (12 + p + p * p + 3) * static_cast<uint64_t>(bs) + 9;
  if (far > (1ull << 31) - 16) far = (1ull << 31) - 16;  // revision 0 caps at 2 GiB
  EXPECT_EQ(fs_->write(sparse, far, "Z", 1), 1);
  EXPECT_EQ(fs_->write(sparse, 5000, "middle", 6), 6);
  ext2::Stat st;
  ASSERT_EQ(fs_->stat(sparse, &st), 0);
  EXPECT_EQ(st.size, far + 1);
  EXPECT_LT(st.blocks * 512, 16ull * bs);
  char buffer[64];
  EXPECT_EQ(fs_->read(sparse, far - 10, buffer, sizeof(buffer)), 11);
  EXPECT_EQ(std::string(buffer, 11), std::string(10, '\0') + "Z");
  EXPECT_EQ(fs_->read(sparse, 4990, buffer, 20), 20);
  EXPECT_EQ(std::string(buffer, 20), std::string(10, '\0') + "middle" + std::string(4, '\0'));
  EXPECT_EQ(fs_->read(sparse, far / 2, buffer, sizeof(buffer)), 64);
  EXPECT_EQ(std::string(buffer, 64), std::string(64, '\0'));
  expect_clean();

  // Past the largest file.
  EXPECT_EQ(fs_->write(sparse, 1ull << 50, "x", 1), -EFBIG);
  EXPECT_EQ(fs_->truncate(sparse, 1ull << 50), -EFBIG);

  // Truncating frees the indirect blocks too.
  EXPECT_EQ(fs_->truncate(sparse, 6000), 0);
  ASSERT_EQ(fs_->stat(sparse, &st), 0);
  EXPECT_EQ(st.blocks, bs / 512);
  EXPECT_EQ(fs_->truncate(ino, 13 * bs), 0);
  EXPECT_EQ(read_all(ino), data.substr(0, 13 * bs));
  expect_clean();
  EXPECT_EQ(fs_->unlink(ext2::kRootIno, "sparse", 6), 0);
  EXPECT_EQ(fs_->unlink(ext2::kRootIno, "large", 5), 0);
  EXPECT_EQ(fs_->free_blocks(), free_blocks);
  // mke2fs's own large file, freed.
  EXPECT_EQ(fs_->unlink(ext2::kRootIno, "large.bin", 9), 0);
  expect_clean();
}

TEST_P(Ext2Test, FillingTheDisk) {
  mount();
  uint64_t free_blocks = fs_->free_blocks();
  uint32_t ino = create(ext2::kRootIno, "filler");
  std::string chunk = pattern(5, 64 * 1024 + 3);
  uint64_t offset = 0;
  int r;
  while ((r = fs_->write(ino, offset, chunk.data(), chunk.size())) ==
         static_cast<int>(chunk.size())) {
    offset += chunk.size();
  }
  // The last write was short or failed with -ENOSPC.
  if (r > 0) {
    offset += r;
    EXPECT_EQ(fs_->write(ino, offset, chunk.data(), chunk.size()), -ENOSPC);
  } else {
    EXPECT_EQ(r, -ENOSPC);
  }
  EXPECT_EQ(fs_->free_blocks(), 0u);
  ext2::Stat st;
  ASSERT_EQ(fs_->stat(ino, &st), 0);
  EXPECT_EQ(st.size, offset);
  // A directory needing a new block cannot grow; creating one still works
  // while its block has room. Either way the image stays consistent.
  uint32_t other;
  EXPECT_EQ(fs_->mkdir(ext2::kRootIno, "nodir", 5, 0755, &other), -ENOSPC);
  expect_clean();
  // The data written is there.
  std::string check(chunk.size(), '\0');
  EXPECT_EQ(fs_->read(ino, 0, check.data(), check.size()), static_cast<int>(check.size()));
  EXPECT_EQ(check, chunk);

  EXPECT_EQ(fs_->unlink(ext2::kRootIno, "filler", 6), 0);
  EXPECT_EQ(fs_->free_blocks(), free_blocks);
  expect_clean();

  // Inodes run out too.
  uint32_t dir = mkdir(ext2::kRootIno, "many");
  int made = 0;
  uint32_t unused;
  while (true) {
    std::string name = "f" + std::to_string(made);
    r = fs_->create(dir, name.data(), name.size(), 0644, &unused);
    if (r < 0) break;
    made++;
  }
  EXPECT_EQ(r, -ENOSPC);
  EXPECT_GT(made, 100);
  expect_clean();
}

TEST_P(Ext2Test, Symlinks) {
  mount();
  uint32_t root = ext2::kRootIno;
  uint32_t ino;
  ASSERT_EQ(fs_->symlink(root, "fast", 4, "dir/sub", 7, &ino), 0);
  std::string slow_target = "/dir/" + std::string(100, '.') + "/../sub";
  // Not a valid path (100 dots is one name), so point a second link right.
  ASSERT_EQ(fs_->symlink(root, "slow", 4, slow_target.data(), slow_target.size(), &ino), 0);
  char buffer[256];
  EXPECT_EQ(fs_->readlink(ino, buffer, sizeof(buffer)), static_cast<int>(slow_target.size()));
  EXPECT_EQ(std::string(buffer, slow_target.size()), slow_target);
  EXPECT_EQ(fs_->readlink(ino, buffer, 3), 3);  // cut, as POSIX readlink
  std::string good_slow = "/dir/./././././././././././././././././././././././././././././sub";
  ASSERT_GT(good_slow.size(), 60u);
  ASSERT_EQ(fs_->symlink(root, "slow2", 5, good_slow.data(), good_slow.size(), &ino), 0);

  uint32_t sub = resolve("/dir/sub");
  EXPECT_EQ(resolve("/fast"), sub);
  EXPECT_EQ(resolve("/fast/nested.txt"), resolve("/dir/sub/nested.txt"));
  EXPECT_EQ(resolve("/slow2/nested.txt"), resolve("/dir/sub/nested.txt"));
  int error;
  resolve("/slow/nested.txt", &error);
  EXPECT_EQ(error, -ENOENT);

  // Loops.
  ASSERT_EQ(fs_->symlink(root, "loop1", 5, "loop2", 5, &ino), 0);
  ASSERT_EQ(fs_->symlink(root, "loop2", 5, "/loop1", 6, &ino), 0);
  resolve("/loop1", &error);
  EXPECT_EQ(error, -ELOOP);
  uint32_t link;
  EXPECT_EQ(fs_->resolve("/loop1", 6, &link, false), 0);
  // Relative to the link's directory.
  ASSERT_EQ(fs_->symlink(sub, "up", 2, "../../hello.txt", 15, &ino), 0);
  EXPECT_EQ(resolve("/dir/sub/up"), resolve("/hello.txt"));
  std::string too_long(GetParam().block_size, 'l');
  EXPECT_EQ(fs_->symlink(root, "big", 3, too_long.data(), too_long.size(), &ino), -ENAMETOOLONG);
  EXPECT_EQ(fs_->symlink(root, "nothing", 7, "", 0, &ino), -ENOENT);
  expect_clean();

  EXPECT_EQ(fs_->unlink(root, "slow", 4), 0);
  EXPECT_EQ(fs_->unlink(root, "fast", 4), 0);
  EXPECT_EQ(fs_->unlink(root, "longlink", 8), 0);
  expect_clean();
  std::string out;
  run(tool("debugfs") + " -R 'stat /slow2' '" + image_ + "'", &out);
  EXPECT_NE(out.find("Type: symlink"), std::string::npos) << out;
}

TEST_P(Ext2Test, HardLinks) {
  mount();
  uint32_t root = ext2::kRootIno;
  uint32_t dir = resolve("/dir");
  uint32_t hello = resolve("/hello.txt");
  uint32_t free_inodes = fs_->free_inodes();
  EXPECT_EQ(fs_->link(hello, dir, "again", 5), 0);
  EXPECT_EQ(nlink(hello), 2);
  EXPECT_EQ(resolve("/dir/again"), hello);
  EXPECT_EQ(fs_->link(hello, dir, "again", 5), -EEXIST);
  EXPECT_EQ(fs_->link(dir, root, "dirlink", 7), -EPERM);
  expect_clean();
  // Renaming one link onto the other is a no-op.
  EXPECT_EQ(fs_->rename(root, "hello.txt", 9, dir, "again", 5), 0);
  EXPECT_EQ(nlink(hello), 2);
  EXPECT_EQ(fs_->unlink(root, "hello.txt", 9), 0);
  EXPECT_EQ(nlink(hello), 1);
  EXPECT_EQ(fs_->free_inodes(), free_inodes);
  EXPECT_EQ(read_all(resolve("/dir/again")), kHello);
  expect_clean();
  EXPECT_EQ(fs_->unlink(dir, "again", 5), 0);
  EXPECT_EQ(fs_->free_inodes(), free_inodes + 1);
  expect_clean();
}

// lookup with the entry's type, where the file system records it.
TEST_P(Ext2Test, LookupTypes) {
  mount();
  bool recorded = GetParam().extra != std::string("-r 0");  // no filetype on revision 0
  auto type_of = [&](const char* name) {
    uint32_t ino = 0;
    ext2::FileType type = ext2::FileType::kFifo;
    EXPECT_EQ(fs_->lookup(ext2::kRootIno, name, strlen(name), &ino, &type), 0) << name;
    EXPECT_NE(ino, 0u);
    return type;
  };
  auto expect = [&](ext2::FileType t) { return recorded ? t : ext2::FileType::kUnknown; };
  EXPECT_EQ(type_of("hello.txt"), expect(ext2::FileType::kRegular));
  EXPECT_EQ(type_of("dir"), expect(ext2::FileType::kDirectory));
  EXPECT_EQ(type_of("link"), expect(ext2::FileType::kSymlink));
  uint32_t ino;
  ext2::FileType type;
  EXPECT_EQ(fs_->lookup(ext2::kRootIno, "nothing", 7, &ino, &type), -ENOENT);
  uint32_t made = create(ext2::kRootIno, "made");
  EXPECT_EQ(fs_->lookup(ext2::kRootIno, "made", 4, &ino, &type), 0);
  EXPECT_EQ(ino, made);
  EXPECT_EQ(type, expect(ext2::FileType::kRegular));
}

// A file unlinked while open keeps its data until the last close; the disk
// is clean for e2fsck all along; a second link, rename over it and the
// leftovers of a crash (remount while it was parked) behave.
TEST_P(Ext2Test, UnlinkWhileOpen) {
  mount();
  uint32_t root = ext2::kRootIno;
  uint32_t free_inodes = fs_->free_inodes();
  uint64_t free_blocks = fs_->free_blocks();
  uint32_t medium = resolve("/medium.bin");
  EXPECT_EQ(fs_->open(medium), 0);
  EXPECT_EQ(fs_->open(medium), 0);  // a second opener
  EXPECT_EQ(fs_->unlink(root, "medium.bin", 10), 0);
  EXPECT_EQ(resolve("/medium.bin"), 0u);
  EXPECT_EQ(nlink(medium), 0);
  EXPECT_EQ(fs_->unlinked_open(), 1u);
  EXPECT_EQ(read_all(medium), pattern(1, kMediumSize));
  // Still writable, and nothing was freed.
  EXPECT_EQ(fs_->write(medium, 0, "X", 1), 1);
  EXPECT_EQ(fs_->free_inodes(), free_inodes - 1);  // the waiting directory
  expect_clean();
  EXPECT_EQ(fs_->close(medium), 0);
  EXPECT_EQ(nlink(medium), 0);       // one opener left
  EXPECT_EQ(fs_->close(medium), 0);  // the last close frees it
  EXPECT_EQ(fs_->close(medium), -EINVAL);
  EXPECT_EQ(fs_->unlinked_open(), 0u);
  ext2::Stat st;
  EXPECT_EQ(fs_->stat(medium, &st), -ENOENT);
  EXPECT_EQ(fs_->free_inodes(), free_inodes + 1);
  EXPECT_GT(fs_->free_blocks(), free_blocks);
  uint32_t ignored;
  EXPECT_EQ(fs_->lookup(root, ext2::kUnlinkedDir, strlen(ext2::kUnlinkedDir), &ignored), -ENOENT);
  expect_clean();

  // With another link, unlink is an ordinary one; once the last link goes,
  // the file waits for its close.
  uint32_t dir = resolve("/dir");
  uint32_t hello = resolve("/hello.txt");
  EXPECT_EQ(fs_->link(hello, dir, "again", 5), 0);
  EXPECT_EQ(fs_->open(hello), 0);
  EXPECT_EQ(fs_->unlink(root, "hello.txt", 9), 0);
  EXPECT_EQ(fs_->unlinked_open(), 0u);
  EXPECT_EQ(nlink(hello), 1);
  EXPECT_EQ(fs_->unlink(dir, "again", 5), 0);
  EXPECT_EQ(fs_->unlinked_open(), 1u);
  EXPECT_EQ(read_all(hello), kHello);
  expect_clean();
  EXPECT_EQ(fs_->close(hello), 0);
  EXPECT_EQ(fs_->stat(hello, &st), -ENOENT);
  expect_clean();

  // Rename over an open file: the replaced one waits.
  uint32_t large = resolve("/large.bin");
  uint32_t empty = resolve("/empty");
  EXPECT_EQ(fs_->open(large), 0);
  EXPECT_EQ(fs_->rename(root, "empty", 5, root, "large.bin", 9), 0);
  EXPECT_EQ(resolve("/large.bin"), empty);
  EXPECT_EQ(read_all(large), pattern(2, kLargeSize));
  expect_clean();

  // A crash while it waits: the next mount frees it.
  unmount();
  {
    std::string out;
    EXPECT_EQ(run(tool("e2fsck") + " -fn '" + image_ + "'", &out), 0) << out;
  }
  uint32_t after_crash_free = 0;
  mount();
  EXPECT_EQ(fs_->stat(large, &st), -ENOENT);
  EXPECT_EQ(fs_->lookup(root, ext2::kUnlinkedDir, strlen(ext2::kUnlinkedDir), &ignored), -ENOENT);
  after_crash_free = fs_->free_inodes();
  EXPECT_EQ(after_crash_free, free_inodes + 3);  // medium, hello, large
  expect_clean();
  // release_unlinked (at shut-down) frees what is still open.
  uint32_t nested = resolve("/dir/sub/nested.txt");
  uint32_t sub = resolve("/dir/sub");
  EXPECT_EQ(fs_->open(nested), 0);
  EXPECT_EQ(fs_->unlink(sub, "nested.txt", 10), 0);
  EXPECT_EQ(fs_->release_unlinked(), 0);
  EXPECT_EQ(fs_->stat(nested, &st), -ENOENT);
  EXPECT_EQ(fs_->open(0), -EINVAL);
  EXPECT_EQ(fs_->close(nested), -EINVAL);
  expect_clean();
}

// A directory that e2fsck -D turned into a hash-indexed (dir_index) one is
// read linearly, and changing it drops the index so that it stays valid.
TEST_P(Ext2Test, IndexedDirectory) {
  if (GetParam().extra == std::string("-r 0")) GTEST_SKIP() << "no dir_index on revision 0";
  mount();
  uint32_t dir = mkdir(ext2::kRootIno, "big");
  std::map<std::string, uint32_t> made;
  for (int i = 0; i < 400; i++) {
    std::string name = "indexed_entry_" + std::to_string(i);
    made[name] = create(dir, name);
  }
  unmount();
  std::string out;
  int status = run(tool("e2fsck") + " -fyD '" + image_ + "'", &out);
  ASSERT_TRUE(status == 0 || status == 1) << out;
  run(tool("debugfs") + " -R 'stat /big' '" + image_ + "'", &out);
  ASSERT_NE(out.find("Flags: 0x1000"), std::string::npos) << out;
  mount();
  for (auto& [name, ino] : made) EXPECT_EQ(resolve("/big/" + name), ino) << name;
  made["."] = dir;
  made[".."] = ext2::kRootIno;
  EXPECT_EQ(list(dir), made);
  made["added"] = create(dir, "added");
  EXPECT_EQ(fs_->unlink(dir, "indexed_entry_7", 15), 0);
  made.erase("indexed_entry_7");
  EXPECT_EQ(list(dir), made);
  expect_clean();
}

// Random operations against an in-memory model, then e2fsck and a
// comparison after remounting.
TEST_P(Ext2Test, RandomOperations) {
  mount();
  std::mt19937 random(1234);
  std::map<std::string, std::string> files;  // name in /r -> content
  uint32_t dir = mkdir(ext2::kRootIno, "r");
  uint32_t other = mkdir(ext2::kRootIno, "o");
  for (int step = 0; step < 600; step++) {
    std::string name = "f" + std::to_string(random() % 40);
    bool exists = files.count(name) != 0;
    uint32_t ino = 0;
    if (exists) ASSERT_EQ(fs_->lookup(dir, name.data(), name.size(), &ino), 0);
    switch (random() % 6) {
      case 0:
        if (!exists) {
          ASSERT_EQ(fs_->create(dir, name.data(), name.size(), 0600, &ino), 0);
          files[name] = "";
        }
        break;
      case 1:
      case 2:
        if (exists) {
          std::string& content = files[name];
          size_t offset = random() % (content.size() + 3000);
          std::string data = pattern(step, random() % 9000);
          ASSERT_EQ(fs_->write(ino, offset, data.data(), data.size()),
                    static_cast<int>(data.size()));
          if (content.size() < offset + data.size()) content.resize(offset + data.size());
          content.replace(offset, data.size(), data);
        }
        break;
      case 3:
        if (exists) {
          size_t size = random() % 20000;
          ASSERT_EQ(fs_->truncate(ino, size), 0);
          files[name].resize(size);
        }
        break;
      case 4:
        if (exists) {
          ASSERT_EQ(fs_->unlink(dir, name.data(), name.size()), 0);
          files.erase(name);
        }
        break;
      case 5:
        if (exists) {
          // Out to the other directory and back under a new name.
          std::string target = "f" + std::to_string(random() % 40);
          ASSERT_EQ(fs_->rename(dir, name.data(), name.size(), other, "t", 1), 0);
          ASSERT_EQ(fs_->rename(other, "t", 1, dir, target.data(), target.size()), 0);
          std::string content = files[name];
          files.erase(name);
          files[target] = content;
        }
        break;
    }
    if (step % 200 == 199) expect_clean();
  }
  expect_clean();
  remount();
  auto entries = list(dir);
  EXPECT_EQ(entries.size(), files.size() + 2);
  for (auto& [name, content] : files) {
    EXPECT_EQ(read_all(resolve("/r/" + name)), content) << name;
  }
  if (!files.empty()) {
    EXPECT_EQ(debugfs_cat("/r/" + files.begin()->first), files.begin()->second);
  }
}

// Write errors from the device: the operation fails, nothing crashes, and
// the library keeps working on a good device afterwards.
TEST_P(Ext2Test, DeviceWriteErrors) {
  mount();
  uint32_t ino = create(ext2::kRootIno, "victim", "abc");
  std::string data = pattern(3, 40 * 1024);
  for (int budget = 0; budget < 12; budget++) {
    device_->fail_writes_after(budget);
    int r = fs_->write(ino, 0, data.data(), data.size());
    EXPECT_TRUE(r < 0 || r <= static_cast<int>(data.size()));
    uint32_t unused;
    fs_->create(ext2::kRootIno, "x", 1, 0644, &unused);
    fs_->unlink(ext2::kRootIno, "x", 1);
  }
  device_->fail_writes_after(-1);
  EXPECT_EQ(fs_->write(ino, 0, data.data(), data.size()), static_cast<int>(data.size()));
  EXPECT_EQ(read_all(ino), data);
}

std::string kind_name(const ::testing::TestParamInfo<ImageKind>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Images, Ext2Test, ::testing::ValuesIn(kImageKinds), kind_name);

// ---- Corrupt images ----

class Ext2CorruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ext2_corrupt");
    ASSERT_FALSE(dir_.empty());
    std::string tree = dir_ + "/tree";
    ASSERT_EQ(::mkdir(tree.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((tree + "/dir").c_str(), 0755), 0);
    write_host_file(tree + "/file", pattern(9, 40 * 1024));
    write_host_file(tree + "/dir/small", "small\n");
    image_ = dir_ + "/image";
    std::string out;
    std::string command =
        tool("mke2fs") + " -q -F -t ext2 -b 1024 -d '" + tree + "' '" + image_ + "' 4M";
    ASSERT_EQ(run(command, &out), 0) << out;
    original_ = read_host_file(image_);
    ASSERT_EQ(original_.size(), 4u << 20);
  }
  void TearDown() override {
    if (!HasFailure()) run("rm -rf '" + dir_ + "'");
  }

  // Writes a copy of the image with `patch` applied and mounts it.
  int mount_patched(std::string image, Ext2** fs, const char** reason = nullptr) {
    write_host_file(image_, image);
    device_ = std::make_unique<FileBlockDevice>(image_);
    return Ext2::mount(device_.get(), fs, reason);
  }

  static uint32_t get32(const std::string& image, size_t offset) {
    uint32_t v;
    memcpy(&v, image.data() + offset, 4);
    return v;
  }
  static void put32(std::string& image, size_t offset, uint32_t v) {
    memcpy(image.data() + offset, &v, 4);
  }
  static void put16(std::string& image, size_t offset, uint16_t v) {
    memcpy(image.data() + offset, &v, 2);
  }

  // The byte offset of inode `ino` in a 1 KiB-block image.
  static size_t inode_offset(const std::string& image, uint32_t ino) {
    uint32_t per_group = get32(image, 1024 + 40);
    uint16_t inode_size;
    memcpy(&inode_size, image.data() + 1024 + 88, 2);
    uint32_t group = (ino - 1) / per_group;
    uint32_t table = get32(image, 2048 + group * 32 + 8);
    return static_cast<size_t>(table) * 1024 + ((ino - 1) % per_group) * inode_size;
  }

  uint32_t ino_of(const char* path) {
    Ext2* fs;
    EXPECT_EQ(mount_patched(original_, &fs), 0);
    uint32_t ino = 0;
    EXPECT_EQ(fs->resolve(path, strlen(path), &ino), 0);
    Ext2::unmount(fs);
    return ino;
  }

  std::string dir_;
  std::string image_;
  std::string original_;
  std::unique_ptr<FileBlockDevice> device_;
};

TEST_F(Ext2CorruptTest, BadSuperblocks) {
  Ext2* fs = nullptr;
  const char* reason = nullptr;
  ASSERT_EQ(mount_patched(original_, &fs, &reason), 0) << reason;
  Ext2::unmount(fs);

  std::string image = original_;
  memset(image.data() + 1024, 0, 1024);
  EXPECT_EQ(mount_patched(image, &fs, &reason), -EINVAL);
  EXPECT_STRNE(reason, "");

  image = original_;
  put16(image, 1024 + 56, 0xef54);  // magic
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);

  image = original_;
  put32(image, 1024 + 24, 20);  // a block size of 2^30
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 1024 + 24, 0xffffffff);
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);

  image = original_;
  put32(image, 1024 + 76, 2);  // revision
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);

  image = original_;
  put32(image, 1024 + 4, get32(image, 1024 + 4) * 4);  // more blocks than the device
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);

  image = original_;
  put32(image, 1024 + 32, 256);  // blocks per group: more groups than the inodes say
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 1024 + 32, 0);
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 1024 + 40, 0);  // inodes per group
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 1024 + 0, get32(image, 1024) + 1);  // inode count
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put16(image, 1024 + 88, 100);  // inode size
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);

  // Many tiny groups: the descriptor table runs past the file system.
  image = original_;
  uint32_t blocks = get32(image, 1024 + 4);
  uint32_t groups = (blocks - 1 + 7) / 8;
  put32(image, 1024 + 32, 8);
  put32(image, 1024 + 40, 8);
  put32(image, 1024 + 0, groups * 8);
  EXPECT_EQ(mount_patched(image, &fs, &reason), -EINVAL);

  // Features.
  image = original_;
  put32(image, 1024 + 96, get32(image, 1024 + 96) | 0x40);  // extents
  EXPECT_EQ(mount_patched(image, &fs, &reason), -ENOTSUP);
  EXPECT_NE(strstr(reason, "extents"), nullptr);
  image = original_;
  put32(image, 1024 + 96, get32(image, 1024 + 96) | 0x100000);
  EXPECT_EQ(mount_patched(image, &fs), -ENOTSUP);
  image = original_;
  put32(image, 1024 + 100, get32(image, 1024 + 100) | 0x400);  // metadata_csum: read-only
  ASSERT_EQ(mount_patched(image, &fs), 0);
  EXPECT_TRUE(fs->read_only());
  uint32_t ino;
  EXPECT_EQ(fs->resolve("/dir/small", 10, &ino), 0);
  char buffer[16];
  EXPECT_EQ(fs->read(ino, 0, buffer, sizeof(buffer)), 6);
  EXPECT_EQ(fs->write(ino, 0, "x", 1), -EROFS);
  EXPECT_EQ(fs->create(2, "new", 3, 0644, &ino), -EROFS);
  EXPECT_EQ(fs->unlink(2, "file", 4), -EROFS);
  EXPECT_EQ(fs->truncate(ino, 0), -EROFS);
  EXPECT_EQ(Ext2::unmount(fs), 0);

  // A device smaller than the file system.
  image = original_.substr(0, original_.size() / 2);
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_.substr(0, 1500);
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = "";
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
}

TEST_F(Ext2CorruptTest, BadGroupDescriptors) {
  Ext2* fs;
  std::string image = original_;
  put32(image, 2048 + 0, 0x7fffffff);  // block bitmap past the device
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 2048 + 4, 0);  // inode bitmap at block 0
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put32(image, 2048 + 8, get32(image, 1024 + 4) - 2);  // inode table running off the end
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
  image = original_;
  put16(image, 2048 + 12, 0xffff);  // free block count
  EXPECT_EQ(mount_patched(image, &fs), -EINVAL);
}

TEST_F(Ext2CorruptTest, BadInodesAndDirectories) {
  uint32_t file = ino_of("/file");
  uint32_t dir = ino_of("/dir");
  Ext2* fs;
  char buffer[4096];

  // Block pointers past the device: direct, indirect, and the indirect
  // block's entries.
  std::string image = original_;
  size_t inode = inode_offset(image, file);
  put32(image, inode + 40, 0xffffff00);
  put32(image, inode + 40 + 12 * 4, 0x00ffff00);
  ASSERT_EQ(mount_patched(image, &fs), 0);
  EXPECT_EQ(fs->read(file, 0, buffer, sizeof(buffer)), -EIO);
  EXPECT_EQ(fs->read(file, 13 * 1024, buffer, sizeof(buffer)), -EIO);
  EXPECT_EQ(fs->write(file, 0, "x", 1), -EIO);
  EXPECT_EQ(fs->write(file, 20 * 1024, "x", 1), -EIO);
  EXPECT_LT(fs->truncate(file, 0), 0);
  EXPECT_EQ(fs->read(file, 0, buffer, sizeof(buffer)), 0);
  Ext2::unmount(fs);

  image = original_;
  inode = inode_offset(image, file);
  uint32_t indirect = get32(image, inode + 40 + 12 * 4);
  ASSERT_NE(indirect, 0u);
  for (int i = 0; i < 256; i++) put32(image, indirect * 1024 + i * 4, 0x80000000u + i);
  ASSERT_EQ(mount_patched(image, &fs), 0);
  EXPECT_EQ(fs->read(file, 0, buffer, sizeof(buffer)), 4096);
  EXPECT_EQ(fs->read(file, 12 * 1024, buffer, sizeof(buffer)), -EIO);
  EXPECT_LT(fs->unlink(2, "file", 4), 0);
  Ext2::unmount(fs);

  // A huge size on a file with few blocks reads zeros, not garbage.
  image = original_;
  inode = inode_offset(image, file);
  put32(image, inode + 4, 0xfffffff0);
  put32(image, inode + 108, 0xffff);
  ASSERT_EQ(mount_patched(image, &fs), 0);
  EXPECT_EQ(fs->read(file, 1ull << 40, buffer, 16), 16);
  Ext2::unmount(fs);

  // Directory entries: a rec_len running past the block, one of zero, a
  // name longer than its entry, an inode number past the end.
  size_t dir_inode = inode_offset(original_, dir);
  uint32_t dir_block = get32(original_, dir_inode + 40);
  size_t first = dir_block * 1024;
  struct Patch {
    size_t offset;
    uint32_t value;
    int width;
    const char* name;  // what lookup must fail to find
  };
  const Patch patches[] = {
      {first + 4, 2000, 2, "small"},         // "." rec_len past the block
      {first + 4, 0, 2, "small"},            // rec_len 0
      {first + 12 + 4, 6, 2, "small"},       // rec_len below the minimum
      {first + 12 + 6, 250, 1, "small"},     // ".." name past its entry
      {first + 24, 0x7fffffff, 4, "small"},  // inode number past the end
      {first + 12, 7, 4, ".."},              // ".." names a reserved inode
      {dir_inode + 4, 1000, 4, "small"},     // directory size not a block multiple
      {dir_inode + 40, 0, 4, "small"},       // directory with a hole
  };
  for (const Patch& patch : patches) {
    image = original_;
    if (patch.width == 4) put32(image, patch.offset, patch.value);
    if (patch.width == 2) put16(image, patch.offset, static_cast<uint16_t>(patch.value));
    if (patch.width == 1) image[patch.offset] = static_cast<char>(patch.value);
    ASSERT_EQ(mount_patched(image, &fs), 0);
    uint32_t ino;
    EXPECT_EQ(fs->lookup(dir, patch.name, strlen(patch.name), &ino), -EIO) << patch.offset;
    int r;
    EXPECT_LT(fs->lookup(dir, "nothere", 7, &ino), 0);
    uint64_t cookie = 0;
    ext2::DirEntry entry;
    int count = 0;
    while ((r = fs->readdir(dir, &cookie, &entry)) == 1 && count < 100) count++;
    EXPECT_LE(r, 1);
    EXPECT_LT(count, 100);
    uint32_t new_ino;
    fs->create(dir, "new", 3, 0644, &new_ino);
    fs->rmdir(2, "dir", 3);
    fs->rename(dir, "small", 5, 2, "moved", 5);
    Ext2::unmount(fs);
  }

  // A directory whose ".." points at itself (a loop for rename's check).
  image = original_;
  put32(image, first + 12, dir);
  ASSERT_EQ(mount_patched(image, &fs), 0);
  uint32_t sub;
  ASSERT_EQ(fs->mkdir(dir, "sub", 3, 0755, &sub), 0);
  EXPECT_LT(fs->rename(2, "lost+found", 10, sub, "lf", 2), 0);
  Ext2::unmount(fs);
}

// Random byte damage in the metadata region must never crash.
TEST_F(Ext2CorruptTest, RandomDamage) {
  std::mt19937 random(99);
  for (int round = 0; round < 60; round++) {
    std::string image = original_;
    for (int i = 0; i < 40; i++) {
      size_t offset = 1024 + random() % (300 * 1024);
      image[offset] = static_cast<char>(random());
    }
    Ext2* fs;
    if (mount_patched(image, &fs) < 0) continue;
    char buffer[2048];
    uint32_t ino;
    if (fs->resolve("/file", 5, &ino) == 0) fs->read(ino, 0, buffer, sizeof(buffer));
    if (fs->resolve("/dir/small", 10, &ino) == 0) fs->write(ino, 100, buffer, sizeof(buffer));
    uint64_t cookie = 0;
    ext2::DirEntry entry;
    for (int n = 0; n < 50 && fs->readdir(2, &cookie, &entry) == 1; n++) {
    }
    fs->create(2, "n", 1, 0644, &ino);
    fs->mkdir(2, "m", 1, 0755, &ino);
    fs->unlink(2, "file", 4);
    fs->rename(2, "dir", 3, 2, "d2", 2);
    Ext2::unmount(fs);
  }
}

}  // namespace

// The shell's core: variables, history, word expansion, the builtins and
// the executor. Everything but the program's entry (main.cc) and process
// creation (spawn.h), so that it runs in host unit tests.
//
// Memory is bounded: an input line is at most kMaxLineLength bytes, what
// one line builds lives in a capped arena (arena.h) freed after the line,
// and the variable table and the history have fixed maximum sizes.
#pragma once

#include <stddef.h>

#include "arena.h"
#include "parser.h"

namespace sh {

inline constexpr size_t kMaxLineLength = 64u * 1024;
inline constexpr size_t kHistorySize = 100;
inline constexpr size_t kMaxVariables = 1024;
inline constexpr int kStatusSyntaxError = 2;
inline constexpr int kStatusNotFound = 127;
inline constexpr int kStatusNotExecutable = 126;

// Where a builtin reads and writes, and whether it runs as one stage of a
// longer pipeline (then state-changing builtins - cd, exit, export, unset -
// leave the shell alone, as in a POSIX subshell).
struct BuiltinIo {
  int in = 0;
  int out = 1;
  int err = 2;
  bool in_pipeline = false;
};

class Shell;
using BuiltinFunction = int (*)(Shell& shell, int argc, char** argv, const BuiltinIo& io);

struct Builtin {
  const char* name;
  BuiltinFunction function;
  const char* help;
};

// The builtin called `name`, or nullptr.
const Builtin* find_builtin(const char* name);
// The table, ending with a {nullptr, nullptr, nullptr} entry.
const Builtin* builtins();

class Shell {
 public:
  Shell() = default;
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Imports the NULL-terminated environment `envp` (may be NULL) as
  // exported variables. Returns false when memory runs out.
  bool import_environment(char* const* envp);

  // The fds the shell's commands inherit as 0, 1, 2 (default 0, 1, 2).
  void set_stdio(int in, int out, int err) {
    stdio_[0] = in;
    stdio_[1] = out;
    stdio_[2] = err;
  }
  int stdio(int fd) const { return stdio_[fd]; }

  // Interactive: a prompt before each line read by run_fd(), `!!` and `!N`
  // expansion and the history. Otherwise a syntax error or an over-long
  // line ends the input (status 2).
  void set_interactive(bool interactive) { interactive_ = interactive; }
  bool interactive() const { return interactive_; }

  // Runs the commands of text[0..length) (newlines separate commands).
  // Returns the status of the last one, also kept as status() ($?).
  int run_text(const char* text, size_t length);

  // Reads lines from `fd` with read() (no echo: the console does that) and
  // runs each, until end of input or `exit`. Returns the last status.
  int run_fd(int fd);

  int status() const { return status_; }
  bool exit_requested() const { return exit_requested_; }
  void request_exit(int status) {
    exit_requested_ = true;
    status_ = status;
  }

  // Variables. get_variable returns nullptr when `name` is not set.
  const char* get_variable(const char* name) const;
  const char* get_variable(const char* name, size_t name_length) const;
  // Sets NAME (name_length bytes) to value; exported: 1 export, 0 keep the
  // current flag (new variables are not exported), -1 unexport. Returns
  // false when memory or the table runs out.
  bool set_variable(const char* name, size_t name_length, const char* value, size_t value_length,
                    int exported);
  void unset_variable(const char* name);
  // For `set` and `export` without arguments: visits every variable.
  size_t variable_count() const { return variable_count_; }
  const char* variable_name(size_t i) const { return variables_[i].name; }
  const char* variable_value(size_t i) const { return variables_[i].value; }
  bool variable_exported(size_t i) const { return variables_[i].exported; }

  // History: entries number 1, 2, ...; the last kHistorySize stay.
  size_t history_count() const { return history_total_; }
  // Entry `number`, or nullptr if it is no longer (or not yet) kept.
  const char* history_entry(size_t number) const;
  void add_history(const char* line, size_t length);

  // Writes the whole of data[0..size) to fd (retrying short writes);
  // returns false on error. A printf for the shell's own messages.
  static bool write_all(int fd, const char* data, size_t size);
  static void print(int fd, const char* format, ...) __attribute__((format(printf, 2, 3)));

  // Word expansion (quotes, backslashes, $VAR ${VAR} $? $$, a leading ~)
  // into the arena. Returns false when memory runs out; *dropped is true
  // for a word that was only unquoted expansions that came out empty (it
  // is removed).
  bool expand_word(const Word& word, char** out, bool* dropped);
  // The arena of the line being run.
  Arena& arena() { return arena_; }

 private:
  struct Variable {
    char* name;
    char* value;
    bool exported;
  };
  struct Stage;

  int run_parsed(const char* text, size_t length);
  int run_pipeline(const Pipeline& pipeline);
  bool prepare_stage(const Command& command, Stage& stage);
  bool expand_history(const char* line, size_t length, char** expanded, size_t* expanded_length);
  char** build_environment(char** assignments, size_t count);
  Variable* find_variable(const char* name, size_t name_length) const;

  Variable* variables_ = nullptr;
  size_t variable_count_ = 0;
  size_t variable_capacity_ = 0;
  char* history_[kHistorySize] = {};
  size_t history_total_ = 0;
  int stdio_[3] = {0, 1, 2};
  int status_ = 0;
  bool interactive_ = false;
  bool exit_requested_ = false;
  Arena arena_;
};

}  // namespace sh

// The shell's grammar: one input line into a list of pipelines.
//
//   list      := pipeline ((';' | '&&' | '||' | newline) pipeline)* [';']
//   pipeline  := command ('|' command)*
//   command   := (word | redirect)+
//   redirect  := [digit] ('<' | '>' | '>>') word | [digit] ('>&' | '<&') digit
//
// Words keep their source text (quotes, backslashes and $ included): they
// are expanded only when their command runs (expand.h), so that `A=1; echo
// $A` sees the assignment. A '#' at the start of a word comments out the
// rest of the line.
#pragma once

#include <stddef.h>

#include "arena.h"

namespace sh {

// A word as written: a slice of the input line.
struct Word {
  const char* text = nullptr;
  size_t length = 0;
  Word* next = nullptr;
};

enum class RedirectKind {
  kInput,   // fd < file
  kOutput,  // fd > file (truncate)
  kAppend,  // fd >> file
  kDup,     // fd >& n, fd <& n: fd becomes a copy of n
};

struct Redirect {
  int fd = 1;
  RedirectKind kind = RedirectKind::kOutput;
  Word target;  // the file name; for kDup the digit
  Redirect* next = nullptr;
};

struct Command {
  Word* words = nullptr;
  size_t word_count = 0;
  Redirect* redirects = nullptr;
  Command* next = nullptr;
};

// How a pipeline is joined to the one before it.
enum class Connector {
  kSequence,  // ';', newline, or the first pipeline
  kAnd,       // '&&': runs if the previous status is 0
  kOr,        // '||': runs if the previous status is not 0
};

struct Pipeline {
  Command* commands = nullptr;
  size_t command_count = 0;
  Connector connector = Connector::kSequence;
  Pipeline* next = nullptr;
};

enum class ParseError {
  kNone,
  kUnexpectedToken,    // `near` names the token ("newline" at the end)
  kUnterminatedQuote,  // a ' or " without its closing partner
  kOutOfMemory,        // the arena's cap was reached
};

struct ParseResult {
  Pipeline* pipelines = nullptr;  // nullptr for an empty or comment line
  ParseError error = ParseError::kNone;
  char near[16] = {};  // the offending token, NUL-terminated (may be cut)
};

// Parses text[0..length) (newlines separate commands like ';'). Every node
// is allocated from `arena` and points into `text`, which must outlive the
// result.
ParseResult parse(const char* text, size_t length, Arena& arena);

// Whether `word` is NAME=value (NAME: [A-Za-z_][A-Za-z0-9_]*, unquoted);
// *name_length gets the length of NAME.
bool is_assignment(const Word& word, size_t* name_length);

// Whether c may start (first) or continue a variable name.
bool is_name_start(char c);
bool is_name_char(char c);

}  // namespace sh

// The lexer and the recursive-descent parser of parser.h.
#include "parser.h"

#include <string.h>

namespace sh {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_assignment(const Word& word, size_t* name_length) {
  if (word.length == 0 || !is_name_start(word.text[0])) return false;
  size_t i = 1;
  while (i < word.length && is_name_char(word.text[i])) i++;
  if (i >= word.length || word.text[i] != '=') return false;
  *name_length = i;
  return true;
}

namespace {

enum class TokenKind {
  kWord,
  kPipe,
  kOrIf,
  kAndIf,
  kSemi,
  kAmp,
  kNewline,
  kRedirect,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  const char* text = nullptr;  // kWord: the word; kRedirect: the operator
  size_t length = 0;
  int fd = -1;  // kRedirect: the explicit fd number, or -1
  RedirectKind redirect = RedirectKind::kOutput;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

bool is_operator_char(char c) {
  return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '\n';
}

class Parser {
 public:
  Parser(const char* text, size_t length, Arena& arena)
      : text_(text), length_(length), arena_(arena) {}

  ParseResult run() {
    ParseResult result;
    result.pipelines = parse_list();
    if (arena_.exhausted() && error_ == ParseError::kNone) error_ = ParseError::kOutOfMemory;
    result.error = error_;
    if (error_ != ParseError::kNone) result.pipelines = nullptr;
    memcpy(result.near, near_, sizeof(near_));
    return result;
  }

 private:
  // ---- Lexer ----

  // Fills `token_` with the token at pos_ (if not already there).
  const Token& peek() {
    if (!have_token_) {
      token_ = lex();
      have_token_ = true;
    }
    return token_;
  }

  Token take() {
    Token t = peek();
    have_token_ = false;
    return t;
  }

  Token lex() {
    Token t;
    for (;;) {
      while (pos_ < length_ && is_blank(text_[pos_])) pos_++;
      if (pos_ < length_ && text_[pos_] == '#') {
        while (pos_ < length_ && text_[pos_] != '\n') pos_++;
        continue;
      }
      break;
    }
    if (pos_ >= length_) {
      t.kind = TokenKind::kEnd;
      return t;
    }
    const char* start = text_ + pos_;
    char c = text_[pos_];
    char next = pos_ + 1 < length_ ? text_[pos_ + 1] : 0;
    t.text = start;
    if (c == '\n') {
      pos_++;
      t.kind = TokenKind::kNewline;
      t.length = 1;
      return t;
    }
    if (c == '|') {
      t.kind = next == '|' ? TokenKind::kOrIf : TokenKind::kPipe;
      t.length = next == '|' ? 2 : 1;
      pos_ += t.length;
      return t;
    }
    if (c == '&') {
      t.kind = next == '&' ? TokenKind::kAndIf : TokenKind::kAmp;
      t.length = next == '&' ? 2 : 1;
      pos_ += t.length;
      return t;
    }
    if (c == ';') {
      pos_++;
      t.kind = TokenKind::kSemi;
      t.length = 1;
      return t;
    }
    if (c == '<' || c == '>') return lex_redirect(-1);

    // A word. A lone digit right before '<' or '>' is the fd of a redirect.
    size_t word_start = pos_;
    while (pos_ < length_) {
      c = text_[pos_];
      if (is_blank(c) || is_operator_char(c)) break;
      if (c == '\\') {
        pos_ += pos_ + 1 < length_ ? 2 : 1;
      } else if (c == '\'') {
        const void* close = memchr(text_ + pos_ + 1, '\'', length_ - pos_ - 1);
        if (close == nullptr) return unterminated();
        pos_ = static_cast<const char*>(close) - text_ + 1;
      } else if (c == '"') {
        size_t j = pos_ + 1;
        while (j < length_ && text_[j] != '"') j += text_[j] == '\\' ? 2 : 1;
        if (j >= length_) return unterminated();
        pos_ = j + 1;
      } else if (c == '$' && pos_ + 1 < length_ && text_[pos_ + 1] == '{') {
        const void* close = memchr(text_ + pos_, '}', length_ - pos_);
        pos_ = close == nullptr ? pos_ + 1 : static_cast<const char*>(close) - text_ + 1;
      } else {
        pos_++;
      }
    }
    if (pos_ > length_) pos_ = length_;
    size_t word_length = pos_ - word_start;
    if (word_length == 1 && start[0] >= '0' && start[0] <= '9' && pos_ < length_ &&
        (text_[pos_] == '<' || text_[pos_] == '>')) {
      return lex_redirect(start[0] - '0');
    }
    t.kind = TokenKind::kWord;
    t.length = word_length;
    return t;
  }

  Token lex_redirect(int fd) {
    Token t;
    t.kind = TokenKind::kRedirect;
    t.text = text_ + pos_;
    t.fd = fd;
    char c = text_[pos_];
    char next = pos_ + 1 < length_ ? text_[pos_ + 1] : 0;
    if (next == '&') {
      t.redirect = RedirectKind::kDup;
      t.length = 2;
      if (fd < 0) t.fd = c == '<' ? 0 : 1;
    } else if (c == '>' && next == '>') {
      t.redirect = RedirectKind::kAppend;
      t.length = 2;
      if (fd < 0) t.fd = 1;
    } else {
      t.redirect = c == '<' ? RedirectKind::kInput : RedirectKind::kOutput;
      t.length = 1;
      if (fd < 0) t.fd = c == '<' ? 0 : 1;
    }
    pos_ += t.length;
    return t;
  }

  Token unterminated() {
    if (error_ == ParseError::kNone) error_ = ParseError::kUnterminatedQuote;
    pos_ = length_;
    Token t;
    t.kind = TokenKind::kEnd;
    return t;
  }

  // ---- Parser ----

  bool failed() const { return error_ != ParseError::kNone || arena_.exhausted(); }

  // Records a syntax error at `t` (the first one wins) and returns nullptr.
  template <typename T>
  T* syntax_error(const Token& t) {
    if (error_ != ParseError::kNone) return nullptr;
    error_ = ParseError::kUnexpectedToken;
    if (t.kind == TokenKind::kEnd || t.kind == TokenKind::kNewline) {
      strcpy(near_, "newline");
    } else {
      size_t n = t.length < sizeof(near_) - 1 ? t.length : sizeof(near_) - 1;
      memcpy(near_, t.text, n);
      near_[n] = 0;
    }
    return nullptr;
  }

  void skip_newlines() {
    while (!failed() && peek().kind == TokenKind::kNewline) take();
  }

  Pipeline* parse_list() {
    Pipeline* first = nullptr;
    Pipeline** link = &first;
    Connector connector = Connector::kSequence;
    for (;;) {
      skip_newlines();  // also after `a &&`: the list goes on on the next line
      if (failed()) return nullptr;
      const Token& t = peek();
      if (t.kind == TokenKind::kEnd) {
        if (connector != Connector::kSequence) return syntax_error<Pipeline>(t);
        return first;
      }
      Pipeline* pipeline = parse_pipeline();
      if (pipeline == nullptr) return nullptr;
      pipeline->connector = connector;
      *link = pipeline;
      link = &pipeline->next;

      Token after = take();
      if (failed()) return nullptr;
      switch (after.kind) {
        case TokenKind::kEnd:
          return first;
        case TokenKind::kSemi:
        case TokenKind::kNewline:
          connector = Connector::kSequence;
          break;
        case TokenKind::kAndIf:
          connector = Connector::kAnd;
          break;
        case TokenKind::kOrIf:
          connector = Connector::kOr;
          break;
        default:
          return syntax_error<Pipeline>(after);
      }
      // `a ;; b` and `a ; && b` fail in parse_command() on the next round.
    }
  }

  Pipeline* parse_pipeline() {
    Pipeline* pipeline = arena_.make<Pipeline>();
    if (pipeline == nullptr) return nullptr;
    Command** link = &pipeline->commands;
    for (;;) {
      Command* command = parse_command();
      if (command == nullptr) return nullptr;
      *link = command;
      link = &command->next;
      pipeline->command_count++;
      if (peek().kind != TokenKind::kPipe) return pipeline;
      take();
      skip_newlines();
    }
  }

  Command* parse_command() {
    Command* command = arena_.make<Command>();
    if (command == nullptr) return nullptr;
    Word** word_link = &command->words;
    Redirect** redirect_link = &command->redirects;
    bool empty = true;
    for (;;) {
      if (failed()) return nullptr;
      const Token& t = peek();
      if (t.kind == TokenKind::kWord) {
        Word* word = arena_.make<Word>();
        if (word == nullptr) return nullptr;
        word->text = t.text;
        word->length = t.length;
        *word_link = word;
        word_link = &word->next;
        command->word_count++;
        take();
      } else if (t.kind == TokenKind::kRedirect) {
        Token op = take();
        const Token& target = peek();
        if (failed()) return nullptr;
        if (target.kind != TokenKind::kWord) return syntax_error<Command>(target);
        if (op.redirect == RedirectKind::kDup &&
            (target.length != 1 || target.text[0] < '0' || target.text[0] > '9')) {
          return syntax_error<Command>(target);
        }
        Redirect* redirect = arena_.make<Redirect>();
        if (redirect == nullptr) return nullptr;
        redirect->fd = op.fd;
        redirect->kind = op.redirect;
        redirect->target.text = target.text;
        redirect->target.length = target.length;
        *redirect_link = redirect;
        redirect_link = &redirect->next;
        take();
      } else {
        if (empty) return syntax_error<Command>(t);
        return command;
      }
      empty = false;
    }
  }

  const char* text_;
  size_t length_;
  Arena& arena_;
  size_t pos_ = 0;
  Token token_;
  bool have_token_ = false;
  ParseError error_ = ParseError::kNone;
  char near_[16] = {};
};

}  // namespace

ParseResult parse(const char* text, size_t length, Arena& arena) {
  return Parser(text, length, arena).run();
}

}  // namespace sh

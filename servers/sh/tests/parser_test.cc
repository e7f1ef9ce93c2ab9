// The grammar of parser.h, in process.
#include "sh/parser.h"

#include <string>

#include <gtest/gtest.h>

namespace sh {
namespace {

std::string word(const Word* w) {
  return std::string(w->text, w->length);
}

ParseResult parse_string(Arena& arena, const char* text) {
  return parse(text, strlen(text), arena);
}

TEST(Parser, WordsKeepTheirQuotes) {
  Arena arena;
  ParseResult r = parse_string(arena, "echo 'a b' \"c $X\" d\\ e");
  ASSERT_EQ(r.error, ParseError::kNone);
  ASSERT_NE(r.pipelines, nullptr);
  Command* c = r.pipelines->commands;
  ASSERT_EQ(c->word_count, 4u);
  EXPECT_EQ(word(c->words), "echo");
  EXPECT_EQ(word(c->words->next), "'a b'");
  EXPECT_EQ(word(c->words->next->next), "\"c $X\"");
  EXPECT_EQ(word(c->words->next->next->next), "d\\ e");
}

TEST(Parser, PipelinesAndLists) {
  Arena arena;
  ParseResult r = parse_string(arena, "a | b | c; d && e || f");
  ASSERT_EQ(r.error, ParseError::kNone);
  Pipeline* p = r.pipelines;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->command_count, 3u);
  EXPECT_EQ(p->connector, Connector::kSequence);
  p = p->next;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(word(p->commands->words), "d");
  EXPECT_EQ(p->connector, Connector::kSequence);
  p = p->next;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->connector, Connector::kAnd);
  p = p->next;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->connector, Connector::kOr);
  EXPECT_EQ(p->next, nullptr);
}

TEST(Parser, Redirections) {
  Arena arena;
  ParseResult r = parse_string(arena, "cmd <in >out 2>>log x 2>&1");
  ASSERT_EQ(r.error, ParseError::kNone);
  Command* c = r.pipelines->commands;
  EXPECT_EQ(c->word_count, 2u);
  Redirect* d = c->redirects;
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->fd, 0);
  EXPECT_EQ(d->kind, RedirectKind::kInput);
  EXPECT_EQ(word(&d->target), "in");
  d = d->next;
  EXPECT_EQ(d->fd, 1);
  EXPECT_EQ(d->kind, RedirectKind::kOutput);
  d = d->next;
  EXPECT_EQ(d->fd, 2);
  EXPECT_EQ(d->kind, RedirectKind::kAppend);
  EXPECT_EQ(word(&d->target), "log");
  d = d->next;
  EXPECT_EQ(d->fd, 2);
  EXPECT_EQ(d->kind, RedirectKind::kDup);
  EXPECT_EQ(word(&d->target), "1");
  EXPECT_EQ(d->next, nullptr);
}

TEST(Parser, DigitWordIsNotAnFdWithSpace) {
  Arena arena;
  ParseResult r = parse_string(arena, "echo 2 >f");
  ASSERT_EQ(r.error, ParseError::kNone);
  EXPECT_EQ(r.pipelines->commands->word_count, 2u);
  EXPECT_EQ(r.pipelines->commands->redirects->fd, 1);
}

TEST(Parser, CommentsAndEmptyLines) {
  Arena arena;
  EXPECT_EQ(parse_string(arena, "").pipelines, nullptr);
  EXPECT_EQ(parse_string(arena, "   # only a comment").pipelines, nullptr);
  ParseResult r = parse_string(arena, "echo a#b # comment | x");
  ASSERT_EQ(r.error, ParseError::kNone);
  EXPECT_EQ(r.pipelines->command_count, 1u);
  EXPECT_EQ(r.pipelines->commands->word_count, 2u);
  EXPECT_EQ(word(r.pipelines->commands->words->next), "a#b");
}

TEST(Parser, TrailingSemicolonAndNewlines) {
  Arena arena;
  ParseResult r = parse_string(arena, "a;\n\nb;");
  ASSERT_EQ(r.error, ParseError::kNone);
  ASSERT_NE(r.pipelines, nullptr);
  ASSERT_NE(r.pipelines->next, nullptr);
  EXPECT_EQ(r.pipelines->next->next, nullptr);
}

struct SyntaxCase {
  const char* text;
  const char* near;
};

TEST(Parser, SyntaxErrorsNameTheToken) {
  const SyntaxCase cases[] = {
      {"| a", "|"},   {"a |", "newline"}, {"a | | b", "|"},    {"a &&", "newline"},
      {"&& a", "&&"}, {"a ;; b", ";"},    {"a > ", "newline"}, {"a > | b", "|"},
      {"a & b", "&"}, {"; a", ";"},       {"a || || b", "||"}, {"a 2>&x", "x"},
  };
  for (const SyntaxCase& c : cases) {
    Arena arena;
    ParseResult r = parse_string(arena, c.text);
    EXPECT_EQ(r.error, ParseError::kUnexpectedToken) << c.text;
    EXPECT_STREQ(r.near, c.near) << c.text;
    EXPECT_EQ(r.pipelines, nullptr);
  }
}

TEST(Parser, UnterminatedQuotes) {
  for (const char* text : {"echo 'abc", "echo \"abc", "echo \"a\\\""}) {
    Arena arena;
    EXPECT_EQ(parse_string(arena, text).error, ParseError::kUnterminatedQuote) << text;
  }
}

TEST(Parser, ArenaCapIsAnErrorNotACrash) {
  Arena arena(64 * 1024);
  std::string text;
  for (int i = 0; i < 20000; i++) text += "a ";
  ParseResult r = parse(text.data(), text.size(), arena);
  EXPECT_EQ(r.error, ParseError::kOutOfMemory);
  EXPECT_EQ(r.pipelines, nullptr);
}

TEST(Parser, Assignments) {
  size_t n = 0;
  Word w{"A_1=x y", 7, nullptr};
  EXPECT_TRUE(is_assignment(w, &n));
  EXPECT_EQ(n, 3u);
  Word bad{"1A=x", 4, nullptr};
  EXPECT_FALSE(is_assignment(bad, &n));
  Word none{"=x", 2, nullptr};
  EXPECT_FALSE(is_assignment(none, &n));
}

}  // namespace
}  // namespace sh

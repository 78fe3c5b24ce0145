// The first page of a range read taken from plain commands in two rounds
// (ts/page_snapshot.hpp), as mrange does: it must answer exactly what
// lua/ts_read.lua answers, and give up (so the script reads the page)
// whenever the series changed between the two rounds.
#include <gtest/gtest.h>

#include "client/embedded_scripts.hpp"
#include "support/ts_store_test.hpp"
#include "ts/page_snapshot.hpp"
#include "ts/series_keys.hpp"

namespace redkit::test {
namespace {

using ts::Sample;
using ts::Timestamp;

constexpr std::size_t kChunks = 128;

class TsPageSnapshot : public TsStoreTest {
 protected:
  // 200 samples one by one: a sealed chunk of 64 and a head of 136.
  void fill(const std::string& name) {
    for (const Sample& sample : series_) {
      store().add(name, sample.timestamp, sample.value);
    }
  }
  ts::detail::SeriesKeys keys(const std::string& name) { return {prefix(), name}; }
  ts::detail::PageState first_round(const std::string& name, Timestamp lo, Timestamp hi) {
    std::vector<Reply> replies = client().execute(ts::detail::page_state_commands(keys(name), lo, hi, kChunks));
    EXPECT_EQ(replies.size(), ts::detail::kPageStateReplies);
    return ts::detail::parse_page_state(std::move(replies.back()), kChunks);
  }
  std::optional<Reply> second_round(const std::string& name, ts::detail::PageState state) {
    const auto commands = ts::detail::page_chunk_commands(keys(name), state);
    if (commands.empty()) {
      return ts::detail::page_from(std::move(state), {});
    }
    std::vector<Reply> replies = client().execute(commands);
    EXPECT_EQ(replies.size(), ts::detail::kPageChunkReplies);
    return ts::detail::page_from(std::move(state), replies);
  }
  Reply script_page(const std::string& name, Timestamp lo, Timestamp hi) {
    const auto k = keys(name);
    const std::vector<Command> read{
        detail::embedded_script(detail::ScriptName::ts_read)
            .call({k.meta, k.head, k.chunks, k.summary},
                  {"forward", std::to_string(lo), std::to_string(hi), std::to_string(kChunks), "1"})};
    return client().execute(read).front();
  }
  const std::vector<Sample> series_ = gauge_samples(200, 1'700'000'000'000, 10'000, 5);
};

TEST_F(TsPageSnapshot, AnswersWhatTheScriptAnswers) {
  fill("s");
  ASSERT_EQ(store().info("s").chunks, 1u);
  const Timestamp first = series_.front().timestamp;
  const Timestamp last = series_.back().timestamp;
  for (const auto& [lo, hi] : std::vector<std::pair<Timestamp, Timestamp>>{
           {first, last}, {first + 700'000, last}, {last - 300'000, last}, {0, first - 1}, {last + 1, last + 9}}) {
    const auto page = second_round("s", first_round("s", lo, hi));
    ASSERT_TRUE(page.has_value()) << lo << " " << hi;
    EXPECT_EQ(*page, script_page("s", lo, hi)) << lo << " " << hi;
  }
  // With retention, the kept_from the script reports.
  store().alter("s", {.retention = std::chrono::milliseconds(600'000), .duplicate_policy = {}, .labels = {}});
  const auto page = second_round("s", first_round("s", last - 300'000, last));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(*page, script_page("s", last - 300'000, last));
  // A series with only a head needs no second transaction.
  store().add("young", 5, 1.5);
  const auto young = second_round("young", first_round("young", 0, 10));
  ASSERT_TRUE(young.has_value());
  EXPECT_EQ(*young, script_page("young", 0, 10));
}

TEST_F(TsPageSnapshot, AMissingSeriesIsReportedAsTheScriptReportsIt) {
  const auto page = second_round("nothing", first_round("nothing", 0, 10));
  ASSERT_TRUE(page.has_value());
  ASSERT_TRUE(page->is_error());
  EXPECT_TRUE(page->error_message().starts_with("NOSERIES")) << page->error_message();
}

TEST_F(TsPageSnapshot, GivesUpWhenTheHeadIsSealedBetweenTheRounds) {
  fill("s");
  const auto state = first_round("s", series_.front().timestamp, series_.back().timestamp);
  // The first seal left 137 records in the head (the newest stays); 375
  // more fill it to 512: all but the newest are sealed, 'gen' moves on.
  const auto more = gauge_samples(375, series_.back().timestamp + 10'000, 10'000, 6);
  for (const Sample& sample : more) {
    store().add("s", sample.timestamp, sample.value);
  }
  ASSERT_EQ(client().command({"STRLEN", prefix() + "ts:{s}:head"}).as_integer(), 16);
  EXPECT_FALSE(second_round("s", state).has_value());
}

TEST_F(TsPageSnapshot, GivesUpWhenAChunkIsRewrittenBetweenTheRounds) {
  fill("s");
  const auto state = first_round("s", series_.front().timestamp, series_.back().timestamp);
  // A sample older than the head lands inside the sealed chunk, which is
  // replaced by a chunk with a new id.
  store().add("s", series_.front().timestamp + 5, 1.0);
  EXPECT_FALSE(second_round("s", state).has_value());
}

// A series deleted and created again between the rounds, with a chunk of
// the same id and length as before, is not mistaken for the one the first
// round saw: its 'gen' started elsewhere.
TEST_F(TsPageSnapshot, GivesUpWhenTheSeriesIsCreatedAgainBetweenTheRounds) {
  fill("s");
  const auto state = first_round("s", series_.front().timestamp, series_.back().timestamp);
  store().remove("s");
  fill("s");
  EXPECT_FALSE(second_round("s", state).has_value());
}

}  // namespace
}  // namespace redkit::test

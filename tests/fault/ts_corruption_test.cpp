// Damaged time-series data in Redis, written by the test over a real chunk or
// head: garbage, a truncated copy, a copy with one flipped bit, a missing
// chunk. Every read and rewrite that touches it must throw ProtocolError
// naming the series and the key, never crash, never return or store wrong
// samples.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "redkit/error.hpp"
#include "support/ts_store_test.hpp"

// A named namespace, not an anonymous one: unity builds join test files.
namespace redkit::test::ts_corruption {

using ts::Sample;
using ts::Timestamp;

constexpr Timestamp kStart = 1'700'000'000'000;
constexpr Timestamp kStep = 1'000;
constexpr std::size_t kSealed = 60'000;  // several chunks
constexpr std::size_t kInHead = 100;

enum class Damage { garbage, truncated, flipped_bit, missing };

const char* name_of(Damage damage) {
  switch (damage) {
    case Damage::garbage:
      return "garbage";
    case Damage::truncated:
      return "truncated";
    case Damage::flipped_bit:
      return "flipped_bit";
    case Damage::missing:
      return "missing";
  }
  return "?";
}

// A 2-decimal gauge: the codec's decimal mode, where a flipped bit inside
// the bit stream still decodes to the right number of samples more often
// than not, so only the summary cross-check can see it.
std::vector<Sample> gauge(std::size_t n, Timestamp start) { return gauge_samples(n, start, kStep, 7); }

class TsCorruption : public TsStoreTest {
 protected:
  // A series with sealed chunks and a head of kInHead samples.
  void fill(const std::string& series) {
    const auto samples = gauge(kSealed + kInHead, kStart);
    store().add_many(series, std::span(samples).first(kSealed));
    for (std::size_t i = kSealed; i < samples.size(); ++i) {
      store().add(series, samples[i].timestamp, samples[i].value);
    }
    ASSERT_GE(store().info(series).chunks, 3u);
  }

  std::string meta_key(const std::string& series) { return prefix() + "ts:{" + series + "}"; }

  // The id and first timestamp of the middle chunk.
  std::pair<std::string, Timestamp> middle_chunk(const std::string& series) {
    const Reply reply = client().command({"ZRANGE", meta_key(series) + ":chunks", "0", "-1", "WITHSCORES"});
    const auto& entries = reply.as_array();
    const std::size_t middle = entries.size() / 4;  // entries hold id, score pairs
    return {entries.at(2 * middle).as_string(), std::stoll(entries.at(2 * middle + 1).as_string())};
  }

  // Writes `damage` over `key`; returns what it wrote.
  std::string damage_key(const std::string& key, Damage damage, bool whole_records) {
    const std::string original = client().command({"GET", key}).as_string();
    std::string bytes = original;
    switch (damage) {
      case Damage::garbage: {
        std::mt19937_64 random(11);
        for (char& c : bytes) {
          c = static_cast<char>(random() & 0xff);
        }
        break;
      }
      case Damage::truncated:
        bytes.resize(whole_records ? bytes.size() / 2 - 5 : bytes.size() / 2);
        break;
      case Damage::flipped_bit:
        // A head record's timestamp (byte 6 of record 3: bit 48 moves it far
        // out of order); a chunk's bit stream in its middle.
        if (whole_records) {
          bytes[3 * 16 + 6] = static_cast<char>(bytes[3 * 16 + 6] ^ 0x01);
        } else {
          bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
        }
        break;
      case Damage::missing:
        client().command({"DEL", key});
        return "";
    }
    client().command({"SET", key, bytes});
    return bytes;
  }

  // fn must throw ProtocolError whose message names the series and the key.
  static void expect_named_error(const std::string& what, const std::function<void()>& fn,
                                 const std::string& series, const std::string& key) {
    SCOPED_TRACE(what);
    try {
      fn();
      ADD_FAILURE() << what << ": no error";
    } catch (const ProtocolError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("series \"" + series + "\""), std::string::npos) << message;
      EXPECT_NE(message.find(key + " "), std::string::npos) << message;
      EXPECT_NE(message.find("is corrupt"), std::string::npos) << message;
    }
  }
};

TEST_F(TsCorruption, DamagedChunkIsReportedByNameOnEveryPath) {
  for (const Damage damage : {Damage::garbage, Damage::truncated, Damage::flipped_bit, Damage::missing}) {
    const std::string series = std::string("cpu-") + name_of(damage);
    SCOPED_TRACE(series);
    fill(series);
    const auto [id, first] = middle_chunk(series);
    const std::string key = meta_key(series) + ":c:" + id;
    const std::string written = damage_key(key, damage, false);
    const ts::SeriesInfo before = store().info(series);

    const ts::RangeOptions per_minute{
        .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg, .bucket = std::chrono::minutes(1)}};
    expect_named_error("range", [&] { store().range(series); }, series, key);
    if (damage == Damage::flipped_bit) {
      // Only the chunk's first block is read, and the bit is in a later one:
      // the sample is right. (Values get no check when only some blocks of
      // a chunk are read: the codec has no checksum.)
      const Sample sent = gauge(kSealed, kStart).at(static_cast<std::size_t>((first - kStart) / kStep));
      EXPECT_EQ(store().range(series, {.from = first, .to = first}), std::vector<Sample>{sent});
    } else {
      expect_named_error("range over the chunk's first sample",
                         [&] { store().range(series, {.from = first, .to = first}); }, series, key);
    }
    expect_named_error("aggregation", [&] { store().range(series, per_minute); }, series, key);
    expect_named_error("reverse range", [&] { store().reverse_range(series, {.count = kSealed}); }, series, key);
    expect_named_error("stats straddling it", [&] { store().stats(series, first + 1); }, series, key);
    expect_named_error("older sample into it", [&] { store().add(series, first + kStep / 2, 1.0); }, series, key);
    expect_named_error("delete inside it", [&] { store().delete_range(series, first + 1, first + 1); }, series,
                       key);

    // Info reads no chunk bytes (only sizes), so it still answers, and
    // nothing above rewrote the damaged chunk.
    const ts::SeriesInfo after = store().info(series);
    EXPECT_EQ(after.samples, before.samples);
    EXPECT_EQ(after.chunks, before.chunks);
    if (damage == Damage::missing) {
      EXPECT_EQ(client().command({"EXISTS", key}).as_integer(), 0);
    } else {
      EXPECT_EQ(client().command({"GET", key}).as_string(), written);
    }
    // Parts that do not touch the chunk still read.
    EXPECT_EQ(store().latest(series)->timestamp, kStart + static_cast<Timestamp>(kSealed + kInHead - 1) * kStep);
    EXPECT_EQ(store().range(series, {.from = kStart, .to = kStart + 10 * kStep}).size(), 11u);
  }
}

TEST_F(TsCorruption, ChunkWithAShiftedBlockIsRefused) {
  // A damaged first timestamp moves every sample of its block and still
  // decodes: only the chunk index entry shows it.
  const std::string series = "shifted";
  fill(series);
  const auto [id, first] = middle_chunk(series);
  const std::string key = meta_key(series) + ":c:" + id;
  std::string bytes = client().command({"GET", key}).as_string();
  // Block layout: version, body size varint (2 bytes for these blocks),
  // count varint (2 bytes for 1024), then the zigzag first timestamp: its
  // lowest byte's bit 1 moves the timestamp by 1 ms.
  ASSERT_EQ(bytes[0], 1);
  bytes[5] = static_cast<char>(bytes[5] ^ 0x02);
  client().command({"SET", key, bytes});
  expect_named_error("range", [&] { store().range(series); }, series, key);
}

TEST_F(TsCorruption, DamagedHeadIsReportedByName) {
  for (const Damage damage : {Damage::garbage, Damage::truncated, Damage::flipped_bit, Damage::missing}) {
    const std::string series = std::string("head-") + name_of(damage);
    SCOPED_TRACE(series);
    fill(series);
    const std::string key = meta_key(series) + ":head";
    damage_key(key, damage, true);
    if (damage == Damage::missing) {
      // Seen through the series' newest timestamp, which no chunk holds.
      expect_named_error("latest", [&] { store().latest(series); }, series, key);
      expect_named_error("range", [&] { store().range(series); }, series, key);
      continue;
    }
    const ts::RangeOptions per_minute{
        .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::max, .bucket = std::chrono::minutes(1)}};
    const Timestamp in_head = kStart + static_cast<Timestamp>(kSealed) * kStep;
    expect_named_error("latest", [&] { store().latest(series); }, series, key);
    expect_named_error("range", [&] { store().range(series); }, series, key);
    expect_named_error("range over the head", [&] { store().range(series, {.from = in_head}); }, series, key);
    expect_named_error("aggregation", [&] { store().range(series, per_minute); }, series, key);
    expect_named_error("stats", [&] { store().stats(series); }, series, key);
    if (damage == Damage::truncated) {
      expect_named_error("info", [&] { store().info(series); }, series, key);
      const std::string torn = client().command({"GET", key}).as_string();
      const Timestamp newest = kStart + static_cast<Timestamp>(kSealed + kInHead) * kStep;
      expect_named_error("add", [&] { store().add(series, newest, 1.0); }, series, key);
      expect_named_error("older sample", [&] { store().add(series, in_head + kStep / 2, 1.0); }, series, key);
      EXPECT_EQ(client().command({"GET", key}).as_string(), torn) << "an add changed a torn head";
    }
    // Sealed chunks still read.
    EXPECT_EQ(store().range(series, {.from = kStart, .to = kStart + 10 * kStep}).size(), 11u);
  }
}

}  // namespace redkit::test::ts_corruption

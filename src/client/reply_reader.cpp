// ReplyReader: hiredis's RESP parser with object callbacks that build Reply
// values directly.
//
// How the callbacks own memory: the parser hands each new object's parent (an
// array it created earlier) in task->parent->obj. A child is constructed in
// its slot of the parent's pre-sized vector and the callback returns a pointer
// to that slot; only the top-level object is heap-allocated, and only it is
// ever passed to freeObject (hiredis frees the root on errors and on
// redisReaderFree), so ownership is a plain tree.
#include "client/reply_reader.hpp"

#include <hiredis/read.h>

#include <algorithm>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

Reply* place(const redisReadTask* task, Reply value) {
  if (task->parent != nullptr) {
    auto* parent = static_cast<Reply*>(task->parent->obj);
    Reply& slot = parent->as_array()[static_cast<std::size_t>(task->idx)];
    slot = std::move(value);
    return &slot;
  }
  return new (std::nothrow) Reply(std::move(value));
}

void* create_string(const redisReadTask* task, char* bytes, size_t length) {
  try {
    std::string text(bytes, length);
    switch (task->type) {
      case REDIS_REPLY_ERROR: return place(task, Reply::make_error(std::move(text)));
      case REDIS_REPLY_STATUS: return place(task, Reply::make_status(std::move(text)));
      default: return place(task, Reply::make_string(std::move(text)));
    }
  } catch (...) {
    return nullptr;  // the parser reports out-of-memory
  }
}

// The elements of an array are allocated when its header arrives; a server
// (or whoever sits between us and it) announcing billions of them must not
// make us allocate that much before one element exists. Far above any reply
// redkit asks for.
constexpr int kMaxArrayElements = 1 << 24;

void* create_array(const redisReadTask* task, int elements) {
  if (elements > kMaxArrayElements) return nullptr;  // the parser reports it as out of memory
  try {
    return place(task, Reply::make_array(std::vector<Reply>(static_cast<std::size_t>(elements))));
  } catch (...) {
    return nullptr;
  }
}

void* create_integer(const redisReadTask* task, long long value) {
  return place(task, Reply::make_integer(value));
}

void* create_nil(const redisReadTask* task) { return place(task, Reply()); }

void free_object(void* object) { delete static_cast<Reply*>(object); }

redisReplyObjectFunctions kReplyFunctions = {create_string, create_array, create_integer,
                                             create_nil, free_object};

}  // namespace

void ReplyReader::Deleter::operator()(redisReader* reader) const noexcept {
  redisReaderFree(reader);
}

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&kReplyFunctions)) {
  if (!reader_) throw std::bad_alloc();
  // hiredis frees an idle buffer above 16 KiB after every reply; pipelines of
  // time-series chunks would reallocate it each time. 1 MiB keeps it warm
  // without holding on to the memory of one huge reply forever.
  reader_->maxbuf = 1 << 20;
}

ReplyReader::~ReplyReader() = default;

namespace {

// Bytes handed to hiredis at a time (see pending_).
constexpr std::size_t kFeedSlice = 4096;

}  // namespace

void ReplyReader::feed(std::string_view bytes) {
  if (pending_at_ == pending_.size()) {
    pending_.clear();
    pending_at_ = 0;
  }
  pending_.append(bytes);
}

std::optional<Reply> ReplyReader::next() {
  for (;;) {
    void* object = nullptr;
    if (redisReaderGetReply(reader_.get(), &object) != REDIS_OK) {
      throw ProtocolError(fmt::format("malformed reply from server: {}", reader_->errstr));
    }
    if (object != nullptr) {
      std::unique_ptr<Reply> owned(static_cast<Reply*>(object));
      return std::move(*owned);
    }
    if (pending_at_ == pending_.size()) {
      return std::nullopt;
    }
    const std::size_t slice = std::min(kFeedSlice, pending_.size() - pending_at_);
    if (redisReaderFeed(reader_.get(), pending_.data() + pending_at_, slice) != REDIS_OK) {
      throw ProtocolError(fmt::format("RESP reader: {}", reader_->errstr));
    }
    pending_at_ += slice;
  }
}

bool ReplyReader::has_partial() const noexcept {
  // Unconsumed bytes, or an array whose elements are still arriving. (ridx is
  // no guide: hiredis leaves it at 0 after any attempt on an empty buffer.)
  // Also a type byte already consumed with the rest still missing.
  return pending_at_ < pending_.size() || reader_->reply != nullptr || reader_->pos < reader_->len ||
         (reader_->ridx >= 0 && reader_->rstack[0].type >= 0);
}

}  // namespace redkit::detail

// The resource a lock protects, guarded by fencing tokens: a write carries
// the token of the lock it was made under, and the resource refuses a token
// lower than the highest it has accepted. A holder that lost its lock without
// knowing (paused past its TTL) cannot overwrite the work of the holder after
// it. It lives on its own redis-server, apart from the lock's server, so the
// faults injected into the lock's server do not touch it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "redkit/client.hpp"

namespace redkit::test::fault {

struct AcceptedWrite {
  std::int64_t token = 0;
  std::string what;
};

class FencedResource {
 public:
  FencedResource(Client client, std::string name);
  // True when accepted (token >= every token accepted before), false when
  // refused. The check and the write are one script, so they cannot race.
  bool write(std::int64_t token, const std::string& what);
  // Accepted writes in the order the resource took them.
  std::vector<AcceptedWrite> accepted() const;
  std::int64_t highest_token() const;

 private:
  Client client_;
  std::string state_key_;
  std::string writes_key_;
};

}  // namespace redkit::test::fault

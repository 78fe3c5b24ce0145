// An OpenSSL BIO over a non-blocking socket that writes with MSG_NOSIGNAL.
//
// OpenSSL's own socket BIO writes with write(2): if the server has closed the
// connection, the kernel raises SIGPIPE, whose default action kills the whole
// process. A library must not change the process's signal handling, so TLS
// connections go through this BIO instead, as plain ones use send(2) with
// MSG_NOSIGNAL.
#pragma once

struct bio_st;

namespace redkit::detail {

// A new BIO for fd (not owned: the Socket closes it). Returns null on
// allocation failure.
bio_st* new_socket_bio(int fd);

}  // namespace redkit::detail

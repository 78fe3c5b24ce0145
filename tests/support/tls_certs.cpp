// Generates test certificates with the openssl tool; see tls_certs.hpp.
#include "support/tls_certs.hpp"

#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "devserver/spawn.hpp"
#include "devserver/temp_dir.hpp"
#include "support/subprocess.hpp"

namespace redkit::test {
namespace {

namespace fs = std::filesystem;

// arguments[0] is "openssl".
void run_openssl(const std::vector<std::string>& arguments) {
  const CommandResult result = run_command(arguments);
  if (result.exit_code != 0) {
    throw std::runtime_error("certificate generation failed (" +
                             (result.timed_out ? std::string("timed out")
                                               : "exit code " + std::to_string(result.exit_code)) +
                             "): " + devserver::printable_command(arguments) + "\n" + result.output);
  }
}

// A configuration of our own keeps the system's openssl.cnf (and the
// extensions its default sections add) out of the certificates.
fs::path write_minimal_config(const fs::path& dir) {
  const fs::path config = dir / "openssl.cnf";
  std::ofstream out(config);
  out << "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n";
  out.close();
  if (!out) throw std::runtime_error("cannot write " + config.string());
  return config;
}

// req arguments for a new EC P-256 key written to key_file and a certificate,
// valid for 2 days, written to cert_file.
std::vector<std::string> new_certificate(const fs::path& config, const fs::path& key_file,
                                         const fs::path& cert_file, const std::string& subject) {
  return {"openssl", "req", "-x509", "-config", config.string(),
          "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc",
          "-keyout", key_file.string(), "-out", cert_file.string(),
          "-days", "2", "-subj", subject};
}

void make_ca(const fs::path& config, const fs::path& key, const fs::path& cert,
             const std::string& subject) {
  std::vector<std::string> arguments = new_certificate(config, key, cert, subject);
  arguments.insert(arguments.end(), {"-addext", "basicConstraints=critical,CA:TRUE",
                                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  run_openssl(arguments);
}

void make_leaf(const fs::path& config, const TlsFiles& files, const fs::path& key,
               const fs::path& cert, const std::string& subject,
               const std::vector<std::string>& extensions) {
  std::vector<std::string> arguments = new_certificate(config, key, cert, subject);
  arguments.insert(arguments.end(), {"-CA", files.ca_cert.string(), "-CAkey", files.ca_key.string(),
                                     "-addext", "basicConstraints=critical,CA:FALSE",
                                     "-addext", "keyUsage=critical,digitalSignature"});
  for (const std::string& extension : extensions) arguments.insert(arguments.end(), {"-addext", extension});
  run_openssl(arguments);
}

// The shared set's directory, removed when the test process exits normally.
class OwnedTempDir {
 public:
  OwnedTempDir() : path_(devserver::make_temp_dir("redkit-tls-")) {}
  ~OwnedTempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  OwnedTempDir(const OwnedTempDir&) = delete;
  OwnedTempDir& operator=(const OwnedTempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

TlsFiles make_tls_files(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path config = write_minimal_config(dir);
  TlsFiles files{
      .ca_cert = dir / "ca.crt",
      .ca_key = dir / "ca.key",
      .server_cert = dir / "server.crt",
      .server_key = dir / "server.key",
      .client_cert = dir / "client.crt",
      .client_key = dir / "client.key",
      .other_ca_cert = dir / "other-ca.crt",
  };
  make_ca(config, files.ca_key, files.ca_cert, "/CN=redkit test CA");
  make_leaf(config, files, files.server_key, files.server_cert, "/CN=localhost",
            {"subjectAltName=DNS:localhost,IP:127.0.0.1", "extendedKeyUsage=serverAuth"});
  make_leaf(config, files, files.client_key, files.client_cert, "/CN=redkit test client",
            {"extendedKeyUsage=clientAuth"});
  make_ca(config, dir / "other-ca.key", files.other_ca_cert, "/CN=redkit unrelated test CA");
  return files;
}

const TlsFiles& shared_tls_files() {
  static const OwnedTempDir dir;
  static const TlsFiles files = make_tls_files(dir.path());
  return files;
}

}  // namespace redkit::test

#include "support/temp_dir.h"

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

namespace of::testing {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  // mkdtemp picks a name nobody else has and creates it atomically, so
  // tests running in parallel never share a directory.
  if (mkdtemp(buffer.data()) == nullptr) {
    std::perror("TempDir: mkdtemp");
    std::abort();
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;  // a leftover temporary directory is not worth failing a test for
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace of::testing

// TempDir: a fresh directory under std::filesystem::temp_directory_path(),
// removed with everything in it when the object goes.
//
// For hermetic tests: every test that touches the filesystem gets its own.
// Aborts if the directory cannot be made (a test cannot run without it).
#pragma once

#include <filesystem>
#include <string_view>

namespace of::testing {

class TempDir {
 public:
  // The directory is named "<prefix>-XXXXXX" with a unique suffix.
  explicit TempDir(std::string_view prefix = "orderflow-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace of::testing

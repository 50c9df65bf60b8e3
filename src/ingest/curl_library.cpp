#include "curl_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

// The soname of the libcurl whose headers fundtrail is built with (Debian: libcurl4, for libcurl4-openssl-dev).
constexpr const char* kDefaultLibrary = "libcurl.so.4";

template <typename Function>
void resolve(void* library, const char* name, const std::string& path, Function& function) {
  void* symbol = ::dlsym(library, name);
  if (symbol == nullptr) throw Error(ErrorKind::IoError, "cannot use libcurl " + path + ": it has no " + name);
  function = reinterpret_cast<Function>(symbol);
}

CurlLibrary load() {
  const char* chosen = std::getenv("FUNDTRAIL_LIBCURL");
  const std::string path = chosen != nullptr && *chosen != '\0' ? chosen : kDefaultLibrary;
  // Never unloaded: handles may live until static destruction.
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = ::dlerror();
    throw Error(ErrorKind::IoError, "cannot load libcurl " + path + " (install the libcurl4 package): " +
                                        (reason != nullptr ? reason : "unknown reason"));
  }
  CurlLibrary curl{};
  resolve(library, "curl_global_init", path, curl.global_init);
  resolve(library, "curl_easy_init", path, curl.easy_init);
  resolve(library, "curl_easy_cleanup", path, curl.easy_cleanup);
  resolve(library, "curl_easy_reset", path, curl.easy_reset);
  resolve(library, "curl_easy_setopt", path, curl.easy_setopt);
  resolve(library, "curl_easy_perform", path, curl.easy_perform);
  resolve(library, "curl_easy_getinfo", path, curl.easy_getinfo);
  resolve(library, "curl_easy_strerror", path, curl.easy_strerror);
  resolve(library, "curl_slist_append", path, curl.slist_append);
  resolve(library, "curl_slist_free_all", path, curl.slist_free_all);
  // curl_global_init is not thread-safe against other libcurl calls; doing it exactly once, before the first
  // handle, is what libcurl asks of applications. curl_global_cleanup is deliberately never called.
  const CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    throw Error(ErrorKind::IoError, "cannot initialise libcurl " + path + ": " + curl.easy_strerror(code));
  }
  return curl;
}

}  // namespace

const CurlLibrary& curl_library() {
  // A failed load is retried by the next caller (call_once does not complete when the callable throws).
  static std::once_flag once;
  static CurlLibrary curl{};
  std::call_once(once, [] { curl = load(); });
  return curl;
}

}  // namespace fundtrail::ingest

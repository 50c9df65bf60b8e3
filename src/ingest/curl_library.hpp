#pragma once
// libcurl, loaded when the first HTTP transport is made rather than when fundtrail starts. Linked normally,
// libcurl and the ~25 libraries it pulls in (TLS, Kerberos, LDAP, SSH, IDN ...) took 4 of the 7 ms that
// every command spent starting, although only the ingest commands use it; a trace is often one of many
// commands an investigator's script runs. Private to the ingest layer.
#include <curl/curl.h>

namespace fundtrail::ingest {

// The libcurl functions fundtrail calls.
struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// Loads libcurl (the library of the libcurl4 package: libcurl.so.4, or the file FUNDTRAIL_LIBCURL names)
// and initialises it, once per process. Throws fundtrail::Error(IoError) naming the library and the reason
// when it cannot be loaded, lacks a function, or fails to initialise.
const CurlLibrary& curl_library();

}  // namespace fundtrail::ingest

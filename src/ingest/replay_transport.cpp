// ReplayTransport: the scripted fake behind the ingest unit tests (no network, deterministic).
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

namespace {

class ReplayHandle final : public HttpTransport {
 public:
  explicit ReplayHandle(ReplayTransport& target) : target_(target) {}
  HttpResponse perform(const HttpRequest& request) override { return target_.perform(request); }

 private:
  ReplayTransport& target_;
};

}  // namespace

void ReplayTransport::add(const std::string& url, Match match, const Step& step, std::size_t times) {
  const std::lock_guard lock(mutex_);
  Script* script = nullptr;
  for (auto& candidate : scripts_) {
    if (candidate.url == url && candidate.match == match) script = &candidate;
  }
  if (script == nullptr) script = &scripts_.emplace_back(Script{url, match, {}});
  for (std::size_t i = 0; i < times; ++i) script->steps.push_back(step);
}

void ReplayTransport::enqueue(const std::string& url, const HttpResponse& response, std::size_t times, Match match) {
  add(url, match, Step{response}, times);
}

void ReplayTransport::enqueue_error(const std::string& url, const TransportError& error, std::size_t times,
                                    Match match) {
  add(url, match, Step{error}, times);
}

HttpResponse ReplayTransport::perform(const HttpRequest& request) {
  Step step{HttpResponse{}};
  {
    const std::lock_guard lock(mutex_);
    requests_.push_back(request);
    Script* chosen = nullptr;
    for (auto& script : scripts_) {
      if (script.steps.empty()) continue;
      if (script.match == Match::Exact) {
        if (script.url == request.url) {
          chosen = &script;
          break;  // an exact script wins over every prefix
        }
      } else if (request.url.rfind(script.url, 0) == 0 &&
                 (chosen == nullptr || script.url.size() > chosen->url.size())) {
        chosen = &script;
      }
    }
    if (chosen == nullptr) {
      throw not_found("ReplayTransport: no scripted response left for " + request.method + " " +
                      printable_excerpt(redact_url(request.url), 300));
    }
    step = std::move(chosen->steps.front());
    chosen->steps.pop_front();
  }
  if (auto* error = std::get_if<TransportError>(&step)) throw *error;
  return std::get<HttpResponse>(std::move(step));
}

std::vector<HttpRequest> ReplayTransport::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t ReplayTransport::request_count() const {
  const std::lock_guard lock(mutex_);
  return requests_.size();
}

std::size_t ReplayTransport::pending() const {
  const std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& script : scripts_) total += script.steps.size();
  return total;
}

std::unique_ptr<HttpTransport> ReplayTransport::make_handle() { return std::make_unique<ReplayHandle>(*this); }

}  // namespace fundtrail::ingest

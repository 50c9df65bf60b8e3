#pragma once
// Hands batches from one producing thread to one consuming thread, in order, through a fixed pool of batch
// objects that go round (so their buffers are reused): the producer fills one while the consumer works on
// those before it, and at most `depth` exist. Either side can stop the other: the producer by close() (no
// more batches; its error, if any, reaches the consumer after the batches published before it), the
// consumer by cancel() (the producer's acquire() then returns nullptr, so it never waits forever).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>

namespace fundtrail::ingest {

template <typename Batch>
class BatchPipe {
 public:
  explicit BatchPipe(std::size_t depth) {
    for (std::size_t i = 0; i < depth; ++i) free_.push_back(std::make_unique<Batch>());
  }

  // Producer: a batch to fill (as the consumer left it: clear it first), waiting for one to come back;
  // nullptr once the consumer has cancelled.
  std::unique_ptr<Batch> acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return cancelled_ || !free_.empty(); });
    if (cancelled_) return nullptr;
    std::unique_ptr<Batch> batch = std::move(free_.front());
    free_.pop_front();
    return batch;
  }

  // Producer: hands a filled batch over.
  void publish(std::unique_ptr<Batch> batch) {
    {
      const std::lock_guard lock(mutex_);
      ready_.push_back(std::move(batch));
    }
    published_.notify_one();
  }

  // Producer: no more batches. `error` is rethrown by the consumer's next() once the batches before it are
  // taken.
  void close(std::exception_ptr error = nullptr) {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
      error_ = std::move(error);
    }
    published_.notify_one();
  }

  // Consumer: the next batch in order (waiting for it), or nullptr after close(); rethrows the producer's error.
  std::unique_ptr<Batch> next() {
    std::unique_lock lock(mutex_);
    published_.wait(lock, [&] { return closed_ || !ready_.empty(); });
    if (!ready_.empty()) {
      std::unique_ptr<Batch> batch = std::move(ready_.front());
      ready_.pop_front();
      return batch;
    }
    if (error_) std::rethrow_exception(error_);
    return nullptr;
  }

  // Consumer: gives a batch back to be filled again.
  void recycle(std::unique_ptr<Batch> batch) {
    {
      const std::lock_guard lock(mutex_);
      free_.push_back(std::move(batch));
    }
    returned_.notify_one();
  }

  // Consumer: stops the producer.
  void cancel() {
    {
      const std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    returned_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable returned_;   // a batch came back, or cancel()
  std::condition_variable published_;  // a batch is ready, or close()
  std::deque<std::unique_ptr<Batch>> free_;
  std::deque<std::unique_ptr<Batch>> ready_;
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
};

}  // namespace fundtrail::ingest

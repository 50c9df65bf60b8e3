#include "fundtrail/store/evidence.hpp"

#include <algorithm>

#include "fundtrail/core/error.hpp"

namespace fundtrail::store {

EvidenceReader::EvidenceReader(CaseStore& store) : store_(store) {}

SourceRecord EvidenceReader::source(std::int64_t source_id) {
  auto statement = store_.db().prepare(
      "SELECT kind, coalesce(provider, ''), locator, fetched_at, status, byte_size, coalesce(sha256, ''), "
      "body IS NOT NULL FROM sources WHERE id = ?1");
  statement.bind(1, source_id);
  if (!statement.step()) throw not_found("no source with id " + std::to_string(source_id));
  SourceRecord record;
  record.id = source_id;
  record.kind = statement.column_text(0);
  record.provider = statement.column_text(1);
  record.locator = statement.column_text(2);
  record.fetched_at = statement.column_int64(3);
  if (!statement.is_null(4)) record.status = static_cast<int>(statement.column_int64(4));
  if (!statement.is_null(5)) record.byte_size = statement.column_int64(5);
  record.sha256 = statement.column_text(6);
  record.has_body = statement.column_int64(7) != 0;
  return record;
}

std::optional<std::int64_t> EvidenceReader::transfer_source(std::int64_t transfer_id) {
  if (!transfer_source_) {
    transfer_source_ = std::make_unique<Statement>(store_.db(), "SELECT source_id FROM transfers WHERE id = ?1");
  }
  transfer_source_->reset();
  transfer_source_->bind(1, transfer_id);
  std::optional<std::int64_t> result;
  if (transfer_source_->step() && !transfer_source_->is_null(0)) result = transfer_source_->column_int64(0);
  transfer_source_->reset();
  return result;
}

std::vector<std::int64_t> EvidenceReader::transaction_sources(std::string_view tx_hash) {
  auto statement = store_.db().prepare(
      "SELECT source_id FROM transactions WHERE tx_hash = ?1 AND source_id IS NOT NULL "
      "UNION SELECT tr.source_id FROM transfers tr JOIN transactions t ON t.id = tr.tx_id "
      "WHERE t.tx_hash = ?1 AND tr.source_id IS NOT NULL");
  statement.bind(1, tx_hash);
  std::vector<std::int64_t> ids;
  while (statement.step()) ids.push_back(statement.column_int64(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<StoredTransaction> EvidenceReader::transactions(std::string_view tx_hash) {
  auto statement = store_.db().prepare(
      "SELECT t.chain, t.tx_hash, t.block_height, t.timestamp, a.network, a.status, a.sender, a.callee, a.fee, a.type "
      "FROM transactions t LEFT JOIN account_transactions a ON a.tx_id = t.id WHERE t.tx_hash = ?1 ORDER BY t.chain");
  statement.bind(1, tx_hash);
  std::vector<StoredTransaction> records;
  auto text = [&](int column) -> std::optional<std::string> {
    if (statement.is_null(column)) return std::nullopt;
    return statement.column_text(column);
  };
  while (statement.step()) {
    StoredTransaction record;
    record.chain = static_cast<core::Chain>(statement.column_int64(0));
    record.tx_hash = statement.column_text(1);
    if (!statement.is_null(2)) record.block_height = statement.column_int64(2);
    record.timestamp = statement.column_int64(3);
    if (!statement.is_null(4)) record.network = statement.column_int64(4);
    record.status = text(5);
    record.sender = text(6);
    record.callee = text(7);
    record.fee = text(8);
    record.type = text(9);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace fundtrail::store

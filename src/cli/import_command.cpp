// `fundtrail import FILE.csv`
#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "command_context.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/csv_importer.hpp"
#include "progress_bar.hpp"
#include "stage_timer.hpp"

namespace fundtrail::cli {

void register_import(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::string file;
    bool skip_invalid = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("import", "Import transfers from a CSV file into the case store");
  command->footer(
      "CSV header (order free): chain,tx_hash,timestamp,from,to,asset,amount [,block_height,index,decimals]\n"
      "  chain      btc | eth | tron | generic\n"
      "  timestamp  ISO-8601 UTC (2024-03-01T12:00:00Z) or unix seconds\n"
      "  amount     decimal in the asset's display units (1.5 BTC), exact with its decimals\n"
      "  decimals   required for assets fundtrail does not know\n"
      "Atomic: any invalid row imports nothing (exit 1) unless --skip-invalid. Importing a file again adds nothing.");
  command->add_option("file", args->file, "CSV file")->required();
  command->add_flag("--skip-invalid", args->skip_invalid, "Import the valid rows and report the rejected ones");
  command->callback([args, &options] {
    auto store = open_store(options, store::OpenMode::CreateIfMissing);
    ProgressBar progress("importing", !options.quiet);
    ingest::ImportOptions import_options;
    import_options.skip_invalid = args->skip_invalid;
    import_options.on_progress = [&progress](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
    const auto start = std::chrono::steady_clock::now();
    StageTimer timer("import");
    ingest::ImportSummary summary = ingest::import_csv(*store, args->file, import_options);
    progress.finish();
    timer.lap("rows read, checked and written");

    for (const auto& error : summary.errors) {
      std::cerr << args->file << ":" << error.line << (error.column.empty() ? "" : ": column " + error.column) << ": "
                << error.reason << "\n";
    }
    if (summary.rejected > summary.errors.size()) {
      std::cerr << "... and " << (summary.rejected - summary.errors.size()) << " more invalid rows\n";
    }
    if (!summary.committed) {
      throw Error(ErrorKind::InvalidArgument, std::to_string(summary.rejected) + " invalid row(s) in " + args->file +
                                                  ": nothing imported (use --skip-invalid to import the valid rows)");
    }
    // Bring the graph snapshot and label index up to date now, so the next trace starts instantly.
    refresh_read_caches(*store);
    timer.lap("graph snapshot and label index brought up to date");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "imported " << args->file << ": " << summary.rows << " rows, " << summary.inserted
              << " new transfers, " << summary.duplicates << " duplicates skipped, " << summary.rejected
              << " rejected (" << std::fixed << std::setprecision(1) << seconds << " s)\n";
  });
}

}  // namespace fundtrail::cli

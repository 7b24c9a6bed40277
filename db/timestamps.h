#pragma once
// Run times as the store keeps them: ISO-8601 UTC with milliseconds, e.g.
// 2026-11-30T01:02:03.456Z. One format everywhere (our runs, llama-bench runs and imports), so
// times sort and compare as text and read the same in every list.
#include <chrono>
#include <optional>
#include <string>

namespace tbdb {

std::string utc_timestamp(std::chrono::system_clock::time_point t);
std::string utc_timestamp_now();

// Another ISO-8601 date-time ("2026-11-27T00:30:11Z", "2026-11-27 00:30:11.5+01:00", ...) in the
// store's form; a time without a zone is taken as UTC. nullopt when the text is not one.
std::optional<std::string> normalized_utc_timestamp(const std::string& text);

}  // namespace tbdb

#pragma once
// Opens the run store from a worker thread. On the first start the window's store worker may be
// creating the database file at the same moment; a second connection can then see a half-made
// schema and refuse the file ("not a ternbench database"). Such a refusal is retried briefly;
// a real problem persists and its error is thrown.
#include <string>

#include "db/run_store.h"

namespace tbui {

tbdb::RunStore open_store_retrying(const std::string& path);

}  // namespace tbui

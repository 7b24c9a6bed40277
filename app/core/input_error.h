#pragma once
// A missing or unusable input file (text, KL base, ...) found while a run is under way: the
// run is stored as failed like any other failure, and the CLI exits with 3 instead of 1.
#include <stdexcept>

namespace bench {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace bench

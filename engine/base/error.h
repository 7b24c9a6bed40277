#pragma once
// Every engine failure the user can cause (bad file, unsupported type, context overflow)
// is a tern::Error with a message that names the problem; nothing else is thrown on purpose.
#include <stdexcept>
#include <string>

namespace tern {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A file that is not a valid GGUF (truncated, bad magic, counts or offsets out of range).
struct FormatError : Error {
    using Error::Error;
};

// A valid file the engine does not support (unknown arch, tensor type, shape).
struct UnsupportedError : Error {
    using Error::Error;
};

}  // namespace tern
